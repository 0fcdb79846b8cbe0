"""Kaizen tickets: from finding to verified countermeasure."""

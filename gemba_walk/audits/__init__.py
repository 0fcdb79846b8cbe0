"""Audits and the findings made during them."""

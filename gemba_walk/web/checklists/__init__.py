"""The checklist builder's admin pages."""

"""Checklist templates: 5S audits, waste walks, abnormality reports and custom lists."""

"""The andon's pages: the report from an area's label, triage and decisions."""

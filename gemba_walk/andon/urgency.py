"""Which andon reports cannot wait for triage, and the severity triage proposes for each.

Abnormality categories are fixed (SQDCE, ``lean.py``), so the urgent ones are named here:
Safety. An urgent report tells the area's leaders at once, on every channel, like a critical
finding; triage proposes the severity the category deserves (``lean.SEVERITIES``: critical is
"a safety risk or a line stop")."""

from __future__ import annotations

URGENT_CATEGORIES = frozenset({"safety"})
PROPOSED_SEVERITY = {"safety": "critical"}
DEFAULT_SEVERITY = "medium"


def is_urgent(category: str) -> bool:
    return category in URGENT_CATEGORIES


def proposed_severity(category: str) -> str:
    """What triage proposes for a report of this category (the leader may choose another)."""
    return PROPOSED_SEVERITY.get(category, DEFAULT_SEVERITY)

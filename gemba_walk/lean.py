"""The Lean vocabulary of Gemba Walk: the one place where pillars, wastes and statuses are named.

Forms, the API, the field pack (and so the phone's JavaScript), the seed and the tests all read
these tuples; nothing else spells them out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    description: str = ""


FIVE_S_PILLARS: tuple[Term, ...] = (
    Term("sort", "Sort", "Seiri — remove what is not needed"),
    Term(
        "set_in_order", "Set in order", "Seiton — a place for everything, everything in its place"
    ),
    Term("shine", "Shine", "Seiso — clean and inspect"),
    Term("standardize", "Standardize", "Seiketsu — make the first three a routine"),
    Term("sustain", "Sustain", "Shitsuke — keep the discipline"),
)

WASTES: tuple[Term, ...] = (
    Term("transport", "Transport", "Moving material or information that adds no value"),
    Term("inventory", "Inventory", "More material, work in progress or stock than needed"),
    Term("motion", "Motion", "People moving, reaching or searching more than needed"),
    Term("waiting", "Waiting", "People or machines idle, waiting for the previous step"),
    Term("overproduction", "Overproduction", "Making more, or earlier, than the customer needs"),
    Term("over_processing", "Over-processing", "Work beyond what the customer values"),
    Term("defects", "Defects", "Scrap, rework, inspection and correction"),
    Term("skills", "Unused skills", "People's ideas and abilities not used"),
)

ABNORMALITY_CATEGORIES: tuple[Term, ...] = (
    Term("safety", "Safety", "A risk of injury or an unsafe act or condition"),
    Term("quality", "Quality", "A defect, or a risk to product quality"),
    Term("delivery", "Delivery", "A threat to output, lead time or flow"),
    Term("cost", "Cost", "Material, energy or time wasted"),
    Term("environment", "Environment", "A spill, leak, emission or waste-handling problem"),
)
# Every category a finding or ticket may carry, whatever kind of walk found it.
CATEGORY_TERMS: tuple[Term, ...] = FIVE_S_PILLARS + WASTES + ABNORMALITY_CATEGORIES

SEVERITIES: tuple[Term, ...] = (
    Term("low", "Low", "Fix when convenient"),
    Term("medium", "Medium", "Fix this week"),
    Term("high", "High", "Fix within days"),
    Term("critical", "Critical / safety", "Stop and fix now — a safety risk or a line stop"),
)

# Days from finding to due date, by severity; configurable later per site.
DUE_DAYS_BY_SEVERITY: dict[str, int] = {"critical": 1, "high": 3, "medium": 7, "low": 14}

TICKET_STATUSES: tuple[Term, ...] = (
    Term("open", "Open", "Waiting for an owner to start"),
    Term("in_progress", "In progress", "Root cause and countermeasure under way"),
    Term("done", "Done", "Countermeasure in place; waiting for verification at the gemba"),
    Term("verified", "Verified", "A leader saw at the gemba that the fix holds — closed"),
    Term("reopened", "Reopened", "Sent back, or the problem came back"),
    Term("rejected", "Rejected", "Not a problem to work on, with the reason"),
)
OPEN_TICKET_STATUSES: frozenset[str] = frozenset({"open", "in_progress", "done", "reopened"})
CLOSED_TICKET_STATUSES: frozenset[str] = frozenset({"verified", "rejected"})
# A "done" ticket waits for the verifier, not for the team: it is not overdue.
OVERDUE_TICKET_STATUSES: frozenset[str] = frozenset({"open", "in_progress", "reopened"})

ROLES: tuple[Term, ...] = (
    Term("admin", "Admin", "Manages sites, areas, labels, users and checklists"),
    Term("leader", "Leader", "Walks the gemba, audits, verifies fixes"),
    Term("member", "Team member", "Works kaizen tickets"),
)

# Who may verify a ticket that is done, chosen per site. A third mode, "the owner's own leader"
# (the layer above), joins when people are placed in layers.
VERIFICATION_MODES: tuple[Term, ...] = (
    Term(
        "other_leader",
        "Another leader",
        "A leader or admin who does not own the ticket verifies it (separation of duties)",
    ),
    Term(
        "any_leader",
        "Any leader, the owner too",
        "For a line with one leader: a leader may verify their own ticket, "
        "recorded on the ticket as self-verified",
    ),
)
DEFAULT_VERIFICATION_MODE = "other_leader"

TEMPLATE_KINDS: tuple[Term, ...] = (
    Term("5s", "5S audit", "Score each item of the five pillars from 0 to 5"),
    Term("waste", "Waste walk", "Look for the eight wastes"),
    Term("abnormality", "Abnormality report", "Report something that is not normal"),
    Term("custom", "Custom checklist", "Your own checklist"),
)

RESPONSE_TYPES: tuple[Term, ...] = (
    Term("score", "Score 0–5", "A score from 0 (absent) to 5 (exemplary)"),
    Term("yes_no", "Yes / no"),
    Term("pass_fail", "Pass / fail"),
    Term("number", "Number", "A measured value, optionally with limits"),
    Term("text", "Text"),
    Term("choice", "Choice", "One of a fixed list"),
)

SCORE_MIN, SCORE_MAX = 0, 5
DEFAULT_TICKET_THRESHOLD = 2  # a 5S item scored at or below this opens a kaizen ticket

# What each 5S score means, shown one tap away during an audit.
SCORE_LEVELS: tuple[str, ...] = (
    "0 — Not started: no sign of this practice",
    "1 — Aware: a few isolated attempts",
    "2 — Started: done in places, not kept up",
    "3 — In place: done in most of the area",
    "4 — Routine: done everywhere, checked regularly",
    "5 — Exemplary: sustained and improved by the team",
)


def keys(terms: tuple[Term, ...]) -> list[str]:
    return [term.key for term in terms]


def label_of(terms: tuple[Term, ...], key: str | None) -> str:
    for term in terms:
        if term.key == key:
            return term.label
    return key or ""


def choices(terms: tuple[Term, ...]) -> list:
    """Options for WTForms select fields."""
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(term.key, term.label) for term in terms]


def vocabulary() -> dict:
    """The whole vocabulary as plain data, for the field pack and the phone."""

    def terms(items: tuple[Term, ...]) -> list[dict]:
        return [asdict(term) for term in items]

    return {
        "pillars": terms(FIVE_S_PILLARS),
        "wastes": terms(WASTES),
        "abnormality_categories": terms(ABNORMALITY_CATEGORIES),
        "severities": terms(SEVERITIES),
        "due_days_by_severity": dict(DUE_DAYS_BY_SEVERITY),
        "ticket_statuses": terms(TICKET_STATUSES),
        "template_kinds": terms(TEMPLATE_KINDS),
        "response_types": terms(RESPONSE_TYPES),
        "score_levels": list(SCORE_LEVELS),
        "score_range": [SCORE_MIN, SCORE_MAX],
        "default_ticket_threshold": DEFAULT_TICKET_THRESHOLD,
    }

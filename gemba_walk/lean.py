"""The Lean vocabulary of Gemba Walk: the one place where pillars, wastes and statuses are named.

Forms, the API, the field pack (and so the phone's JavaScript), the seed and the tests all read
these tuples; nothing else spells them out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask_babel import gettext, lazy_gettext
from wtforms.fields.choices import SelectChoice

from gemba_walk.field_rules import limit_type


def N_(text: str) -> str:
    """Mark a word for the catalogs (pybabel extracts N_); it is translated where it is read
    (label_of, choices, vocabulary), in the language of that request."""
    return text


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    description: str = ""


FIVE_S_PILLARS: tuple[Term, ...] = (
    Term("sort", N_("Sort"), N_("Seiri — remove what is not needed")),
    Term(
        "set_in_order",
        N_("Set in order"),
        N_("Seiton — a place for everything, everything in its place"),
    ),
    Term("shine", N_("Shine"), N_("Seiso — clean and inspect")),
    Term("standardize", N_("Standardize"), N_("Seiketsu — make the first three a routine")),
    Term("sustain", N_("Sustain"), N_("Shitsuke — keep the discipline")),
)

WASTES: tuple[Term, ...] = (
    Term("transport", N_("Transport"), N_("Moving material or information that adds no value")),
    Term("inventory", N_("Inventory"), N_("More material, work in progress or stock than needed")),
    Term("motion", N_("Motion"), N_("People moving, reaching or searching more than needed")),
    Term("waiting", N_("Waiting"), N_("People or machines idle, waiting for the previous step")),
    Term(
        "overproduction",
        N_("Overproduction"),
        N_("Making more, or earlier, than the customer needs"),
    ),
    Term("over_processing", N_("Over-processing"), N_("Work beyond what the customer values")),
    Term("defects", N_("Defects"), N_("Scrap, rework, inspection and correction")),
    Term("skills", N_("Unused skills"), N_("People's ideas and abilities not used")),
)

ABNORMALITY_CATEGORIES: tuple[Term, ...] = (
    Term("safety", N_("Safety"), N_("A risk of injury or an unsafe act or condition")),
    Term("quality", N_("Quality"), N_("A defect, or a risk to product quality")),
    Term("delivery", N_("Delivery"), N_("A threat to output, lead time or flow")),
    Term("cost", N_("Cost"), N_("Material, energy or time wasted")),
    Term("environment", N_("Environment"), N_("A spill, leak, emission or waste-handling problem")),
)
# Every category a finding or ticket may carry, whatever kind of walk found it.
CATEGORY_TERMS: tuple[Term, ...] = FIVE_S_PILLARS + WASTES + ABNORMALITY_CATEGORIES

SEVERITIES: tuple[Term, ...] = (
    Term("low", N_("Low"), N_("Fix when convenient")),
    Term("medium", N_("Medium"), N_("Fix this week")),
    Term("high", N_("High"), N_("Fix within days")),
    Term(
        "critical", N_("Critical / safety"), N_("Stop and fix now — a safety risk or a line stop")
    ),
)

# Days from finding to due date, by severity; configurable later per site.
DUE_DAYS_BY_SEVERITY: dict[str, int] = {"critical": 1, "high": 3, "medium": 7, "low": 14}

TICKET_STATUSES: tuple[Term, ...] = (
    Term("open", N_("Open"), N_("Waiting for an owner to start")),
    Term("in_progress", N_("In progress"), N_("Root cause and countermeasure under way")),
    Term("done", N_("Done"), N_("Countermeasure in place; waiting for verification at the gemba")),
    Term("verified", N_("Verified"), N_("A leader saw at the gemba that the fix holds — closed")),
    Term("reopened", N_("Reopened"), N_("Sent back, or the problem came back")),
    Term("rejected", N_("Rejected"), N_("Not a problem to work on, with the reason")),
)
OPEN_TICKET_STATUSES: frozenset[str] = frozenset({"open", "in_progress", "done", "reopened"})
CLOSED_TICKET_STATUSES: frozenset[str] = frozenset({"verified", "rejected"})
# A "done" ticket waits for the verifier, not for the team: it is not overdue.
OVERDUE_TICKET_STATUSES: frozenset[str] = frozenset({"open", "in_progress", "reopened"})

ROLES: tuple[Term, ...] = (
    Term("admin", N_("Admin"), N_("Manages sites, areas, labels, users and checklists")),
    Term("leader", N_("Leader"), N_("Walks the gemba, audits, verifies fixes")),
    Term("member", N_("Team member"), N_("Works kaizen tickets")),
)

# Who may verify a ticket that is done, chosen per site. "The owner's own leader" reads the site's
# audit layers (walks): the rules for missing layers are in tickets/workflow.verifiers.
VERIFICATION_MODES: tuple[Term, ...] = (
    Term(
        "other_leader",
        N_("Another leader"),
        N_("A leader or admin who does not own the ticket verifies it (separation of duties)"),
    ),
    Term(
        "leader_above",
        N_("The owner's own leader"),
        N_(
            "A leader of the audit layer above the owner's verifies it (or an admin); where "
            "that layer is missing or empty, another leader does"
        ),
    ),
    Term(
        "any_leader",
        N_("Any leader, the owner too"),
        N_(
            "For a line with one leader: a leader may verify their own ticket, "
            "recorded on the ticket as self-verified"
        ),
    ),
)
DEFAULT_VERIFICATION_MODE = "other_leader"

TEMPLATE_KINDS: tuple[Term, ...] = (
    Term("5s", N_("5S audit"), N_("Score each item of the five pillars from 0 to 5")),
    Term("waste", N_("Waste walk"), N_("Look for the eight wastes")),
    Term("abnormality", N_("Abnormality report"), N_("Report something that is not normal")),
    Term("custom", N_("Custom checklist"), N_("Your own checklist")),
)

RESPONSE_TYPES: tuple[Term, ...] = (
    Term("score", N_("Score 0–5"), N_("A score from 0 (absent) to 5 (exemplary)")),
    Term("yes_no", N_("Yes / no")),
    Term("pass_fail", N_("Pass / fail")),
    Term("number", N_("Number"), N_("A measured value, optionally with limits")),
    Term("text", N_("Text")),
    Term("choice", N_("Choice"), N_("One of a fixed list")),
)

SCORE_MIN, SCORE_MAX = limit_type("score")["ge"], limit_type("score")["le"]
DEFAULT_TICKET_THRESHOLD = 2  # a 5S item scored at or below this opens a kaizen ticket

# What each 5S score means, shown one tap away during an audit.
SCORE_LEVELS: tuple[str, ...] = (
    N_("0 — Not started: no sign of this practice"),
    N_("1 — Aware: a few isolated attempts"),
    N_("2 — Started: done in places, not kept up"),
    N_("3 — In place: done in most of the area"),
    N_("4 — Routine: done everywhere, checked regularly"),
    N_("5 — Exemplary: sustained and improved by the team"),
)


def keys(terms: tuple[Term, ...]) -> list[str]:
    return [term.key for term in terms]


def label_of(terms: tuple[Term, ...], key: str | None) -> str:
    """A term's label in the language of the request (as written outside one)."""
    for term in terms:
        if term.key == key:
            return gettext(term.label)
    return key or ""


def choices(terms: tuple[Term, ...]) -> list:
    """Options for WTForms select fields."""
    return [SelectChoice(term.key, lazy_gettext(term.label)) for term in terms]


def _said(text: str) -> str:
    return gettext(text) if text else ""


def vocabulary() -> dict:
    """The whole vocabulary as plain data, for the field pack and the phone."""

    def terms(items: tuple[Term, ...]) -> list[dict]:
        return [
            {**asdict(term), "label": gettext(term.label), "description": _said(term.description)}
            for term in items
        ]

    return {
        "pillars": terms(FIVE_S_PILLARS),
        "wastes": terms(WASTES),
        "abnormality_categories": terms(ABNORMALITY_CATEGORIES),
        "severities": terms(SEVERITIES),
        "due_days_by_severity": dict(DUE_DAYS_BY_SEVERITY),
        "ticket_statuses": terms(TICKET_STATUSES),
        "template_kinds": terms(TEMPLATE_KINDS),
        "response_types": terms(RESPONSE_TYPES),
        "score_levels": [gettext(level) for level in SCORE_LEVELS],
        "score_range": [SCORE_MIN, SCORE_MAX],
        "default_ticket_threshold": DEFAULT_TICKET_THRESHOLD,
    }


# The standard walks' start buttons (field_rules.json "start_labels", the phone's words too),
# marked for the catalog; a checklist an admin named keeps its name as written.
START_WORDS = {
    "5s-audit": N_("Start 5S audit"),
    "waste-walk": N_("Waste walk"),
    "abnormality-report": N_("Report abnormality"),
}


def start_words(actions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(key, label) start buttons in the reader's language."""
    return [
        (key, gettext(START_WORDS[key]) if key in START_WORDS else label) for key, label in actions
    ]

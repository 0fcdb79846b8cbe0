"""Plan-Do-Check-Act on a ticket: the problem and its 5 Whys, the root cause, the
countermeasure and its due date, the check and the standard that changed (Act)."""

from __future__ import annotations

from datetime import date

from gemba_walk.auth.models import User
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import utcnow
from gemba_walk.lean import CLOSED_TICKET_STATUSES, N_
from gemba_walk.tickets import history
from gemba_walk.tickets.checks import TicketError, is_worker, parse_date, text_value
from gemba_walk.tickets.models import TITLE_LENGTH, KaizenTicket, TicketEvent

MAX_WHYS = 5

PDCA_FIELDS = ("problem", "whys", "root_cause", "countermeasure", "due_date", "check_result")
PDCA_FIELDS += ("standardize", "no_change_reason", "title")
# The PDCA text fields as a refusal names them (``text_value``). "The standardize step", not
# "Standardize": that word is the 5S pillar's (Seiketsu) in the catalogs.
PDCA_FIELD_NAMES = {
    "title": N_("Title"),
    "problem": N_("Problem"),
    "root_cause": N_("Root cause"),
    "countermeasure": N_("Countermeasure"),
    "check_result": N_("Check result"),
    "standardize": N_("The standardize step"),
    "no_change_reason": N_("Why no standard change is needed"),
}


def _whys(value) -> list[str]:
    if not isinstance(value, list | tuple):
        raise TicketError(422, "invalid_value", _("The 5 Whys must be a list of answers."))
    whys = [text_value(why, N_("A why"), 1000) for why in value]
    while whys and not whys[-1]:
        whys.pop()
    if len(whys) > MAX_WHYS:
        raise TicketError(422, "too_many_whys", _("Five whys at most."))
    if "" in whys:
        raise TicketError(
            422, "gap_in_whys", _("Answer each “why?” in turn: one is empty in between.")
        )
    return whys


def _title(value) -> str:
    title = " ".join(text_value(value, N_("Title"), TITLE_LENGTH).split())
    if not title:
        raise TicketError(422, "title_required", _("A ticket needs a title: say what was seen."))
    return title


def _clean(ticket: KaizenTicket, values: dict) -> dict:
    """The values as stored, or a TicketError for the first that is not valid."""
    unknown = set(values) - set(PDCA_FIELDS)
    if unknown:
        raise TicketError(
            400,
            "unknown_field",
            _("Unknown field(s): %(fields)s.", fields=", ".join(sorted(unknown))),
        )
    clean: dict = {}
    for name, value in values.items():
        if name == "whys":
            clean["whys"] = _whys(value)
        elif name == "due_date":
            clean["due_date"] = parse_date(value)
        elif name == "title":
            clean["title"] = _title(value)
        else:
            clean[name] = text_value(value, PDCA_FIELD_NAMES.get(name, name))
    if ticket.status == "done" and "countermeasure" in clean and not clean["countermeasure"]:
        raise TicketError(
            422,
            "countermeasure_required",
            _("A ticket marked done keeps its countermeasure; change it, do not empty it."),
        )
    return clean


def _stored(value):
    return value.isoformat() if isinstance(value, date) else value


def update_pdca(ticket: KaizenTicket, user: User, values: dict) -> TicketEvent | None:
    """Change the Plan-Do-Check-Act fields given in ``values``; records what changed."""
    if not is_worker(user, ticket):
        raise TicketError(
            403, "not_allowed", _("Only the ticket's owner or a leader can change its PDCA.")
        )
    if ticket.status in CLOSED_TICKET_STATUSES:
        raise TicketError(
            409, "closed", _("%(number)s is closed; reopen it first.", number=ticket.display_number)
        )
    clean = _clean(ticket, values)
    changes = {}
    for name, new in clean.items():
        old = getattr(ticket, name)
        if name == "whys":
            old = old or []
        if old != new:
            changes[name] = [_stored(old), _stored(new)]
            setattr(ticket, name, new)
    if not changes:
        return None
    if "problem" in changes and changes["problem"][1] and "title" not in clean:
        ticket.title = " ".join(clean["problem"].split())[:TITLE_LENGTH]
        ticket.title_edited = True  # the team's words: joining findings no longer rewrite it
    if "title" in changes:
        ticket.title_edited = True
    ticket.updated_at = utcnow()
    return history.record(ticket, "fields_changed", user.id, fields=changes)

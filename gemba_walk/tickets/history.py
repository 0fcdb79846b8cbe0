"""A ticket's history as data: each event stores a kind (a stable message id) and its values as
JSON, and is written out in the reader's language when read (the ticket page, the API).

Nothing is stored as a sentence: a change of wording, or a reader of another language, reads
every old event as well as a new one. Values are plain JSON: statuses and severities as their
keys, days as ``YYYY-MM-DD``, moments as ``YYYY-MM-DDTHH:MM:SS`` (UTC), a person's words and
names as written. ``KINDS`` lists what each kind keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gemba_walk.core.i18n import format_date, format_day_month
from gemba_walk.core.i18n import gettext as _
from gemba_walk.extensions import db
from gemba_walk.lean import N_, SEVERITIES, TICKET_STATUSES, label_of
from gemba_walk.tickets.models import KaizenTicket, TicketEvent

# kind → the values its ``data`` holds (the API documents the same).
KINDS: dict[str, str] = {
    "opened": "text: what was seen (the first finding's words)",
    "status_changed": "from, to: statuses; reason: the person's words; due_date: [old, new]",
    "taken": "from, to: statuses; name: who took the ticket nobody owned",
    "verified": "from, to; how: scan | no_scan; scanned_at (UTC); self_verified; result",
    "back_to_team": "from, to: a Done ticket seen again before verification",
    "recurred": "from, to; text: the finding that shows the countermeasure did not hold",
    "seen_again": "occurrence: its number; text: what was seen",
    "seen_before_verification": "captured (UTC): when it was seen; text: what was seen",
    "severity_raised": "severity: [old, new]; due_date: [old, new] if it came forward",
    "fields_changed": "fields: {field: [old, new]} (the PDCA fields)",
    "owner_set": "owner: [old name, new name] (null: nobody)",
    "comment": "text: the person's words",
    "gemba_check": "text: what the person checked at the gemba",
    "andon_report": "report: the andon report's id; reporter: the name they gave (or null)",
    "after_photo": "(nothing)",
    "note": "text: a sentence kept as it was written; from, to: statuses, if it moved the ticket",
}

# A changed field as the history names it ("Changed due date, severity.").
CHANGED_FIELD_WORDS = {
    "title": N_("title"),
    "problem": N_("problem"),
    "whys": N_("whys"),
    "root_cause": N_("root cause"),
    "countermeasure": N_("countermeasure"),
    "due_date": N_("due date"),
    "check_result": N_("check result"),
    "standardize": N_("standardize"),
    "no_change_reason": N_("why no standard changed"),
    "severity": N_("severity"),
}


def moment(value: datetime) -> str:
    """A moment as an event's data keeps it (UTC, to the second)."""
    return value.replace(microsecond=0).isoformat()


def record(
    ticket: KaizenTicket,
    kind: str,
    actor_id: int | None,
    *,
    uuid: str | None = None,
    occurred_at: datetime | None = None,
    created_at: datetime | None = None,
    **data: Any,
) -> TicketEvent:
    """Add one event to the ticket's history (the caller's transaction commits)."""
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not a kind of ticket history")
    event = TicketEvent(
        ticket=ticket,
        actor_id=actor_id,
        kind=kind,
        data={name: value for name, value in data.items() if value is not None},
        uuid=uuid,
        occurred_at=occurred_at,
    )
    if created_at is not None:
        event.created_at = created_at
    db.session.add(event)
    return event


@dataclass(frozen=True)
class HistoryLine:
    """One event in the reader's language: the move it made (from, to: status labels), a few
    words the page shows in bold, and the rest."""

    moved: tuple[str, str] | None
    lead: str
    words: str

    @property
    def sentence(self) -> str:
        move = f"{self.moved[0]} → {self.moved[1]}." if self.moved else ""
        return " ".join(part for part in (move, self.lead, self.words) if part)


def _day(value: str | None) -> str:
    return format_date(date.fromisoformat(value)) if value else _("none")


def _when(value: str) -> str:
    """A stored moment as the history has always said it: day and month, the time in UTC."""
    at = datetime.fromisoformat(value)
    return f"{format_day_month(at.date())} {at:%H:%M}"


def _joined(*parts: str | None) -> str:
    return " ".join(part for part in parts if part)


def _new_due(data: dict) -> str:
    due = data.get("due_date")
    if not due or due[1] is None:
        return ""
    return _("New due date %(date)s.", date=_day(due[1]))


def _verified(data: dict) -> str:
    if data.get("how") == "scan" and data.get("scanned_at"):
        how = _(
            "Verified at the gemba (label scanned %(when)s UTC).", when=_when(data["scanned_at"])
        )
    else:
        how = _("Verified without a label scan.")
    own = _("Self-verified by the owner (the site lets any leader verify).")
    return _joined(how, own if data.get("self_verified") else "", data.get("result"))


def _severity_raised(data: dict) -> str:
    was, now = data["severity"]
    sentence = _(
        "A more serious occurrence: severity raised from %(was)s to %(now)s.",
        was=label_of(SEVERITIES, was),
        now=label_of(SEVERITIES, now),
    )
    old, new = data.get("due_date") or (None, None)
    if new and old:
        return (
            sentence
            + " "
            + _("Due date brought forward to %(due)s (was %(old)s).", due=_day(new), old=_day(old))
        )
    if new:
        return sentence + " " + _("Due date brought forward to %(due)s.", due=_day(new))
    return sentence


def _fields(data: dict) -> str:
    names = ", ".join(
        _(CHANGED_FIELD_WORDS.get(key, key.replace("_", " "))) for key in sorted(data["fields"])
    )
    return _("Changed %(fields)s.", fields=names)


def _owner(data: dict) -> str:
    before, after = data["owner"]
    return _(
        "Owner %(before)s → %(after)s.", before=before or _("nobody"), after=after or _("nobody")
    )


def _andon(data: dict) -> str:
    if data.get("reporter"):
        return _("by %(name)s, who has no account; accepted from triage.", name=data["reporter"])
    return _("by someone without an account; accepted from triage.")


def _words(kind: str, data: dict) -> tuple[str, str]:
    """(the bold lead, the rest) of one event."""
    text = data.get("text") or ""
    said = {
        "opened": lambda: ("", _("Opened from a finding.")),
        "status_changed": lambda: ("", _joined(data.get("reason"), _new_due(data))),
        "taken": lambda: (
            "",
            _joined(_("%(name)s took the ticket.", name=data["name"]), data.get("reason")),
        ),
        "verified": lambda: ("", _verified(data)),
        "back_to_team": lambda: ("", _("Seen again before verification — back to the team.")),
        "recurred": lambda: (
            "",
            _("Recurred — the countermeasure did not hold: %(what)s", what=text),
        ),
        "seen_again": lambda: (
            "",
            _("Seen again (occurrence %(count)s): %(what)s", count=data["occurrence"], what=text),
        ),
        "seen_before_verification": lambda: (
            "",
            _(
                "Seen before the verification (captured %(when)s UTC): %(what)s",
                when=_when(data["captured"]),
                what=text,
            ),
        ),
        "severity_raised": lambda: ("", _severity_raised(data)),
        "fields_changed": lambda: ("", _fields(data)),
        "owner_set": lambda: ("", _owner(data)),
        "gemba_check": lambda: (_("Checked at the gemba:"), text),
        "andon_report": lambda: (_("Reported at the andon"), _joined(_andon(data), text)),
        "after_photo": lambda: ("", _("Added an “after” photo.")),
    }.get(kind)
    return said() if said else ("", text)  # a comment, a note: as written


def line(event: TicketEvent) -> HistoryLine:
    """The event as the reader's language says it (the request's, or a force_locale block's)."""
    data = event.data or {}
    moved = None
    if data.get("to"):
        moved = (label_of(TICKET_STATUSES, data.get("from")), label_of(TICKET_STATUSES, data["to"]))
    try:
        lead, words = _words(event.kind, data)
    except (KeyError, TypeError, ValueError):  # values that do not fit: show what is there
        lead, words = "", str(data.get("text") or "")
    return HistoryLine(moved, lead, words)


def sentence(event: TicketEvent) -> str:
    """The event as one plain sentence in the reader's language (the API's ``sentence``)."""
    return line(event).sentence


def last_move(events: list[TicketEvent]) -> TicketEvent | None:
    """The latest event that moved the ticket to another status."""
    return next((e for e in reversed(events) if (e.data or {}).get("to")), None)

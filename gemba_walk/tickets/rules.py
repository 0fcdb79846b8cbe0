"""From finding to kaizen ticket: open one, join the open one, or reopen a fix that did not hold.

Every finding stored (synced from a phone or entered on the web) passes through
``ticket_for_finding`` inside the transaction that stores it.

**What "the same problem" means** (docs/ARCHITECTURE.md says it for people):

- a finding on a checklist item (5S, waste walk, custom checklist) is the same problem as a
  ticket of the same area, the same kind of walk and the same item key;
- a finding that belongs to no item — an abnormality report, a finding on its own — is the same
  problem only as the ticket the person capturing it chose ("same as KZ-0042" from the area's
  open tickets, which the phone holds offline), and only if that ticket is of the same area.
  Two different problems of one category (a bypassed light curtain, an oil leak) are two tickets.

Then:

- an open ticket for the same problem takes the finding: one more occurrence, its photos added;
  its severity rises to the highest seen, its due date comes forward if the new severity asks
  for it, and a Done ticket (waiting for verification) goes back to In progress — the problem was
  seen again before anyone verified the fix — and its owner is told;
- otherwise a ticket for the same problem verified within ``TICKET_RECURRENCE_DAYS`` is
  reopened, marked recurred ("the countermeasure did not hold"), and its owner and verifier are
  told — but only when the finding was *seen* (``observed_at``, the phone's capture time) after
  the verification. A finding captured before it (a phone that was offline for days) is what
  the fix was meant to end, not proof it failed: it joins the ticket's history as "seen before
  the verification" and the ticket stays closed;
- otherwise a new ticket opens, numbered KZ-0001, KZ-0002... (never reused), due by severity,
  owned by the area's owner.

The area's row is locked first (PostgreSQL ``FOR NO KEY UPDATE``; SQLite holds the write lock),
so two phones syncing findings for one area at the same moment queue instead of opening two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Finding, Photo, Response
from gemba_walk.core import hooks
from gemba_walk.core.i18n import Problem, current_language, format_date, format_day_month, said
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import utcnow
from gemba_walk.core.localtime import site_today
from gemba_walk.extensions import db
from gemba_walk.field_rules import RULES, past_limits, severity_rank
from gemba_walk.lean import DUE_DAYS_BY_SEVERITY, N_, OPEN_TICKET_STATUSES, SEVERITIES, label_of
from gemba_walk.tickets.models import TITLE_LENGTH, KaizenTicket, TicketEvent
from gemba_walk.tickets.numbering import next_ticket_number

PRIORITY_BY_SEVERITY = {"critical": 1, "high": 2, "medium": 3, "low": 4}


@dataclass(frozen=True)
class TicketOutcome:
    ticket: KaizenTicket
    outcome: str  # "opened", "joined" or "reopened"
    # The finding opened the ticket as critical or raised it to critical: the andon is pulled
    # (findings.operations.record_finding does it).
    made_critical: bool = False

    def as_json(self) -> dict:
        return {
            "number": self.ticket.display_number,
            "outcome": self.outcome,
            "occurrences": self.ticket.occurrences,
            "status": self.ticket.status,
        }


def ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


# The history's sentences the rules store in English, read in the reader's language. A sentence
# of another shape (written by a person) stays as stored.
_STORED_AS_IS = (
    N_("Seen again before verification — back to the team."),
    N_("Added an “after” photo."),
)
_SEEN_AGAIN = re.compile(r"Seen again \((\d+)(?:st|nd|rd|th) occurrence\): (.*)", re.S)
_RECURRED = re.compile(r"Recurred — the countermeasure did not hold: (.*)", re.S)
_SEEN_BEFORE = re.compile(
    r"Seen before the verification \(captured (\d{2} [A-Z][a-z]{2} \d{2}:\d{2}) UTC\): (.*)", re.S
)
_TOOK = re.compile(r"(.+) took the ticket\.", re.S)
# A verification: how it was checked, whether the owner verified it, and the leader's own words.
_VERIFIED = re.compile(
    r"(?:Verified without a label scan\."
    r"|Verified at the gemba \(label scanned (\d{2} [A-Z][a-z]{2} \d{2}:\d{2}) UTC\)\.)"
    r"( Self-verified by the owner \(the site lets any leader verify\)\.)?(?: (.*))?",
    re.S,
)
_STORED_DATE = r"(\d{2} [A-Z][a-z]{2} \d{4})"
_MORE_SERIOUS = re.compile(
    r"A more serious occurrence: severity raised from (.+?) to (.+?)"
    rf"(?:; due date brought forward to {_STORED_DATE}(?: \(was {_STORED_DATE}\))?)?\."
)


def _english_label(severity: str) -> str:
    return next((term.label for term in SEVERITIES if term.key == severity), severity)


def _severity_read(label: str) -> str:
    key = next((term.key for term in SEVERITIES if term.label == label), None)
    return label_of(SEVERITIES, key) if key else label


def _date_read(stored: str) -> str:
    return format_date(datetime.strptime(stored, "%d %b %Y").date())


def _more_serious_read(found: re.Match) -> str:
    was, now, due, old_due = found.groups()
    sentence = _(
        "A more serious occurrence: severity raised from %(was)s to %(now)s.",
        was=_severity_read(was),
        now=_severity_read(now),
    )
    if due and old_due:
        sentence += " " + _(
            "Due date brought forward to %(due)s (was %(old)s).",
            due=_date_read(due),
            old=_date_read(old_due),
        )
    elif due:
        sentence += " " + _("Due date brought forward to %(due)s.", due=_date_read(due))
    return sentence


def _verified_read(found: re.Match) -> str:
    scanned, self_verified, result = found.groups()
    if scanned:
        # stored without its year ("26 Nov 08:33"); 2000 is a leap year, so 29 Feb reads too
        moment = datetime.strptime(f"2000 {scanned}", "%Y %d %b %H:%M")
        sentence = _(
            "Verified at the gemba (label scanned %(when)s UTC).",
            when=f"{format_day_month(moment.date())} {moment:%H:%M}",
        )
    else:
        sentence = _("Verified without a label scan.")
    if self_verified:
        sentence += " " + _("Self-verified by the owner (the site lets any leader verify).")
    return f"{sentence} {result}" if result else sentence


def read_event_body(body: str) -> str:
    """A stored history sentence as the reader's language says it (English: as stored)."""
    if not body or current_language() == "en":
        return body
    if body in _STORED_AS_IS:
        return _(body)
    if found := _SEEN_AGAIN.fullmatch(body):
        return _(
            "Seen again (occurrence %(count)s): %(what)s",
            count=int(found.group(1)),
            what=found.group(2),
        )
    if found := _RECURRED.fullmatch(body):
        return _("Recurred — the countermeasure did not hold: %(what)s", what=found.group(1))
    if found := _SEEN_BEFORE.fullmatch(body):
        moment = datetime.strptime(f"2000 {found.group(1)}", "%Y %d %b %H:%M")
        return _(
            "Seen before the verification (captured %(when)s UTC): %(what)s",
            when=f"{format_day_month(moment.date())} {moment:%H:%M}",
            what=found.group(2),
        )
    if found := _MORE_SERIOUS.fullmatch(body):
        return _more_serious_read(found)
    if found := _VERIFIED.fullmatch(body):
        return _verified_read(found)
    if found := _TOOK.fullmatch(body):
        return _("%(name)s took the ticket.", name=found.group(1))
    return body


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


# What the server writes for an answer past its limit after the item's question
# (sync/past_limits.py): "scored 2", "failed", "reading 4.2 is outside …", then ": <note>".
_ANSWER_PAST_LIMIT = re.compile(r"(?:scored \d+|failed|reading [^:]*)(?:: (?P<note>.*))?", re.S)


def _seen_text(finding: Finding) -> str:
    """What the person wrote they saw, or '' where the words were made for them (the answer
    past its limit, "(see photos)" for a finding of photos only)."""
    text = " ".join(finding.description.split())
    prompt = " ".join(finding.item.prompt.split()) if finding.item is not None else None
    if text == RULES["empty_finding_photo_text"] or text == f"{prompt} (see photos)":
        return ""
    if prompt and text.startswith(f"{prompt} — "):
        made = _ANSWER_PAST_LIMIT.fullmatch(text[len(prompt) + 3 :])
        if made:
            return (made["note"] or "").strip()
    return text


def _worst_answer(findings: list[Finding]) -> str:
    """'<question> — scored 1' for the lowest score (or the first failed check or reading)
    among the answers behind these findings."""
    pairs = {(f.audit_id, f.item_id): f.item for f in findings if f.audit_id and f.item_id}
    if not pairs:
        return ""
    responses = db.session.scalars(
        sa.select(Response).where(
            sa.or_(*(sa.and_(Response.audit_id == a, Response.item_id == i) for a, i in pairs))
        )
    ).all()
    worst: tuple[int, str] | None = None
    for response in responses:
        item = pairs[(response.audit_id, response.item_id)]
        rules = {
            "response_type": item.response_type,
            "ticket_threshold": item.ticket_threshold,
            "min": item.min_value,
            "max": item.max_value,
        }
        answer = {
            "score": response.score,
            "value_bool": response.value_bool,
            "value_number": response.value_number,
        }
        if problem := past_limits(rules, answer):
            rank = response.score if response.score is not None else -1
            if worst is None or rank < worst[0]:
                worst = (rank, f"{' '.join(item.prompt.split())} — {problem}")
    return worst[1] if worst else ""


def refresh_title(ticket: KaizenTicket, joining: Finding) -> None:
    """A ticket's title is what was seen: the first finding's own words, else the item with its
    worst answer ("… — scored 1"), kept current as findings join; once the team wrote the
    title (or the problem), theirs stays."""
    if ticket.title_edited:
        return
    attached = db.session.scalars(
        sa.select(Finding)
        .where(Finding.ticket_id == ticket.id, Finding.id != joining.id)
        .order_by(Finding.observed_at, Finding.id)
    ).all()
    findings = sorted([*attached, joining], key=lambda f: (f.observed_at, f.id))
    seen = next((text for f in findings if (text := _seen_text(f))), "")
    title = seen or _worst_answer(findings)
    if title:
        ticket.title = _title(title)


def _same_problem(finding: Finding, item_key: str | None, same_as: int | None):
    """The conditions a ticket must meet to be this finding's problem, or None: no ticket is."""
    conditions = [KaizenTicket.area_id == finding.area_id]
    if item_key is not None:
        return [*conditions, KaizenTicket.kind == finding.kind, KaizenTicket.item_key == item_key]
    if same_as is not None:
        return [*conditions, KaizenTicket.number == same_as]
    return None


def _attach(ticket: KaizenTicket, finding: Finding) -> None:
    finding.ticket_id = ticket.id
    db.session.execute(
        sa.update(Photo)
        .where(Photo.finding_id == finding.id)
        .values(ticket_id=ticket.id, role="before")
    )


def ticket_for_finding(
    finding: Finding, now: datetime | None = None, same_as: int | None = None
) -> TicketOutcome:
    """Apply the rules to a stored finding; the caller's transaction commits.

    ``same_as`` is the number of the ticket the person chose as the same problem (for a finding
    that belongs to no checklist item)."""
    if finding.id is None:
        db.session.flush()
    # One flush at the end instead of one before every query (the demo seed and big batches
    # store hundreds of findings in one session).
    with db.session.no_autoflush:
        outcome = _apply_rules(finding, now or utcnow(), same_as)
    db.session.flush()
    return outcome


def _due_date(finding: Finding, days: int) -> date:
    """Days after the finding, counted from its date at its area's site."""
    return site_today(finding.area.site, finding.observed_at) + timedelta(days=days)


def _due_days(config) -> dict[str, int]:
    return {**DUE_DAYS_BY_SEVERITY, **config["TICKET_DUE_DAYS"]}


def _apply_rules(finding: Finding, now: datetime, same_as: int | None) -> TicketOutcome:
    config = current_app.config
    item_key = finding.item.key if finding.item_id is not None else None
    # Serialise findings of one area (a no-op on SQLite, which holds the write lock already).
    # FOR NO KEY UPDATE, not FOR UPDATE: storing the finding already took a KEY SHARE lock on
    # the area (its foreign key), which FOR UPDATE would wait on in the other transaction too.
    db.session.execute(
        sa.select(Area.id).where(Area.id == finding.area_id).with_for_update(key_share=True)
    )
    same = _same_problem(finding, item_key, same_as)
    critical = finding.severity == "critical"
    if same is None:
        return TicketOutcome(_open_ticket(finding, item_key, now, config), "opened", critical)

    open_ticket = db.session.scalar(
        sa.select(KaizenTicket)
        .where(*same, KaizenTicket.status.in_(OPEN_TICKET_STATUSES))
        .order_by(KaizenTicket.opened_at.desc())
        .limit(1)
    )
    if open_ticket is not None:
        raised = _join(open_ticket, finding, now, config)
        return TicketOutcome(open_ticket, "joined", raised)

    recurrence_days = config["TICKET_RECURRENCE_DAYS"]
    verified = db.session.scalar(
        sa.select(KaizenTicket)
        .where(
            *same,
            KaizenTicket.status == "verified",
            KaizenTicket.verified_at >= finding.observed_at - timedelta(days=recurrence_days),
        )
        .order_by(KaizenTicket.verified_at.desc())
        .limit(1)
    )
    if verified is not None and finding.observed_at < verified.verified_at:
        _seen_before_verification(verified, finding, now)
        return TicketOutcome(verified, "joined")
    if verified is not None:
        raised = _raise_severity(verified, finding, now, config)
        return TicketOutcome(_reopen_as_recurred(verified, finding, now), "reopened", raised)
    return TicketOutcome(_open_ticket(finding, item_key, now, config), "opened", critical)


def _event(ticket: KaizenTicket, finding: Finding, now: datetime, kind: str, **values) -> None:
    db.session.add(
        TicketEvent(
            ticket=ticket,
            actor_id=finding.reported_by_id,
            kind=kind,
            occurred_at=finding.observed_at,
            created_at=now,
            **values,
        )
    )


def _tell(kind: str, ticket: KaizenTicket, finding: Finding, message: str) -> None:
    """Say what happened (``gemba_walk.notify`` decides who hears it; never the reporter)."""
    hooks.emit(kind, ticket=ticket, actor_id=finding.reported_by_id, message=message)


def _raise_severity(ticket: KaizenTicket, finding: Finding, now: datetime, config) -> bool:
    """The ticket takes the highest severity seen; its due date comes forward if that asks.
    True when that made the ticket critical."""
    if severity_rank(finding.severity) <= severity_rank(ticket.severity):
        return False
    changes: dict[str, list] = {"severity": [ticket.severity, finding.severity]}
    words = [  # stored in English whatever the request's language; read_event_body translates
        f"severity raised from {_english_label(ticket.severity)} to "
        f"{_english_label(finding.severity)}"
    ]
    ticket.severity = finding.severity
    ticket.priority = PRIORITY_BY_SEVERITY[finding.severity]
    due = _due_date(finding, _due_days(config)[finding.severity])
    if ticket.due_date is None or due < ticket.due_date:
        old = ticket.due_date
        changes["due_date"] = [old.isoformat() if old else None, due.isoformat()]
        was = f" (was {old:%d %b %Y})" if old else ""
        words.append(f"due date brought forward to {due:%d %b %Y}{was}")
        ticket.due_date = due
    ticket.updated_at = now
    _event(
        ticket,
        finding,
        now,
        "fields",
        changes=changes,
        body="A more serious occurrence: " + "; ".join(words) + ".",
    )
    return ticket.severity == "critical"


def _join(ticket: KaizenTicket, finding: Finding, now: datetime, config) -> bool:
    """The finding joins the open ticket; True when it made the ticket critical."""
    ticket.occurrences += 1
    _attach(ticket, finding)
    refresh_title(ticket, finding)
    _event(
        ticket,
        finding,
        now,
        "occurrence",
        body=f"Seen again ({ordinal(ticket.occurrences)} occurrence): {finding.description}",
    )
    raised = _raise_severity(ticket, finding, now, config)
    if ticket.status == "done":
        # The fix waits for verification, yet the problem is visibly back: not verifiable now.
        _event(
            ticket,
            finding,
            now,
            "status",
            from_status="done",
            to_status="in_progress",
            body="Seen again before verification — back to the team.",
        )
        ticket.status = "in_progress"
        ticket.done_at = None
        ticket.updated_at = now
        _tell(
            "ticket.seen_again",
            ticket,
            finding,
            said(
                N_(
                    "%(number)s was seen again before verification and is back in progress: "
                    "%(title)s"
                ),
                number=ticket.display_number,
                title=Problem(_title(finding.description)),
            ),
        )
    return raised


def _seen_before_verification(ticket: KaizenTicket, finding: Finding, now: datetime) -> None:
    """A sighting from before the fix was verified: part of the story, not a recurrence."""
    ticket.occurrences += 1
    _attach(ticket, finding)
    _event(
        ticket,
        finding,
        now,
        "occurrence",
        body=f"Seen before the verification (captured {finding.observed_at:%d %b %H:%M} UTC): "
        f"{finding.description}",
    )
    ticket.updated_at = now


def _reopen_as_recurred(ticket: KaizenTicket, finding: Finding, now: datetime) -> KaizenTicket:
    ticket.occurrences += 1
    ticket.recurred = True
    _event(
        ticket,
        finding,
        now,
        "recurred",
        from_status=ticket.status,
        to_status="reopened",
        body="Recurred — the countermeasure did not hold: " + finding.description,
    )
    ticket.status = "reopened"
    ticket.updated_at = now
    _attach(ticket, finding)
    refresh_title(ticket, finding)
    message = said(
        N_("%(number)s recurred — the countermeasure did not hold: %(title)s"),
        number=ticket.display_number,
        title=Problem(_title(finding.description)),
    )
    _tell("ticket.recurred", ticket, finding, message)
    return ticket


def _open_ticket(finding: Finding, item_key: str | None, now: datetime, config) -> KaizenTicket:
    area = db.session.get(Area, finding.area_id)
    due_days = _due_days(config)
    ticket = KaizenTicket(
        number=next_ticket_number(),
        area_id=area.id,
        kind=finding.kind,
        category=finding.category,
        item_key=item_key,
        title=_title(finding.description),
        problem=finding.description,
        severity=finding.severity,
        priority=PRIORITY_BY_SEVERITY[finding.severity],
        status="open",
        owner_id=area.owner_id,
        created_by_id=finding.reported_by_id,
        due_date=_due_date(finding, due_days[finding.severity]),
        opened_at=now,
        updated_at=now,
        first_observed_at=finding.observed_at,
    )
    db.session.add(ticket)
    db.session.flush()
    db.session.add(
        TicketEvent(
            ticket=ticket,
            actor_id=finding.reported_by_id,
            kind="created",
            to_status="open",
            body=finding.description,
            occurred_at=finding.observed_at,
            created_at=now,
        )
    )
    _attach(ticket, finding)
    refresh_title(ticket, finding)
    opened = said(
        N_("%(number)s opened: %(title)s"),
        number=ticket.display_number,
        title=Problem(ticket.title),
    )
    _tell("ticket.opened", ticket, finding, opened)
    return ticket

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

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Finding, Photo
from gemba_walk.core import hooks
from gemba_walk.core.i18n import Problem, said
from gemba_walk.core.ids import utcnow
from gemba_walk.core.localtime import site_today
from gemba_walk.extensions import db
from gemba_walk.field_rules import severity_rank
from gemba_walk.lean import DUE_DAYS_BY_SEVERITY, N_, OPEN_TICKET_STATUSES
from gemba_walk.tickets import history
from gemba_walk.tickets.models import KaizenTicket
from gemba_walk.tickets.numbering import next_ticket_number
from gemba_walk.tickets.titles import one_line, refresh_title

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


def _event(ticket: KaizenTicket, finding: Finding, now: datetime, kind: str, **data) -> None:
    history.record(
        ticket,
        kind,
        finding.reported_by_id,
        occurred_at=finding.observed_at,
        created_at=now,
        **data,
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
    ticket.severity = finding.severity
    ticket.priority = PRIORITY_BY_SEVERITY[finding.severity]
    due = _due_date(finding, _due_days(config)[finding.severity])
    if ticket.due_date is None or due < ticket.due_date:
        old = ticket.due_date
        changes["due_date"] = [old.isoformat() if old else None, due.isoformat()]
        ticket.due_date = due
    ticket.updated_at = now
    _event(ticket, finding, now, "severity_raised", **changes)
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
        "seen_again",
        occurrence=ticket.occurrences,
        text=finding.description,
    )
    raised = _raise_severity(ticket, finding, now, config)
    if ticket.status == "done":
        # The fix waits for verification, yet the problem is visibly back: not verifiable now.
        _event(ticket, finding, now, "back_to_team", **{"from": "done", "to": "in_progress"})
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
                title=Problem(one_line(finding.description)),
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
        "seen_before_verification",
        captured=history.moment(finding.observed_at),
        text=finding.description,
    )
    ticket.updated_at = now


def _reopen_as_recurred(ticket: KaizenTicket, finding: Finding, now: datetime) -> KaizenTicket:
    ticket.occurrences += 1
    ticket.recurred = True
    moved = {"from": ticket.status, "to": "reopened"}
    _event(ticket, finding, now, "recurred", **moved, text=finding.description)
    ticket.status = "reopened"
    ticket.updated_at = now
    _attach(ticket, finding)
    refresh_title(ticket, finding)
    message = said(
        N_("%(number)s recurred — the countermeasure did not hold: %(title)s"),
        number=ticket.display_number,
        title=Problem(one_line(finding.description)),
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
        title=one_line(finding.description),
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
    _event(ticket, finding, now, "opened", text=finding.description)
    _attach(ticket, finding)
    refresh_title(ticket, finding)
    opened = said(
        N_("%(number)s opened: %(title)s"),
        number=ticket.display_number,
        title=Problem(ticket.title),
    )
    _tell("ticket.opened", ticket, finding, opened)
    return ticket

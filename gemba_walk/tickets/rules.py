"""From finding to kaizen ticket: open one, join the open one, or reopen a fix that did not hold.

Every finding stored (synced from a phone or entered on the web) passes through
``ticket_for_finding`` inside the transaction that stores it:

- an open ticket for the same area and the same checklist item (or, for a finding outside any
  item, the same kind and category) takes the finding: one more occurrence, its photos added;
- otherwise a ticket verified within ``TICKET_RECURRENCE_DAYS`` for that problem is reopened,
  marked recurred ("the countermeasure did not hold"), and its owner and verifier are told;
- otherwise a new ticket opens, numbered KZ-0001, KZ-0002... (never reused), due by severity,
  owned by the area's owner.

The area's row is locked first (PostgreSQL ``FOR NO KEY UPDATE``; SQLite holds the write lock),
so two phones syncing findings for one area at the same moment queue instead of opening two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Finding, Photo
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import DUE_DAYS_BY_SEVERITY, OPEN_TICKET_STATUSES
from gemba_walk.tickets.models import KaizenTicket, Notification, TicketEvent
from gemba_walk.tickets.numbering import next_ticket_number

PRIORITY_BY_SEVERITY = {"critical": 1, "high": 2, "medium": 3, "low": 4}
TITLE_LENGTH = 120


@dataclass(frozen=True)
class TicketOutcome:
    ticket: KaizenTicket
    outcome: str  # "opened", "joined" or "reopened"

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


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1].rstrip() + "…"


def _same_problem(finding: Finding, item_key: str | None):
    """The dedupe key: same area and the same checklist item, or same kind and category."""
    conditions = [KaizenTicket.area_id == finding.area_id]
    if item_key is not None:
        conditions.append(KaizenTicket.item_key == item_key)
    else:
        conditions += [
            KaizenTicket.item_key.is_(None),
            KaizenTicket.kind == finding.kind,
            KaizenTicket.category == finding.category,
        ]
    return conditions


def _attach(ticket: KaizenTicket, finding: Finding) -> None:
    finding.ticket_id = ticket.id
    db.session.execute(
        sa.update(Photo)
        .where(Photo.finding_id == finding.id)
        .values(ticket_id=ticket.id, role="before")
    )


def ticket_for_finding(finding: Finding, now: datetime | None = None) -> TicketOutcome:
    """Apply the rules to a stored finding; the caller's transaction commits."""
    if finding.id is None:
        db.session.flush()
    # One flush at the end instead of one before every query (the demo seed and big batches
    # store hundreds of findings in one session).
    with db.session.no_autoflush:
        outcome = _apply_rules(finding, now or utcnow())
    db.session.flush()
    return outcome


def _apply_rules(finding: Finding, now: datetime) -> TicketOutcome:
    config = current_app.config
    item_key = finding.item.key if finding.item_id is not None else None
    # Serialise findings of one area (a no-op on SQLite, which holds the write lock already).
    # FOR NO KEY UPDATE, not FOR UPDATE: storing the finding already took a KEY SHARE lock on
    # the area (its foreign key), which FOR UPDATE would wait on in the other transaction too.
    db.session.execute(
        sa.select(Area.id).where(Area.id == finding.area_id).with_for_update(key_share=True)
    )
    same = _same_problem(finding, item_key)

    open_ticket = db.session.scalar(
        sa.select(KaizenTicket)
        .where(*same, KaizenTicket.status.in_(OPEN_TICKET_STATUSES))
        .order_by(KaizenTicket.opened_at.desc())
        .limit(1)
    )
    if open_ticket is not None:
        open_ticket.occurrences += 1
        _attach(open_ticket, finding)
        db.session.add(
            TicketEvent(
                ticket=open_ticket,
                actor_id=finding.reported_by_id,
                kind="occurrence",
                body=f"Seen again ({ordinal(open_ticket.occurrences)} occurrence): "
                f"{finding.description}",
                occurred_at=finding.observed_at,
                created_at=now,
            )
        )
        return TicketOutcome(open_ticket, "joined")

    recurrence_days = config.get("TICKET_RECURRENCE_DAYS", 90)
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
    if verified is not None:
        return TicketOutcome(_reopen_as_recurred(verified, finding, now), "reopened")
    return TicketOutcome(_open_ticket(finding, item_key, now, config), "opened")


def _reopen_as_recurred(ticket: KaizenTicket, finding: Finding, now: datetime) -> KaizenTicket:
    ticket.occurrences += 1
    ticket.recurred = True
    db.session.add(
        TicketEvent(
            ticket=ticket,
            actor_id=finding.reported_by_id,
            kind="recurred",
            from_status=ticket.status,
            to_status="reopened",
            body="Recurred — the countermeasure did not hold: " + finding.description,
            occurred_at=finding.observed_at,
            created_at=now,
        )
    )
    ticket.status = "reopened"
    _attach(ticket, finding)
    message = (
        f"{ticket.display_number} recurred — the countermeasure did not hold: "
        f"{_title(finding.description)}"
    )
    for user_id in {ticket.owner_id, ticket.verified_by_id} - {None}:
        db.session.add(
            Notification(user_id=user_id, ticket=ticket, message=message, created_at=now)
        )
    return ticket


def _open_ticket(finding: Finding, item_key: str | None, now: datetime, config) -> KaizenTicket:
    area = db.session.get(Area, finding.area_id)
    due_days = {**DUE_DAYS_BY_SEVERITY, **config.get("TICKET_DUE_DAYS", {})}
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
        due_date=(finding.observed_at + timedelta(days=due_days[finding.severity])).date(),
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
    return ticket

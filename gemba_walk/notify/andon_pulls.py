"""The andon pull of a critical finding: its area's leaders hear at once, on every channel
(once a ticket); a leader acknowledges it; unacknowledged after ``ANDON_ESCALATE_MINUTES`` it
goes to the next layer (checked every minute)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from gemba_walk.auth.models import User
from gemba_walk.core.database import write_transaction
from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import Problem, gettext, said
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import N_
from gemba_walk.notify.events import add_event
from gemba_walk.notify.models import AndonPull, NotifyEvent
from gemba_walk.tickets.models import KaizenTicket


def pull_andon(ticket: KaizenTicket, actor_id: int | None) -> NotifyEvent | None:
    """A critical finding: the area's leaders hear at once, on every channel (once a ticket)."""
    db.session.flush()
    if db.session.scalar(sa.select(AndonPull.id).where(AndonPull.ticket_id == ticket.id)):
        return None
    db.session.add(AndonPull(ticket_id=ticket.id, pulled_at=utcnow()))
    return add_event(
        "andon.pulled",
        ticket=ticket,
        actor_id=actor_id,
        message=said(
            N_("ANDON %(number)s in %(code)s · %(area)s: %(title)s"),
            number=ticket.display_number,
            code=ticket.area.code,
            area=ticket.area.name,
            title=Problem(ticket.title),
        ),
        key=f"andon:{ticket.id}",
    )


def check_andon(now: datetime | None = None) -> int:
    """An andon pull nobody acknowledged in time goes to the next layer."""
    now = now or utcnow()
    minutes = float(current_app.config["ANDON_ESCALATE_MINUTES"])
    made = 0
    with write_transaction():
        pulls = db.session.scalars(
            sa.select(AndonPull).where(
                AndonPull.acknowledged_at.is_(None),
                AndonPull.escalated_at.is_(None),
                AndonPull.pulled_at <= now - timedelta(minutes=minutes),
            )
        )
        for pull in pulls:
            ticket = pull.ticket
            pull.escalated_at = now
            add_event(
                "andon.escalated",
                ticket=ticket,
                message=said(
                    N_(
                        "ANDON not acknowledged for %(minutes)s min: "
                        "%(number)s in %(code)s · %(area)s: %(title)s"
                    ),
                    minutes=f"{minutes:g}",
                    number=ticket.display_number,
                    code=ticket.area.code,
                    area=ticket.area.name,
                    title=Problem(ticket.title),
                ),
                key=f"andon-escalated:{ticket.id}",
            )
            made += 1
    return made


def acknowledge_andon(ticket: KaizenTicket, user: User) -> AndonPull:
    if not user.is_leader:
        raise DomainError(403, "not_allowed", gettext("Only a leader acknowledges an andon pull."))
    with write_transaction():
        pull = db.session.scalar(
            sa.select(AndonPull).where(AndonPull.ticket_id == ticket.id).with_for_update()
        )
        if pull is None:
            raise DomainError(
                404,
                "no_andon",
                gettext("%(number)s pulled no andon.", number=ticket.display_number),
            )
        if pull.acknowledged_at is None:
            pull.acknowledged_at = utcnow()
            pull.acknowledged_by_id = user.id
    return pull

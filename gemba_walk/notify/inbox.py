"""The inbox as people read it: one line per ticket, never the same ticket twice (its unread
andon pull first, else its newest unread notification, else its newest); the bell counts those
lines. Events without a ticket (walks, andon reports, summaries) are a line each. Opening a
ticket marks what the inbox said of it read (``mark_ticket_read``, called by the ticket page)."""

from __future__ import annotations

import sqlalchemy as sa

from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.notify.models import Delivery, NotifyEvent

# Ranks above every delivery id: an unread andon first, then anything unread, then the newest.
_STEP = 10**12


def _newest_per_ticket(user_id: int, unread_only: bool):
    """One delivery id per ticket (an event without a ticket is its own group): the newest
    unread andon pull, else the newest unread, else the newest."""
    group = sa.func.coalesce(NotifyEvent.ticket_id, -Delivery.id)
    unread = Delivery.read_at.is_(None)
    delivery_id = sa.cast(Delivery.id, sa.BigInteger)  # PostgreSQL: past 2^31 - 1
    rank = sa.case(
        (sa.and_(unread, NotifyEvent.urgent), delivery_id + sa.literal(2 * _STEP, sa.BigInteger)),
        (unread, delivery_id + sa.literal(_STEP, sa.BigInteger)),
        else_=delivery_id,
    )
    best = (
        sa.select(sa.func.max(rank).label("rank"))
        .join(NotifyEvent, Delivery.event_id == NotifyEvent.id)
        .where(Delivery.user_id == user_id, Delivery.channel == "inbox")
        .group_by(group)
    )
    if unread_only:
        best = best.where(unread)
    best = best.subquery()
    return sa.select(best.c.rank % sa.literal(_STEP, sa.BigInteger))


def notes(user_id: int, *, unread_only: bool = False, limit: int = 50) -> list[Delivery]:
    """The person's inbox lines, newest first."""
    return list(
        db.session.scalars(
            sa.select(Delivery)
            .where(Delivery.id.in_(_newest_per_ticket(user_id, unread_only)))
            .options(sa.orm.joinedload(Delivery.event).joinedload(NotifyEvent.ticket))
            .order_by(Delivery.created_at.desc(), Delivery.id.desc())
            .limit(limit)
        )
    )


def unread_count(user_id: int) -> int:
    """The bell's number: tickets (and other lines) with something unread."""
    query = sa.select(sa.func.count()).select_from(
        _newest_per_ticket(user_id, unread_only=True).subquery()
    )
    return db.session.scalar(query) or 0


def mark_ticket_read(user_id: int, ticket) -> None:
    """The person opened the ticket: what the inbox told them about it is read."""
    event_ids = sa.select(NotifyEvent.id).where(NotifyEvent.ticket_id == ticket.id)
    with write_transaction():
        db.session.execute(
            sa.update(Delivery)
            .where(
                Delivery.user_id == user_id,
                Delivery.channel == "inbox",
                Delivery.read_at.is_(None),
                Delivery.event_id.in_(event_ids),
            )
            .values(read_at=utcnow())
        )

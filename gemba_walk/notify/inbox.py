"""The inbox as people read it: one line per ticket (its newest notification), never the same
ticket twice; the bell counts those lines. Events without a ticket (walks, andon reports,
summaries) are a line each."""

from __future__ import annotations

import sqlalchemy as sa

from gemba_walk.extensions import db
from gemba_walk.notify.models import Delivery, NotifyEvent


def _newest_per_ticket(user_id: int, unread_only: bool):
    # One id per ticket (the newest); an event without a ticket is its own group.
    group = sa.func.coalesce(NotifyEvent.ticket_id, -Delivery.id)
    query = (
        sa.select(sa.func.max(Delivery.id))
        .join(NotifyEvent, Delivery.event_id == NotifyEvent.id)
        .where(Delivery.user_id == user_id, Delivery.channel == "inbox")
        .group_by(group)
    )
    if unread_only:
        query = query.where(Delivery.read_at.is_(None))
    return query


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

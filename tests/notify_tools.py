"""Reading what the notification jobs made: inbox rows, deliveries per channel."""

from __future__ import annotations

import sqlalchemy as sa

from gemba_walk.notify.models import Delivery, NotifyEvent


def inbox(db, ticket_id: int | None = None) -> list[tuple[int, str]]:
    """(user id, message) of every inbox notification, in order."""
    query = (
        sa.select(Delivery.user_id, NotifyEvent.message)
        .join(NotifyEvent, Delivery.event_id == NotifyEvent.id)
        .where(Delivery.channel == "inbox")
        .order_by(Delivery.id)
    )
    if ticket_id is not None:
        query = query.where(NotifyEvent.ticket_id == ticket_id)
    return [tuple(row) for row in db.session.execute(query)]


def deliveries(db, channel: str | None = None) -> list[tuple[str, int, str, str]]:
    """(event kind, user id, channel, status) of every delivery."""
    query = (
        sa.select(NotifyEvent.kind, Delivery.user_id, Delivery.channel, Delivery.status)
        .join(NotifyEvent, Delivery.event_id == NotifyEvent.id)
        .order_by(Delivery.id)
    )
    if channel is not None:
        query = query.where(Delivery.channel == channel)
    return [tuple(row) for row in db.session.execute(query)]

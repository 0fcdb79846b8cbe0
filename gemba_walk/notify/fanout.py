"""Fan an event out: one ``Delivery`` per (event, person, channel), unique in the database, so
a fan-out run twice makes nothing twice. Quiet hours and the digest hold a delivery until they
end, in the zone of the site the event is about (``core.localtime.site_zone``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from gemba_walk.areas.models import Area
from gemba_walk.auth.models import User
from gemba_walk.core import localtime
from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.notify import webhooks
from gemba_walk.notify.audience import recipients
from gemba_walk.notify.channels import email as email_channel
from gemba_walk.notify.events import replace_earlier
from gemba_walk.notify.models import Delivery, NotifyEvent, PushSubscription
from gemba_walk.notify.preferences import next_digest, preference, quiet_until, wants


def configured_channels(config) -> dict[str, bool]:
    return {"inbox": True, "email": email_channel.configured(config), "push": True}


def event_zone(event: NotifyEvent) -> ZoneInfo:
    """The zone of the site the event is about (its ticket's, or its area's); an event about no
    site (a webhook paused, a walk summary) takes the fallback zone."""
    site = None
    if event.ticket is not None:
        site = event.ticket.area.site
    elif (event.data or {}).get("area_id"):
        area = db.session.get(Area, event.data["area_id"])
        site = area.site if area is not None else None
    name = localtime.site_zone(site) if site is not None else localtime.fallback_zone()
    return localtime.zone(name)


def _insert_ignoring_duplicates(rows: list[dict]) -> None:
    if not rows:
        return
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Delivery).on_conflict_do_nothing(
        index_elements=["event_id", "user_id", "channel"]
    )
    db.session.execute(statement, rows)


def _row(event, user_id, channel, status, now, next_try_at=None, sent_at=None) -> dict:
    return {
        "event_id": event.id,
        "user_id": user_id,
        "channel": channel,
        "status": status,
        "attempts": 0,
        "next_try_at": next_try_at,
        "sent_at": sent_at,
        "last_error": "",
        "created_at": now,
    }


def _rows_for(event: NotifyEvent, user: User, pushes: bool, now: datetime, zone) -> list[dict]:
    """One person's deliveries of the event: the inbox always; e-mail and push as they chose,
    held through their quiet hours (e-mail to their digest); urgent ones never held."""
    config = current_app.config
    pref = preference(user.id)
    rows = [_row(event, user.id, "inbox", "sent", now, sent_at=now)]
    quiet = None if event.urgent else quiet_until(pref, now, zone)
    if (
        user.email
        and email_channel.configured(config)
        and (event.urgent or wants(pref, "email", event.kind))
    ):
        held = quiet
        if not event.urgent and pref.email_digest:
            held = next_digest(now, zone)
        rows.append(_row(event, user.id, "email", "held" if held else "pending", now, held))
    if pushes and (event.urgent or wants(pref, "push", event.kind)):
        rows.append(_row(event, user.id, "push", "held" if quiet else "pending", now, quiet))
    return rows


def fan_out_event(event_id: int, now: datetime | None = None) -> list[int]:
    """Make the event's deliveries (once: the key is unique); return the ids due to send now."""
    now = now or utcnow()
    with write_transaction():
        event = db.session.get(NotifyEvent, event_id)
        if event is None:
            return []
        if event.fanned_out_at is None:
            zone = event_zone(event)
            people = recipients(event)
            pushers = set(
                db.session.scalars(
                    sa.select(PushSubscription.user_id).where(PushSubscription.user_id.in_(people))
                )
            )
            rows = []
            for user in db.session.scalars(sa.select(User).where(User.id.in_(people))):
                rows += _rows_for(event, user, user.id in pushers, now, zone)
            _insert_ignoring_duplicates(rows)
            replace_earlier(event, people, now)  # escalated replaces overdue
            webhooks.add_deliveries(event)
            event.fanned_out_at = now
        due = db.session.scalars(
            sa.select(Delivery.id).where(
                Delivery.event_id == event_id,
                Delivery.status == "pending",
                Delivery.channel != "inbox",
            )
        )
        return list(due)

"""Events worth telling, their deliveries (one per event, person and channel), preferences,
push subscriptions, andon acknowledgements."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba_walk.auth.models import User
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.tickets.models import KaizenTicket

CHANNELS = ("inbox", "email", "push")
DELIVERY_STATES = ("pending", "sending", "held", "sent", "failed", "skipped")


class NotifyEvent(db.Model):
    """Something that happened and that people may hear of; written in the transaction that
    made it happen (an outbox), fanned out by a job after the commit."""

    __tablename__ = "notify_events"
    __table_args__ = (sa.Index("ix_notify_events_pending", "fanned_out_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Periodic checks (overdue, due soon, escalations) name their event so a second run of the
    # check adds nothing: e.g. "overdue:42:2026-11-26".
    key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    ticket_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kaizen_tickets.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    # Andon pulls and escalations pass quiet hours and digests.
    urgent: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict | None] = mapped_column(sa.JSON)  # what a webhook carries beyond the ticket
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fanned_out_at: Mapped[datetime | None]

    ticket: Mapped[KaizenTicket | None] = relationship()


class Delivery(db.Model):
    """One event to one person on one channel. ``key`` is unique: a job run twice finds the row
    and sends nothing again. The inbox channel's rows are the in-app notifications."""

    __tablename__ = "notify_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "user_id", "channel", name="uq_delivery_once"),
        sa.CheckConstraint(sa.column("channel").in_(CHANNELS), name="channel_known"),
        sa.CheckConstraint(sa.column("status").in_(DELIVERY_STATES), name="status_known"),
        sa.Index("ix_notify_deliveries_inbox", "user_id", "channel", "read_at"),
        sa.Index("ix_notify_deliveries_due", "status", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("notify_events.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(8), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime | None]  # held: when quiet hours end or the digest goes
    claim: Mapped[str | None] = mapped_column(sa.String(36))  # the job sending it now
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[NotifyEvent] = relationship()
    user: Mapped[User] = relationship()

    @property
    def key(self) -> str:
        return f"{self.event_id}:{self.user_id}:{self.channel}"


class NotifyPreference(db.Model):
    """A person's choices: which events on which channel, quiet hours, e-mail now or daily."""

    __tablename__ = "notify_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    # {"email": ["ticket.assigned", ...], "push": [...]}; None: the defaults.
    channels: Mapped[dict | None] = mapped_column(sa.JSON)
    quiet_start: Mapped[str | None] = mapped_column(sa.String(5))  # "22:00", plant local time
    quiet_end: Mapped[str | None] = mapped_column(sa.String(5))
    email_digest: Mapped[bool] = mapped_column(default=False)  # one e-mail a day instead
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PushSubscription(db.Model):
    """One device's Web Push subscription; removed when its push service answers 404/410."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    endpoint: Mapped[str] = mapped_column(sa.String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(sa.String(200))
    auth: Mapped[str] = mapped_column(sa.String(100))
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]


class AndonPull(db.Model):
    """A critical (safety) finding's ticket: who acknowledged it and when; escalated when no
    one did in time."""

    __tablename__ = "andon_pulls"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("kaizen_tickets.id"), unique=True)
    pulled_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]

    ticket: Mapped[KaizenTicket] = relationship()
    acknowledged_by: Mapped[User | None] = relationship()


WEBHOOK_STATES = ("pending", "sending", "sent", "failed")


class WebhookEndpoint(db.Model):
    """An HTTPS address an admin registered for some events; paused after failing in a row."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    secret: Mapped[str] = mapped_column(sa.String(100))  # "whsec_" + base64 of 24 random bytes
    events: Mapped[list] = mapped_column(sa.JSON)  # ["ticket.opened", ...]
    active: Mapped[bool] = mapped_column(default=True)
    paused_at: Mapped[datetime | None]
    pause_reason: Mapped[str] = mapped_column(sa.Text, default="")
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(db.Model):
    """One event to one endpoint: its signed body fixed when made, every try's answer kept."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_delivery_once"),
        sa.CheckConstraint(sa.column("status").in_(WEBHOOK_STATES), name="status_known"),
        sa.Index("ix_webhook_deliveries_due", "status", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoints.id"), index=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("notify_events.id"))
    msg_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(40))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(8), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime | None]
    claim: Mapped[str | None] = mapped_column(sa.String(36))
    claimed_at: Mapped[datetime | None]
    response_status: Mapped[int | None]
    response_body: Mapped[str] = mapped_column(sa.Text, default="")
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    endpoint: Mapped[WebhookEndpoint] = relationship()


class LegacyNotification(db.Model):
    """The "For you" notifications from before this package, as they were: migration
    160744934b6e copied them into the inbox and keeps the table, so an upgrade loses no row.
    Nothing reads or writes it any more."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("kaizen_tickets.id"), index=True)
    message: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

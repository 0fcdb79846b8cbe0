"""A person's notification choices and push subscriptions, checked before they are kept, and
what they mean for one delivery: the channels they keep, their quiet hours and digest hour in
the plant's local time."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from gemba_walk.auth.models import User
from gemba_walk.core.database import lock, write_transaction
from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.notify import egress
from gemba_walk.notify.channels import push as push_channel
from gemba_walk.notify.kinds import EVENT_KINDS, SUMMARY_KIND
from gemba_walk.notify.models import NotifyPreference, PushSubscription

CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
B64URL = re.compile(r"^[A-Za-z0-9_\-]+=*$")


class PreferenceError(DomainError):
    """A choice that cannot be kept; nothing was saved."""


def preference(user_id: int) -> NotifyPreference:
    return db.session.get(NotifyPreference, user_id) or NotifyPreference(user_id=user_id)


def wants(pref: NotifyPreference, channel: str, kind: str) -> bool:
    """Defaults: every event on every channel; a saved choice lists the kinds kept."""
    if pref.channels is None or channel not in pref.channels:
        return True
    kind = "ticket.overdue" if kind in ("ticket.overdue_escalated", SUMMARY_KIND) else kind
    return kind in pref.channels[channel]


def _clock(text: str | None) -> time | None:
    try:
        return time.fromisoformat(text) if text else None
    except ValueError:
        return None


def quiet_until(pref: NotifyPreference, now: datetime, zone: ZoneInfo) -> datetime | None:
    """If ``now`` (naive UTC) is inside the person's quiet hours, when they end (naive UTC)."""
    start, end = _clock(pref.quiet_start), _clock(pref.quiet_end)
    if start is None or end is None or start == end:
        return None
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    until = datetime.combine(local.date(), end, tzinfo=zone)
    if until <= local:
        until += timedelta(days=1)
    return until.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def next_digest(now: datetime, zone: ZoneInfo) -> datetime:
    """When the daily digest goes out next: ``NOTIFY_DIGEST_HOUR`` in the zone."""
    hour = int(current_app.config["NOTIFY_DIGEST_HOUR"])
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    at = datetime.combine(local.date(), time(hour), tzinfo=zone)
    if at <= local:
        at += timedelta(days=1)
    return at.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def save_preferences(user: User, form) -> NotifyPreference:
    quiet_start = (form.get("quiet_start") or "").strip()
    quiet_end = (form.get("quiet_end") or "").strip()
    for value, name in ((quiet_start, _("Quiet from")), (quiet_end, _("Quiet until"))):
        if value and not CLOCK.match(value):
            raise PreferenceError(
                422, "invalid_time", _("%(name)s must be a time such as 22:00.", name=name)
            )
    if bool(quiet_start) != bool(quiet_end):
        raise PreferenceError(
            422, "half_quiet_hours", _("Give both ends of the quiet hours, or neither.")
        )
    channels = {
        channel: sorted(kind for kind in EVENT_KINDS if form.get(f"{channel}:{kind}"))
        for channel in ("email", "push")
    }
    with write_transaction():
        pref = db.session.get(NotifyPreference, user.id)
        if pref is None:
            pref = NotifyPreference(user_id=user.id)
            db.session.add(pref)
        pref.channels = channels
        pref.quiet_start = quiet_start or None
        pref.quiet_end = quiet_end or None
        pref.email_digest = form.get("email_digest") == "1"
        pref.updated_at = utcnow()
    return pref


MAX_SUBSCRIPTIONS = 10  # devices per person; a new one beyond drops the oldest


def save_push_subscription(user: User, data, user_agent: str) -> PushSubscription:
    """Keep a device's subscription (PushSubscription.toJSON()); the same endpoint is updated.

    The endpoint must be an address of a known push service under the egress policy, the keys a
    P-256 point and a 16-byte secret; an endpoint of another person is refused (409), never
    moved; a person keeps at most MAX_SUBSCRIPTIONS, the oldest dropped."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise PreferenceError(
            422, "invalid_subscription", _("Send the browser's push subscription as JSON.")
        )
    endpoint, keys = data.get("endpoint"), data["keys"]
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(endpoint, str) or len(endpoint) > 1000:
        raise PreferenceError(
            422, "invalid_endpoint", _("The subscription has no usable endpoint.")
        )
    try:
        push_channel.check_endpoint(endpoint)
    except egress.EgressRefused as refused:
        message = refused.message
        if refused.code == "not_https":
            message = _("A push endpoint must be an https:// URL.")
        raise PreferenceError(422, "invalid_endpoint", message) from refused
    for value, name, limit in ((p256dh, "p256dh", 200), (auth, "auth", 100)):
        if not isinstance(value, str) or not value or len(value) > limit or not B64URL.match(value):
            raise PreferenceError(
                422,
                "invalid_keys",
                _("The subscription's %(name)s key is not base64url text.", name=name),
            )
    try:
        push_channel.check_keys(p256dh, auth)
    except ValueError as wrong:
        if str(wrong) == "auth":
            message = _("The subscription's auth secret must be 16 bytes.")
        else:
            message = _("The subscription's p256dh key is not a P-256 public key.")
        raise PreferenceError(422, "invalid_keys", message) from wrong
    with write_transaction():
        lock(user)  # the same device subscribing twice at once: one row, not a 500
        sub = db.session.scalar(
            sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint)
        )
        if sub is not None and sub.user_id != user.id:
            raise PreferenceError(
                409,
                "endpoint_taken",
                _(
                    "This push subscription belongs to another person. Sign out there, or let "
                    "the browser make a new subscription."
                ),
            )
        values = {"user_id": user.id, "p256dh": p256dh, "auth": auth}
        values["user_agent"] = (user_agent or "")[:200]
        if sub is None:
            sub = PushSubscription(endpoint=endpoint, created_at=utcnow(), **values)
            db.session.add(sub)
            db.session.flush()
            older = db.session.scalars(
                sa.select(PushSubscription.id)
                .where(PushSubscription.user_id == user.id)
                .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
                .offset(MAX_SUBSCRIPTIONS)
            ).all()
            if older:
                db.session.execute(
                    sa.delete(PushSubscription).where(PushSubscription.id.in_(older))
                )
        else:
            for name, value in values.items():
                setattr(sub, name, value)
    return sub

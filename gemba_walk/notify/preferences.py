"""A person's notification choices and push subscriptions, checked before they are kept."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from gemba_walk.auth.models import User
from gemba_walk.core.database import lock, write_transaction
from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.notify.events import EVENT_KINDS
from gemba_walk.notify.models import NotifyPreference, PushSubscription

CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
B64URL = re.compile(r"^[A-Za-z0-9_\-]+=*$")


class PreferenceError(DomainError):
    """A choice that cannot be kept; nothing was saved."""


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


def save_push_subscription(user: User, data, user_agent: str) -> PushSubscription:
    """Keep a device's subscription (PushSubscription.toJSON()); the same endpoint is updated."""
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
    parts = urlsplit(endpoint)
    allow_http = current_app.config.get("PUSH_ALLOW_HTTP_ENDPOINTS")
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        raise PreferenceError(
            422, "invalid_endpoint", _("A push endpoint must be an https:// URL.")
        )
    if not parts.hostname:
        raise PreferenceError(422, "invalid_endpoint", _("The push endpoint names no host."))
    for value, name, limit in ((p256dh, "p256dh", 200), (auth, "auth", 100)):
        if not isinstance(value, str) or not value or len(value) > limit or not B64URL.match(value):
            raise PreferenceError(
                422,
                "invalid_keys",
                _("The subscription's %(name)s key is not base64url text.", name=name),
            )
    with write_transaction():
        lock(user)  # the same device subscribing twice at once: one row, not a 500
        sub = db.session.scalar(
            sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint)
        )
        values = {"user_id": user.id, "p256dh": p256dh, "auth": auth}
        values["user_agent"] = (user_agent or "")[:200]
        if sub is None:
            sub = PushSubscription(endpoint=endpoint, **values)
            db.session.add(sub)
        else:
            for name, value in values.items():
                setattr(sub, name, value)
    return sub

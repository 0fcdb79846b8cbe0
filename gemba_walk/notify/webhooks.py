"""Webhooks: admins register HTTPS endpoints for event types; each event becomes one delivery
per endpoint with a body fixed when it is made, signed as the Standard Webhooks convention
does (``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256 of
"id.timestamp.body">`` with the endpoint's ``whsec_`` secret), retried with backoff from the
job queue, every answer logged; an endpoint failing ``WEBHOOK_PAUSE_AFTER`` times in a row is
paused and the admins are told."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from gemba_walk.auth.models import User
from gemba_walk.core.database import lock, write_transaction
from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import gettext, said
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import N_
from gemba_walk.notify import egress
from gemba_walk.notify.events import add_event
from gemba_walk.notify.models import NotifyEvent, WebhookDelivery, WebhookEndpoint

# Event types an endpoint may ask for, and the notification events that make each.
EVENT_TYPES: dict[str, str] = {
    "ticket.opened": N_("A kaizen ticket is opened"),
    "ticket.status_changed": N_("A ticket moves (started, done, verified, sent back, rejected…)"),
    "ticket.assigned": N_("A ticket gets an owner"),
    "andon.pulled": N_("A critical (safety) finding pulls the andon"),
    "audit.completed": N_("An audit or walk is synced"),
    "walk.missed": N_("A planned walk was missed (once planned walks exist)"),
}
STATUS_KINDS = {
    "ticket.started",
    "ticket.done",
    "ticket.verified",
    "ticket.sent_back",
    "ticket.reopened",
    "ticket.rejected",
    "ticket.recurred",
    "ticket.seen_again",
}
MAX_ATTEMPTS = 8


class WebhookError(DomainError):
    """An endpoint that cannot be registered; nothing was saved."""


def event_type(kind: str) -> str | None:
    if kind in STATUS_KINDS:
        return "ticket.status_changed"
    return kind if kind in EVENT_TYPES else None


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def check_url(url: str) -> str:
    """HTTPS, a public address (the egress policy), and not this server."""
    url = (url or "").strip() if isinstance(url, str) else ""
    if len(url) > 500:
        raise WebhookError(
            422, "invalid_url", gettext("The address is longer than 500 characters.")
        )
    insecure_ok = bool(current_app.config["WEBHOOK_ALLOW_INSECURE"])
    try:
        target = egress.parse(url, allow_http=insecure_ok)
        own = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or ""
        host = target.host
        if host in (own.lower(), "localhost") or host.endswith(".localhost"):
            raise WebhookError(
                422, "points_at_self", gettext("A webhook cannot point at this server itself.")
            )
        egress.resolve(target)
    except egress.EgressRefused as refused:
        raise WebhookError(422, refused.code, refused.message) from refused
    return url


def register_endpoint(admin: User, url: str, events: list[str], description: str = ""):
    if not admin.is_admin:
        raise WebhookError(403, "not_allowed", gettext("Only an admin registers webhooks."))
    url = check_url(url)
    unknown = set(events) - set(EVENT_TYPES)
    if unknown or not events:
        raise WebhookError(422, "invalid_events", gettext("Choose at least one event to send."))
    with write_transaction():
        endpoint = WebhookEndpoint(
            url=url,
            description=(description or "").strip()[:200],
            secret=new_secret(),
            events=sorted(set(events)),
            created_by_id=admin.id,
        )
        db.session.add(endpoint)
    return endpoint


def _drop_queued(endpoint_id: int, why: str) -> int:
    """A paused or turned-off endpoint sends nothing more: what waited is marked failed (resuming
    a pause queues it again)."""
    return db.session.execute(
        sa.update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.status.in_(("pending", "sending")),
            WebhookDelivery.claim.is_(None),
        )
        .values(status="failed", last_error=why)
    ).rowcount


def set_active(endpoint: WebhookEndpoint, active: bool | None = None) -> None:
    """Turn an endpoint on or off (None: the other way round, read under the row's lock, so two
    admins at once each flip it in turn); turned off, its queued deliveries are dropped."""
    with write_transaction():
        lock(endpoint)
        endpoint.active = (not endpoint.active) if active is None else active
        if not endpoint.active:
            _drop_queued(endpoint.id, "dropped: the webhook was turned off")


def resume_endpoint(endpoint: WebhookEndpoint) -> None:
    """Start again after a pause: what waited is sent at the next sweep."""
    with write_transaction():
        lock(endpoint)
        endpoint.paused_at = None
        endpoint.pause_reason = ""
        endpoint.consecutive_failures = 0
        db.session.execute(
            sa.update(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "failed")
            .values(status="pending", next_try_at=None, attempts=0)
        )


# --- fan-out and sending --------------------------------------------------------------------


def payload(event: NotifyEvent, kind: str) -> dict:
    data: dict = dict(event.data or {})
    ticket = event.ticket
    if ticket is not None:
        base = current_app.config["PUBLIC_BASE_URL"]
        data["ticket"] = {
            "number": ticket.number,
            "display_number": ticket.display_number,
            "title": ticket.title,
            "status": ticket.status,
            "severity": ticket.severity,
            "area": {"id": ticket.area_id, "code": ticket.area.code, "name": ticket.area.name},
            "site_id": ticket.area.site_id,
            "owner_id": ticket.owner_id,
            "due_date": ticket.due_date.isoformat() if ticket.due_date else None,
            "url": f"{base}/tickets/{ticket.number}",
        }
    data["event"] = event.kind
    data.pop("text", None)  # the sentence in other languages: for our own readers
    data["message"] = event.message
    return {"type": kind, "timestamp": event.created_at.isoformat() + "Z", "data": data}


def add_deliveries(event: NotifyEvent) -> int:
    """In the fan-out's transaction: one delivery per endpoint that asked for this event."""
    kind = event_type(event.kind)
    if kind is None:
        return 0
    endpoints = db.session.scalars(sa.select(WebhookEndpoint).where(WebhookEndpoint.active))
    made = 0
    for endpoint in endpoints:
        if kind not in endpoint.events:
            continue
        exists = db.session.scalar(
            sa.select(WebhookDelivery.id).where(
                WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.event_id == event.id
            )
        )
        if exists:
            continue
        body = json.dumps(payload(event, kind), separators=(",", ":"), ensure_ascii=False)
        db.session.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                event_id=event.id,
                msg_id=f"msg_{uuid.uuid4().hex}",
                event_type=kind,
                body=body,
            )
        )
        made += 1
    return made


def _left_by_a_dead_job(stale: datetime):
    return sa.and_(WebhookDelivery.status == "sending", WebhookDelivery.claimed_at < stale)


def _stale(now: datetime) -> datetime:
    # A claim older than this was left by a job that died.
    return now - timedelta(seconds=float(current_app.config["NOTIFY_CLAIM_SECONDS"]))


def due_ids(now: datetime) -> list[int]:
    stale = _stale(now)
    with write_transaction():  # a claim left by dead jobs after the last try: give up on it
        db.session.execute(
            sa.update(WebhookDelivery)
            .where(_left_by_a_dead_job(stale), WebhookDelivery.attempts >= MAX_ATTEMPTS)
            .values(status="failed", claim=None, last_error="gave up: every try was cut short")
        )
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery.id)
            .join(WebhookEndpoint)
            .where(
                WebhookEndpoint.active,
                WebhookEndpoint.paused_at.is_(None),
                sa.or_(
                    sa.and_(
                        WebhookDelivery.status == "pending",
                        sa.or_(
                            WebhookDelivery.next_try_at.is_(None),
                            WebhookDelivery.next_try_at <= now,
                        ),
                    ),
                    sa.and_(
                        WebhookDelivery.status == "sending", WebhookDelivery.claimed_at < stale
                    ),
                ),
            )
            .order_by(WebhookDelivery.id)
        )
    )


def _claim(delivery_id: int, now: datetime) -> str | None:
    """Claim the delivery for this try (pending, or left by a dead job, on an endpoint that
    sends); None when it is not due."""
    token = str(uuid.uuid4())
    sending_allowed = (
        sa.select(WebhookEndpoint.id)
        .where(
            WebhookEndpoint.id == WebhookDelivery.endpoint_id,
            WebhookEndpoint.active,
            WebhookEndpoint.paused_at.is_(None),
        )
        .exists()
    )
    with write_transaction():
        claimed = db.session.execute(
            sa.update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                sending_allowed,
                WebhookDelivery.attempts < MAX_ATTEMPTS,
                sa.or_(WebhookDelivery.status == "pending", _left_by_a_dead_job(_stale(now))),
            )
            .values(
                status="sending",
                claim=token,
                claimed_at=now,
                attempts=WebhookDelivery.attempts + 1,
            )
        ).rowcount
    return token if claimed else None


def _post(url: str, secret: str, body: str, msg_id: str) -> tuple[int | None, str, str]:
    """Post the signed body: (status, the answer's start, the error) — never raises."""
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GembaWalk-Webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }
    insecure_ok = bool(current_app.config["WEBHOOK_ALLOW_INSECURE"])
    try:
        # The egress policy: the address checked again now (a name may answer differently than
        # at registration), a total deadline, a cap on what is read, no redirects.
        response = egress.post(url, body.encode(), headers, allow_http=insecure_ok)
    except egress.EgressRefused as refused:
        return None, "", f"refused: {refused.message}"[:2000]
    except egress.EgressFailed as failure:
        return None, "", str(failure)[:2000]
    answer = response.text[:2000] + (" …" if response.truncated else "")
    return response.status, answer, ""


def _record(delivery_id: int, now: datetime, status: int | None, answer: str, error: str) -> str:
    """Log the answer; sent, or retried later with backoff (the endpoint paused after too many
    failures in a row)."""
    ok = status is not None and 200 <= status < 300
    with write_transaction():
        delivery = db.session.get(WebhookDelivery, delivery_id)
        endpoint = delivery.endpoint
        delivery.claim = None
        delivery.response_status = status
        delivery.response_body = answer
        delivery.last_error = error or ("" if ok else f"answered {status}")
        if ok:
            delivery.status = "sent"
            delivery.sent_at = now
            endpoint.consecutive_failures = 0
            return "sent"
        endpoint.consecutive_failures += 1
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "failed"
        else:
            delivery.status = "pending"
            delivery.next_try_at = now + timedelta(
                seconds=min(3600, 30 * 2 ** (delivery.attempts - 1))
            )
        limit = int(current_app.config["WEBHOOK_PAUSE_AFTER"])
        if endpoint.consecutive_failures >= limit and endpoint.paused_at is None:
            _pause(endpoint, now, delivery.last_error)
    return "retry"


def send(delivery_id: int, now: datetime | None = None) -> str:
    """Claim, post the signed body, log the answer; retry later or pause the endpoint."""
    now = now or utcnow()
    if _claim(delivery_id, now) is None:
        return "not due"
    delivery = db.session.get(WebhookDelivery, delivery_id)
    endpoint = delivery.endpoint
    url, secret, body, msg_id = endpoint.url, endpoint.secret, delivery.body, delivery.msg_id
    db.session.commit()  # no transaction held open while the network answers
    status, answer, error = _post(url, secret, body, msg_id)
    return _record(delivery_id, now, status, answer, error)


_PAUSE_REASON = re.compile(r"(\d+) deliveries in a row failed; last: (.*)", re.S)


def pause_reason_read(endpoint: WebhookEndpoint) -> str:
    """Why the webhook is paused, in the reader's language (the technical error as it came)."""
    found = _PAUSE_REASON.fullmatch(endpoint.pause_reason or "")
    if not found:
        return endpoint.pause_reason or ""
    return gettext(
        "%(count)s deliveries in a row failed; last: %(error)s",
        count=int(found.group(1)),
        error=found.group(2),
    )


def _pause(endpoint: WebhookEndpoint, now: datetime, last_error: str) -> None:
    endpoint.paused_at = now
    _drop_queued(endpoint.id, "dropped: the webhook was paused")
    endpoint.pause_reason = (  # stored in English; the webhook page reads it (pause_reason_read)
        f"{endpoint.consecutive_failures} deliveries in a row failed; last: {last_error}"
    )
    add_event(
        "webhook.paused",
        message=said(
            N_(
                "Webhook to %(url)s is paused after %(count)s failed deliveries in a row "
                "(%(error)s). Resume it on the admin's webhook page."
            ),
            url=endpoint.url,
            count=endpoint.consecutive_failures,
            error=last_error,
        ),
        key=f"webhook-paused:{endpoint.id}:{now.isoformat()}",
    )

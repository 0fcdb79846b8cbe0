"""Sending deliveries: each is claimed (status ``sending``) before it is sent and marked
``sent`` after; a claim left by a killed job is taken over after ``NOTIFY_CLAIM_SECONDS``. The
one window left — killed after the SMTP server accepted a mail and before ``sent`` was written —
re-sends that mail with the same Message-ID. What quiet hours or the digest held is released
when due, e-mail as one mail a person."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from gemba_walk.auth.models import User
from gemba_walk.core.database import write_transaction
from gemba_walk.core.i18n import event_message, force_locale, gettext, ngettext, reader_language
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.notify.channels import Gone, Retry
from gemba_walk.notify.channels import email as email_channel
from gemba_walk.notify.channels import push as push_channel
from gemba_walk.notify.kinds import SUMMARY_KIND
from gemba_walk.notify.models import Delivery, NotifyEvent, PushSubscription

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def stale_claims_before(now: datetime) -> datetime:
    """A claim made before this was left by a job that died: it is taken over."""
    return now - timedelta(seconds=float(current_app.config["NOTIFY_CLAIM_SECONDS"]))


def _claim(where, now: datetime) -> str | None:
    """Claim the rows ``where`` picks (pending and due, or left by a dead job); None if none."""
    token = str(uuid.uuid4())
    stale = stale_claims_before(now)
    with write_transaction():
        claimed = db.session.execute(
            sa.update(Delivery)
            .where(
                where,
                Delivery.attempts < MAX_ATTEMPTS,
                sa.or_(
                    sa.and_(
                        Delivery.status == "pending",
                        sa.or_(Delivery.next_try_at.is_(None), Delivery.next_try_at <= now),
                    ),
                    sa.and_(Delivery.status == "sending", Delivery.claimed_at < stale),
                ),
            )
            .values(status="sending", claim=token, claimed_at=now, attempts=Delivery.attempts + 1)
        ).rowcount
    return token if claimed else None


def _finish(token: str, status: str, now: datetime, error: str = "", retry: bool = False):
    with write_transaction():
        for delivery in db.session.scalars(sa.select(Delivery).where(Delivery.claim == token)):
            if retry and delivery.attempts < MAX_ATTEMPTS:
                delivery.status = "pending"
                # 30 s, 1, 2, 4 … minutes, at most an hour
                delay = min(3600, 30 * 2 ** (delivery.attempts - 1))
                delivery.next_try_at = now + timedelta(seconds=delay)
            else:
                delivery.status = "failed" if retry else status
            if status == "sent" and not retry:
                delivery.sent_at = now
            delivery.last_error = error[:2000]
            delivery.claim = None


def deliver(delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery unless it is sent, being sent, or not due. Returns what happened."""
    now = now or utcnow()
    token = _claim(Delivery.id == delivery_id, now)
    if token is None:
        return "not due"
    return _send_claimed(token, now)


def _send_claimed(token: str, now: datetime) -> str:
    config = current_app.config
    deliveries = list(
        db.session.scalars(
            sa.select(Delivery)
            .where(Delivery.claim == token)
            .options(sa.orm.joinedload(Delivery.event), sa.orm.joinedload(Delivery.user))
            .order_by(Delivery.id)
        )
    )
    db.session.commit()  # no transaction held open while the network answers
    if not deliveries:
        return "not due"
    first = deliveries[0]
    try:
        if first.channel == "email":
            _send_email(config, first.user, deliveries, token)
        elif first.channel == "push":
            with force_locale(reader_language(first.user)):
                _send_push(config, first.user_id, first.event)
    except Retry as error:
        logger.warning("Delivery %s will be retried: %s", first.key, error)
        _finish(token, "pending", now, str(error), retry=True)
        return "retry"
    except Gone as error:
        _finish(token, "skipped", now, str(error))
        return "gone"
    except Exception as error:  # a job that fails never stops the others: record, retry later
        logger.exception("Delivery %s failed", first.key)
        db.session.rollback()
        _finish(token, "pending", now, f"{type(error).__name__}: {error}", retry=True)
        return "error"
    _finish(token, "sent", now)
    return "sent"


def item_of(event: NotifyEvent) -> dict:
    base = current_app.config["PUBLIC_BASE_URL"]
    url = f"{base}/tickets/{event.ticket.number}" if event.ticket is not None else f"{base}/"
    if event.kind in ("andon.reported", "andon.flooded"):  # reports from a label: triage
        url = f"{base}/andon/triage"
    elif event.kind == SUMMARY_KIND:
        url = f"{base}/tickets?overdue=1"
    return {"message": event_message(event), "url": url, "urgent": event.urgent}


def _send_email(config, user: User, deliveries: list[Delivery], token: str) -> None:
    # In the recipient's language (their choice; English when they made none): the subject,
    # each event's sentence and the mail's own words.
    with force_locale(reader_language(user)):
        items = [item_of(d.event) for d in deliveries]
        if len(items) == 1:
            subject = items[0]["message"]
            subject = subject if len(subject) <= 110 else subject[:109] + "…"
        else:
            subject = ngettext(
                "Gemba Walk: %(num)d thing for you",
                "Gemba Walk: %(num)d things for you",
                len(items),
            )
        message_id = "gemba." + ".".join(str(d.id) for d in deliveries[:20])
        email_channel.send(config, user.email, subject, items, message_id)


def _send_push(config, user_id: int, event: NotifyEvent) -> None:
    vapid = push_channel.load_or_create_vapid(current_app.instance_path)
    subject = config["VAPID_SUBJECT"] or f"mailto:admin@{_host(config)}"
    item = item_of(event)
    payload = {
        "title": gettext("Andon — Gemba Walk") if event.urgent else "Gemba Walk",
        "body": item["message"],
        "url": item["url"].removeprefix(config["PUBLIC_BASE_URL"]) or "/",
        "tag": f"ticket-{event.ticket.number}" if event.ticket is not None else event.kind,
    }
    subscriptions = list(
        db.session.scalars(sa.select(PushSubscription).where(PushSubscription.user_id == user_id))
    )
    db.session.commit()
    sent = gone = 0
    retry: Retry | None = None
    for sub in subscriptions:
        info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
        try:
            push_channel.send(vapid, subject, info, payload, event.urgent)
            sent += 1
        except Gone as error:  # it never works again: removed (its owner subscribes anew)
            logger.warning("Push subscription %s removed: %s", sub.id, error)
            gone += 1
            with write_transaction():
                db.session.execute(sa.delete(PushSubscription).where(PushSubscription.id == sub.id))
        except Retry as error:
            retry = error
        except Exception as error:  # one subscription's fault stops neither the others nor the job
            logger.exception("Push to subscription %s failed", sub.id)
            db.session.rollback()
            retry = Retry(f"{type(error).__name__}: {error}")
    if retry is not None and sent == 0:
        raise retry
    if sent == 0 and gone:
        raise Gone("every push subscription of this person has expired")


def _host(config) -> str:
    return config["PUBLIC_BASE_URL"].split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]


def release_held(now: datetime | None = None) -> int:
    """Send what quiet hours or the digest held and is now due; e-mail as one mail a person."""
    now = now or utcnow()
    due = list(
        db.session.execute(
            sa.select(Delivery.id, Delivery.user_id, Delivery.channel).where(
                Delivery.status == "held", Delivery.next_try_at <= now
            )
        )
    )
    db.session.commit()
    by_person: dict[int, list[int]] = defaultdict(list)
    for delivery_id, user_id, channel in due:
        if channel == "email":
            by_person[user_id].append(delivery_id)
        else:
            with write_transaction():
                db.session.execute(
                    sa.update(Delivery)
                    .where(Delivery.id == delivery_id, Delivery.status == "held")
                    .values(status="pending", next_try_at=None)
                )
            try:
                deliver(delivery_id, now)
            except Exception:
                logger.exception("Held delivery %s failed; the others go on", delivery_id)
                db.session.rollback()
    for ids in by_person.values():
        try:
            with write_transaction():
                db.session.execute(
                    sa.update(Delivery)
                    .where(Delivery.id.in_(ids), Delivery.status == "held")
                    .values(status="pending", next_try_at=None)
                )
            token = _claim(Delivery.id.in_(ids), now)
            if token is not None:
                _send_claimed(token, now)
        except Exception:
            logger.exception("Held mail %s failed; the others go on", ids)
            db.session.rollback()
    return len(due)

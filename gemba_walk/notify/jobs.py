"""The background jobs (Huey): fan each event out and send its deliveries, and every minute
catch up on what was lost (events not fanned out, retries, claims of killed jobs, held ones now
due, webhooks), escalate unacknowledged andon pulls; every quarter hour the due and walk checks;
nightly, photos attached to nothing.

Everything a job decides is kept in the database, so a job is idempotent and a consumer killed
mid-job loses nothing (see ``sending``). This module is the top of ``notify``: it imports the
others, none imports it but the app's hook listener (``listen``) and the pages.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from huey import crontab

from gemba_walk.audits.photos import PhotoStore, prune_unattached_photos
from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.notify import webhooks
from gemba_walk.notify.andon_pulls import acknowledge_andon, check_andon
from gemba_walk.notify.checks import check_due, check_walks
from gemba_walk.notify.fanout import configured_channels, fan_out_event
from gemba_walk.notify.models import Delivery, NotifyEvent
from gemba_walk.notify.preferences import preference, wants
from gemba_walk.notify.queue import huey, in_app
from gemba_walk.notify.sending import MAX_ATTEMPTS, deliver, release_held, stale_claims_before

# What the pages, the command line and the tests call through ``jobs``.
__all__ = [
    "MAX_ATTEMPTS",
    "acknowledge_andon",
    "check_andon",
    "check_due",
    "check_walks",
    "configured_channels",
    "deliver",
    "fan_out",
    "fan_out_event",
    "huey",
    "preference",
    "run_pending",
    "sweep",
    "wants",
]

logger = logging.getLogger(__name__)


def _guarded(outcomes: dict[str, int], part: str, run) -> None:
    """Run one part of the sweep; its failure is logged and counted, and the next part runs."""
    try:
        run()
    except Exception:
        logger.exception("The sweep's part %r failed; the other parts go on", part)
        db.session.rollback()
        outcomes[f"{part} failed"] += 1


def _each(outcomes: dict[str, int], part: str, ids: list[int], send) -> None:
    for one in ids:
        try:
            outcomes[send(one)] += 1
        except Exception:
            logger.exception("%s %s failed; the others go on", part, one)
            db.session.rollback()
            outcomes[f"{part} failed"] += 1


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Catch up on everything: events not fanned out (their job was lost), deliveries due again
    (retries) or left claimed by a killed consumer, held ones now due, webhooks due. Each part
    and each delivery runs on its own: one that fails is logged and the rest still go."""
    now = now or utcnow()
    outcomes: dict[str, int] = defaultdict(int)
    unfanned: list[int] = []

    def fan_out_lost() -> None:
        unfanned.extend(
            db.session.scalars(sa.select(NotifyEvent.id).where(NotifyEvent.fanned_out_at.is_(None)))
        )
        db.session.commit()
        _each(outcomes, "fan-out", unfanned, lambda event_id: _fanned(event_id, now))

    def retries() -> None:
        stale = stale_claims_before(now)
        left = sa.and_(Delivery.status == "sending", Delivery.claimed_at < stale)
        with write_transaction():  # claims left by dead jobs after the last try: give up
            db.session.execute(
                sa.update(Delivery)
                .where(left, Delivery.attempts >= MAX_ATTEMPTS)
                .values(status="failed", claim=None, last_error="gave up: every try was cut short")
            )
        due = list(
            db.session.scalars(
                sa.select(Delivery.id).where(
                    Delivery.channel != "inbox",
                    sa.or_(
                        sa.and_(
                            Delivery.status == "pending",
                            sa.or_(Delivery.next_try_at.is_(None), Delivery.next_try_at <= now),
                        ),
                        left,
                    ),
                )
            )
        )
        db.session.commit()
        _each(outcomes, "delivery", due, lambda delivery_id: deliver(delivery_id, now))

    def held() -> None:
        outcomes["released"] = release_held(now)

    def hooks() -> None:
        _each(
            outcomes,
            "webhook",
            webhooks.due_ids(now),
            lambda delivery_id: f"webhook {webhooks.send(delivery_id, now)}",
        )

    for part, run in (
        ("fan-out", fan_out_lost),
        ("deliveries", retries),
        ("held", held),
        ("webhooks", hooks),
    ):
        _guarded(outcomes, part, run)
    outcomes["fanned_out"] = len(unfanned)
    return dict(outcomes)


def _fanned(event_id: int, now: datetime) -> str:
    fan_out_event(event_id, now)
    return "fanned"


# --- the Huey tasks -------------------------------------------------------------------------


@huey.task()
@in_app
def fan_out(event_id: int) -> dict[str, int]:
    outcomes: dict[str, int] = defaultdict(int)
    _guarded(
        outcomes,
        "deliveries",
        lambda: _each(outcomes, "delivery", fan_out_event(event_id), deliver),
    )
    _guarded(
        outcomes,
        "webhooks",
        lambda: _each(
            outcomes,
            "webhook",
            webhooks.due_ids(utcnow()),
            lambda delivery_id: f"webhook {webhooks.send(delivery_id)}",
        ),
    )
    return dict(outcomes)


@huey.task()
@in_app
def sweep_now() -> dict[str, int]:
    return sweep()


@huey.periodic_task(crontab(minute="*"))
@in_app
def every_minute() -> dict[str, int]:
    outcomes: dict[str, int] = defaultdict(int)
    made: list[int] = []
    _guarded(outcomes, "andon", lambda: made.append(check_andon()))
    result = {**outcomes, **sweep()}
    result["andon_escalated"] = sum(made)
    return result


@huey.periodic_task(crontab(minute="*/15"))
@in_app
def every_quarter_hour() -> int:
    return check_due() + check_walks()


@huey.periodic_task(crontab(hour="3", minute="17"))
@in_app
def nightly() -> int:
    days = float(current_app.config["PHOTO_UNATTACHED_MAX_AGE_DAYS"])
    result = prune_unattached_photos(
        PhotoStore(current_app.config["PHOTO_STORAGE_PATH"]), timedelta(days=days)
    )
    return result.rows


def run_pending(now: datetime | None = None) -> dict[str, int]:
    """What the consumer does every minute, in this process (tests, `flask notify-sweep`)."""
    check_andon(now)
    check_due(now)
    check_walks(now)
    return sweep(now)

"""The background jobs: fan an event out into deliveries, send them, retry, release what quiet
hours and digests held, and the periodic checks (due soon, overdue, andon escalation, stale
photos).

Everything a job decides is kept in the database, so a job is idempotent and a consumer killed
mid-job loses nothing: a delivery is claimed (status ``sending``) before it is sent and marked
``sent`` after; a claim left by a killed consumer is taken over after ``NOTIFY_CLAIM_SECONDS``
by the sweep that runs every minute. The one window left — killed after the SMTP server
accepted a mail and before ``sent`` was written — re-sends that mail with the same Message-ID.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask import current_app
from huey import crontab

from gemba_walk.auth.models import User
from gemba_walk.core.database import write_transaction
from gemba_walk.core.i18n import (
    Phrase,
    Problem,
    event_message,
    force_locale,
    gettext,
    ngettext,
    reader_language,
    said,
)
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import N_, OVERDUE_TICKET_STATUSES
from gemba_walk.notify import events, webhooks
from gemba_walk.notify.channels import Gone, Retry
from gemba_walk.notify.channels import email as email_channel
from gemba_walk.notify.channels import push as push_channel
from gemba_walk.notify.events import SUMMARY_KIND
from gemba_walk.notify.models import (
    AndonPull,
    Delivery,
    NotifyEvent,
    NotifyPreference,
    PushSubscription,
)
from gemba_walk.notify.queue import huey, in_app
from gemba_walk.tickets.models import KaizenTicket

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


# --- preferences ----------------------------------------------------------------------------


def preference(user_id: int) -> NotifyPreference:
    return db.session.get(NotifyPreference, user_id) or NotifyPreference(user_id=user_id)


def wants(pref: NotifyPreference, channel: str, kind: str) -> bool:
    """Defaults: every event on every channel; a saved choice lists the kinds kept."""
    if pref.channels is None or channel not in pref.channels:
        return True
    kind = "ticket.overdue" if kind in ("ticket.overdue_escalated", SUMMARY_KIND) else kind
    return kind in pref.channels[channel]


def plant_zone(event: NotifyEvent) -> ZoneInfo:
    name = current_app.config.get("NOTIFY_TIMEZONE") or "UTC"
    if event.ticket is not None:
        name = event.ticket.area.site.timezone or name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


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
    hour = int(current_app.config.get("NOTIFY_DIGEST_HOUR", 7))
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    at = datetime.combine(local.date(), time(hour), tzinfo=zone)
    if at <= local:
        at += timedelta(days=1)
    return at.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def configured_channels(config) -> dict[str, bool]:
    return {"inbox": True, "email": email_channel.configured(config), "push": True}


# --- fan-out --------------------------------------------------------------------------------


def _insert_ignoring_duplicates(rows: list[dict]) -> None:
    if not rows:
        return
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(Delivery).on_conflict_do_nothing(
        index_elements=["event_id", "user_id", "channel"]
    )
    db.session.execute(statement, rows)


def fan_out_event(event_id: int, now: datetime | None = None) -> list[int]:
    """Make the event's deliveries (once: the key is unique); return the ids due to send now."""
    now = now or utcnow()
    config = current_app.config
    with write_transaction():
        event = db.session.get(NotifyEvent, event_id)
        if event is None:
            return []
        if event.fanned_out_at is None:
            zone = plant_zone(event)
            rows = []
            people = events.recipients(event)
            pushers = set(
                db.session.scalars(
                    sa.select(PushSubscription.user_id).where(PushSubscription.user_id.in_(people))
                )
            )
            for user in db.session.scalars(sa.select(User).where(User.id.in_(people))):
                pref = preference(user.id)
                rows.append(_row(event, user.id, "inbox", "sent", now, sent_at=now))
                quiet = None if event.urgent else quiet_until(pref, now, zone)
                if (
                    user.email
                    and email_channel.configured(config)
                    and (event.urgent or wants(pref, "email", event.kind))
                ):
                    held = quiet
                    if not event.urgent and pref.email_digest:
                        held = next_digest(now, zone)
                    rows.append(
                        _row(event, user.id, "email", "held" if held else "pending", now, held)
                    )
                if user.id in pushers and (event.urgent or wants(pref, "push", event.kind)):
                    rows.append(
                        _row(event, user.id, "push", "held" if quiet else "pending", now, quiet)
                    )
            _insert_ignoring_duplicates(rows)
            events.replace_earlier(event, people, now)  # escalated replaces overdue
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


# --- sending --------------------------------------------------------------------------------


def _claim(where, now: datetime) -> str | None:
    """Claim the rows ``where`` picks (pending and due, or left by a dead job); None if none."""
    token = str(uuid.uuid4())
    stale = now - timedelta(seconds=float(current_app.config.get("NOTIFY_CLAIM_SECONDS", 300)))
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
    subject = config.get("VAPID_SUBJECT") or f"mailto:admin@{_host(config)}"
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
        stale = now - timedelta(seconds=float(current_app.config.get("NOTIFY_CLAIM_SECONDS", 300)))
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


# --- periodic checks ------------------------------------------------------------------------


def check_due(now: datetime | None = None) -> int:
    """Due tomorrow, overdue, and overdue past the grace days: one event each, ever; a person
    who would hear of more than NOTIFY_SUMMARY_AFTER at once (the first run on old tickets)
    hears one summary instead (``events.add_checked_events``)."""
    now = now or utcnow()
    zone = ZoneInfo(current_app.config.get("NOTIFY_TIMEZONE") or "UTC")
    today = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()
    grace = int(current_app.config.get("NOTIFY_OVERDUE_GRACE_DAYS", 2))
    candidates = []
    with write_transaction():
        tickets = db.session.scalars(
            sa.select(KaizenTicket).where(
                KaizenTicket.status.in_(OVERDUE_TICKET_STATUSES),
                KaizenTicket.due_date.is_not(None),
                KaizenTicket.due_date <= today + timedelta(days=1),
            )
        )
        for ticket in tickets:
            due: date = ticket.due_date
            number = ticket.display_number
            checks = []
            if due == today + timedelta(days=1):
                text = N_("%(number)s is due tomorrow: %(title)s")
                checks.append(
                    ("ticket.due_soon", said(text, number=number, title=Problem(ticket.title)))
                )
            if due < today:
                checks.append(
                    (
                        "ticket.overdue",
                        said(
                            N_("%(number)s is overdue (due %(due)s): %(title)s"),
                            number=number,
                            due=due,
                            title=Problem(ticket.title),
                        ),
                    )
                )
            if due < today - timedelta(days=grace):
                checks.append(
                    (
                        "ticket.overdue_escalated",
                        said(
                            N_("%(number)s is %(days)s days overdue: %(title)s")
                            if ticket.owner_id is not None
                            else N_(
                                "%(number)s is %(days)s days overdue and has no owner: %(title)s"
                            ),
                            number=number,
                            days=(today - due).days,
                            title=Problem(ticket.title),
                        ),
                    )
                )
            for kind, message in checks:
                candidates.append((kind, ticket, message, f"{kind}:{ticket.id}:{due.isoformat()}"))
        made = events.add_checked_events(
            candidates, today, int(current_app.config.get("NOTIFY_SUMMARY_AFTER", 3))
        )
    return made


def check_walks(now: datetime | None = None) -> int:
    """Planned walks (walks/): a walk whose window is open and not yet done tells its walker
    once (walk.due); a walk still not done when its late grace has passed tells the walker and
    the area's leaders once (walk.missed). Only walks of the last day are looked at, so a plan
    made today never announces weeks of old walks."""
    from gemba_walk.checklists.texts import name_is_ours
    from gemba_walk.core.localtime import format_time
    from gemba_walk.walks.models import PlannedWalk
    from gemba_walk.walks.operations import LATE_GRACE, ensure_planned_cheaply

    now = now or utcnow()
    day = timedelta(days=1)
    made = 0
    with write_transaction():
        ensure_planned_cheaply(now=now)
        open_now = sa.and_(
            PlannedWalk.window_start <= now,
            PlannedWalk.window_end > now,
            PlannedWalk.window_start > now - day,
        )
        past_grace = sa.and_(
            PlannedWalk.window_end <= now - LATE_GRACE,
            PlannedWalk.window_end > now - LATE_GRACE - day,
        )
        walks = db.session.scalars(
            sa.select(PlannedWalk)
            .where(PlannedWalk.audit_id.is_(None), sa.or_(open_now, past_grace))
            .options(sa.orm.joinedload(PlannedWalk.area), sa.orm.joinedload(PlannedWalk.template))
        ).all()
        for walk in walks:
            where = {
                "code": walk.area.code,
                "area": walk.area.name,
                "checklist": Phrase(walk.template.name)
                if name_is_ours(walk.template)
                else walk.template.name,
            }
            if walk.window_end > now:
                kind, people = "walk.due", [walk.user_id]
                until = format_time(walk.window_end, walk.area.site.timezone)
                message = said(
                    N_(
                        "Your planned walk is due until %(until)s — "
                        "%(code)s · %(area)s: %(checklist)s"
                    ),
                    until=until,
                    **where,
                )
            else:
                kind = "walk.missed"
                people = [walk.user_id, *events.area_leaders(walk.area)]
                message = said(
                    N_("A planned walk was missed (%(day)s) — %(code)s · %(area)s: %(checklist)s"),
                    day=walk.local_date,
                    **where,
                )
            if events.walk_event(kind, key=f"{kind}:{walk.id}", user_ids=people, message=message):
                made += 1
    return made


def check_andon(now: datetime | None = None) -> int:
    """An andon pull nobody acknowledged in time goes to the next layer."""
    now = now or utcnow()
    minutes = float(current_app.config.get("ANDON_ESCALATE_MINUTES", 15))
    made = 0
    with write_transaction():
        pulls = db.session.scalars(
            sa.select(AndonPull).where(
                AndonPull.acknowledged_at.is_(None),
                AndonPull.escalated_at.is_(None),
                AndonPull.pulled_at <= now - timedelta(minutes=minutes),
            )
        )
        for pull in pulls:
            ticket = pull.ticket
            pull.escalated_at = now
            events.add_event(
                "andon.escalated",
                ticket=ticket,
                message=said(
                    N_(
                        "ANDON not acknowledged for %(minutes)s min: "
                        "%(number)s in %(code)s · %(area)s: %(title)s"
                    ),
                    minutes=f"{minutes:g}",
                    number=ticket.display_number,
                    code=ticket.area.code,
                    area=ticket.area.name,
                    title=Problem(ticket.title),
                ),
                key=f"andon-escalated:{ticket.id}",
            )
            made += 1
    return made


def acknowledge_andon(ticket: KaizenTicket, user: User) -> AndonPull:
    from gemba_walk.core.errors import DomainError

    if not user.is_leader:
        raise DomainError(403, "not_allowed", gettext("Only a leader acknowledges an andon pull."))
    with write_transaction():
        pull = db.session.scalar(
            sa.select(AndonPull).where(AndonPull.ticket_id == ticket.id).with_for_update()
        )
        if pull is None:
            raise DomainError(
                404,
                "no_andon",
                gettext("%(number)s pulled no andon.", number=ticket.display_number),
            )
        if pull.acknowledged_at is None:
            pull.acknowledged_at = utcnow()
            pull.acknowledged_by_id = user.id
    return pull


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
    from gemba_walk.audits.photos import PhotoStore, prune_unattached_photos

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

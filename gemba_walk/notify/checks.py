"""The periodic checks, every quarter hour: tickets due tomorrow, overdue, and overdue past the
grace days; planned walks due and missed. Each tells once ever (by key). "Today" is the date of
the site the ticket or walk belongs to (``core.localtime.site_today``), the same day its pages
show, so a ticket is never "due today" on the page and "due tomorrow" in the reminder."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from gemba_walk.areas.models import Area
from gemba_walk.checklists.texts import name_is_ours
from gemba_walk.core.database import write_transaction
from gemba_walk.core.i18n import Phrase, Problem, Said, said
from gemba_walk.core.ids import utcnow
from gemba_walk.core.localtime import format_time, site_today, site_zone
from gemba_walk.extensions import db
from gemba_walk.lean import N_, OVERDUE_TICKET_STATUSES
from gemba_walk.notify.audience import area_leaders
from gemba_walk.notify.events import add_checked_events, walk_event
from gemba_walk.tickets.models import KaizenTicket
from gemba_walk.walks.models import PlannedWalk
from gemba_walk.walks.planning import LATE_GRACE, ensure_planned_cheaply

# Every zone's date is within a day of UTC's: tickets due up to two days after UTC's today
# may be due tomorrow somewhere.
_AHEAD = timedelta(days=2)


def ticket_checks(ticket: KaizenTicket, today: date, grace: int) -> list[tuple[str, Said]]:
    """What the due check says of one ticket on its site's ``today``: (kind, message)."""
    due: date = ticket.due_date
    number, title = ticket.display_number, Problem(ticket.title)
    checks = []
    if due == today + timedelta(days=1):
        text = N_("%(number)s is due tomorrow: %(title)s")
        checks.append(("ticket.due_soon", said(text, number=number, title=title)))
    if due < today:
        text = N_("%(number)s is overdue (due %(due)s): %(title)s")
        checks.append(("ticket.overdue", said(text, number=number, due=due, title=title)))
    if due < today - timedelta(days=grace):
        text = (
            N_("%(number)s is %(days)s days overdue: %(title)s")
            if ticket.owner_id is not None
            else N_("%(number)s is %(days)s days overdue and has no owner: %(title)s")
        )
        days = (today - due).days
        checks.append(
            ("ticket.overdue_escalated", said(text, number=number, days=days, title=title))
        )
    return checks


def check_due(now: datetime | None = None) -> int:
    """Due tomorrow, overdue, and overdue past the grace days, each on its site's date: one
    event each, ever; a person who would hear of more than NOTIFY_SUMMARY_AFTER at once (the
    first run on old tickets) hears one summary instead (``events.add_checked_events``)."""
    now = now or utcnow()
    grace = int(current_app.config["NOTIFY_OVERDUE_GRACE_DAYS"])
    candidates = []
    with write_transaction():
        tickets = db.session.scalars(
            sa.select(KaizenTicket)
            .where(
                KaizenTicket.status.in_(OVERDUE_TICKET_STATUSES),
                KaizenTicket.due_date.is_not(None),
                KaizenTicket.due_date <= now.date() + _AHEAD,
            )
            .options(sa.orm.joinedload(KaizenTicket.area).joinedload(Area.site))
        )
        for ticket in tickets:
            today = site_today(ticket.area.site, now)
            for kind, message in ticket_checks(ticket, today, grace):
                key = f"{kind}:{ticket.id}:{ticket.due_date.isoformat()}"
                candidates.append((kind, ticket, message, key))
        # One summary a person a day: the plant's day (its first site's).
        made = add_checked_events(
            candidates, site_today(None, now), int(current_app.config["NOTIFY_SUMMARY_AFTER"])
        )
    return made


def _walk_message(walk: PlannedWalk, now: datetime) -> tuple[str, list[int], Said]:
    where = {
        "code": walk.area.code,
        "area": walk.area.name,
        "checklist": Phrase(walk.template.name)
        if name_is_ours(walk.template)
        else walk.template.name,
    }
    if walk.window_end > now:
        until = format_time(walk.window_end, site_zone(walk.area.site))
        text = N_("Your planned walk is due until %(until)s — %(code)s · %(area)s: %(checklist)s")
        return "walk.due", [walk.user_id], said(text, until=until, **where)
    people = [walk.user_id, *area_leaders(walk.area)]
    text = N_("A planned walk was missed (%(day)s) — %(code)s · %(area)s: %(checklist)s")
    return "walk.missed", people, said(text, day=walk.local_date, **where)


def check_walks(now: datetime | None = None) -> int:
    """Planned walks (walks/): a walk whose window is open and not yet done tells its walker
    once (walk.due); a walk still not done when its late grace has passed tells the walker and
    the area's leaders once (walk.missed). Only walks of the last day are looked at, so a plan
    made today never announces weeks of old walks."""
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
            kind, people, message = _walk_message(walk, now)
            if walk_event(kind, key=f"{kind}:{walk.id}", user_ids=people, message=message):
                made += 1
    return made

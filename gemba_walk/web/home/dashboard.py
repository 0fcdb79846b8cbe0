"""Queries behind the home page: what needs attention now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask_login import current_user

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit
from gemba_walk.core.ids import utcnow
from gemba_walk.core.localtime import local_today
from gemba_walk.extensions import db
from gemba_walk.lean import OPEN_TICKET_STATUSES, OVERDUE_TICKET_STATUSES
from gemba_walk.notify import inbox
from gemba_walk.notify.models import Delivery
from gemba_walk.tickets.models import KaizenTicket
from gemba_walk.walks.planning import ensure_planned_cheaply
from gemba_walk.walks.queries import my_walks


@dataclass
class HomeSummary:
    open_tickets: int
    overdue_tickets: int
    my_open_tickets: int
    audits_last_7_days: int
    active_areas: int
    recent_audits: list[Audit]
    notifications: list[Delivery]
    my_walks: list = field(default_factory=list)


def home_summary() -> HomeSummary:
    today = local_today()
    ensure_planned_cheaply()
    open_filter = KaizenTicket.status.in_(OPEN_TICKET_STATUSES)
    count = sa.select(sa.func.count()).select_from(KaizenTicket)
    recent = (
        sa.select(Audit)
        .options(sa.orm.joinedload(Audit.area), sa.orm.joinedload(Audit.auditor))
        .order_by(Audit.submitted_at.desc())
        .limit(5)
    )
    return HomeSummary(
        open_tickets=db.session.scalar(count.where(open_filter)) or 0,
        overdue_tickets=db.session.scalar(
            count.where(
                KaizenTicket.status.in_(OVERDUE_TICKET_STATUSES), KaizenTicket.due_date < today
            )
        )
        or 0,
        my_open_tickets=db.session.scalar(
            count.where(open_filter, KaizenTicket.owner_id == current_user.id)
        )
        or 0,
        audits_last_7_days=db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Audit)
            .where(Audit.submitted_at >= utcnow() - timedelta(days=7))
        )
        or 0,
        active_areas=db.session.scalar(
            sa.select(sa.func.count()).select_from(Area).where(Area.active)
        )
        or 0,
        recent_audits=list(db.session.scalars(recent).unique()),
        my_walks=my_walks(current_user, today),
        notifications=inbox.notes(current_user.id, unread_only=True, limit=10),
    )

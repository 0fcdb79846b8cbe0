"""Planning the walks a plan asks for, and linking audits to them.

Walks are stored when their interval comes near (up to ``PLAN_AHEAD_DAYS`` after the site's
today). A walk is done by an audit of the plan's checklist for its area by its person, captured
inside its window (or within ``LATE_GRACE`` after it: done late). The link is made when the
audit is stored (``link_audit``, called by the sync inside the audit's own write transaction)
and when walks are planned after the audit arrived (``plan_walks``). ``planned_walks.audit_id``
is unique and set by a guarded ``UPDATE ... WHERE audit_id IS NULL``, so an audit never counts
for two walks and a walk never takes two audits, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from gemba_walk.areas.models import Site
from gemba_walk.audits.models import Audit
from gemba_walk.auth.models import User
from gemba_walk.checklists.models import ChecklistTemplateVersion
from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import utcnow
from gemba_walk.core.localtime import site_today, site_zone
from gemba_walk.extensions import db
from gemba_walk.walks.models import LayerMember, PlannedWalk, Shift, WalkPlan
from gemba_walk.walks.schedule import PlanSpec, ShiftSpec, assign, windows

# A walk not done in its window may still be done late within this time after it.
LATE_GRACE = timedelta(days=2)
# Walks are stored up to this many local days ahead of today.
PLAN_AHEAD_DAYS = 1


def plan_spec(plan: WalkPlan, shifts: list[Shift]) -> PlanSpec:
    return PlanSpec(
        frequency=plan.frequency,
        starts_on=plan.starts_on,
        weekdays=plan.weekdays,
        day_of_month=plan.day_of_month,
        shifts=tuple(ShiftSpec(s.name, s.starts, s.ends, s.weekdays) for s in shifts),
    )


def _walkers(plan: WalkPlan) -> list[int]:
    """The plan's named people, or else the active members of its layer (as of now)."""
    if plan.people:
        return [p.id for p in plan.people if p.active]
    if plan.layer_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(LayerMember.user_id)
            .join(User, User.id == LayerMember.user_id)
            .where(LayerMember.layer_id == plan.layer_id, User.active)
            .order_by(LayerMember.user_id)
        )
    )


def plan_walks(plan: WalkPlan, through: date) -> int:
    """Store the plan's walks for the local dates after ``planned_until`` up to ``through``, with
    today's areas and people; link audits already stored. Returns how many walks were added."""
    first = (plan.planned_until + timedelta(days=1)) if plan.planned_until else plan.starts_on
    if not plan.active or first > through:
        return 0
    with write_transaction():
        shifts = list(db.session.scalars(sa.select(Shift).where(Shift.site_id == plan.site_id)))
        people = _walkers(plan)
        areas = [a.id for a in plan.areas if a.active]  # an archived area leaves from now on
        added = 0
        rows = []
        due = windows(plan_spec(plan, shifts), first, through, site_zone(plan.site))
        stored = set()
        if due:  # a week already planned from an earlier day of it
            stored = set(
                db.session.execute(
                    sa.select(
                        PlannedWalk.area_id, PlannedWalk.user_id, PlannedWalk.window_start
                    ).where(
                        PlannedWalk.plan_id == plan.id, PlannedWalk.window_start >= due[0].start
                    )
                ).all()
            )
        for window in due:
            for user_id, area_id in assign(window.index, people, areas, plan.rotate):
                if (area_id, user_id, window.start) in stored:
                    continue
                rows.append(
                    {
                        "plan_id": plan.id,
                        "site_id": plan.site_id,
                        "area_id": area_id,
                        "template_id": plan.template_id,
                        "user_id": user_id,
                        "local_date": window.local_date,
                        "shift_name": window.shift,
                        "window_start": window.start,
                        "window_end": window.end,
                        "created_at": utcnow(),
                    }
                )
        if rows:
            db.session.execute(sa.insert(PlannedWalk), rows)
            added = len(rows)
            _link_stored_audits(plan, rows[0]["window_start"])
        plan.planned_until = through
    return added


def ensure_planned(site_id: int | None = None, now: datetime | None = None) -> None:
    """Plan every active plan's walks up to tomorrow (local). One query when nothing is due."""
    query = sa.select(WalkPlan).where(WalkPlan.active)
    if site_id is not None:
        query = query.where(WalkPlan.site_id == site_id)
    for plan in db.session.scalars(query).all():
        through = site_today(plan.site, now) + timedelta(days=PLAN_AHEAD_DAYS)
        if plan.planned_until is None or plan.planned_until < through:
            plan_walks(plan, through)


def ensure_planned_cheaply(site_id: int | None = None, now: datetime | None = None) -> None:
    """``ensure_planned`` behind two small queries: is any active plan short of tomorrow in the
    earliest of the sites' zones? (Planning itself then looks at each plan's own zone.)"""
    sites = db.session.scalars(sa.select(Site).where(Site.active)).all()
    if not sites:
        return
    through = min(site_today(site, now) for site in sites) + timedelta(days=PLAN_AHEAD_DAYS)
    query = sa.select(WalkPlan.id).where(
        WalkPlan.active,
        sa.or_(WalkPlan.planned_until.is_(None), WalkPlan.planned_until < through),
    )
    if site_id is not None:
        query = query.where(WalkPlan.site_id == site_id)
    if db.session.scalar(query.limit(1)) is not None:
        ensure_planned(site_id, now)


# --- audits do walks --------------------------------------------------------------------------


def capture_time(audit: Audit) -> datetime:
    """When the audit was done, as far as the server trusts the phone: its ``submitted_at``,
    but never after the server received it (a phone clock running ahead)."""
    return min(audit.submitted_at, audit.received_at or utcnow())


def link_audit(audit: Audit) -> PlannedWalk | None:
    """Mark the walk this audit did (if any): same area, checklist and person; the window that
    holds its capture time first, else the latest window it is late for. Inside the caller's
    write transaction."""
    moment = capture_time(audit)
    template_id = db.session.scalar(
        sa.select(ChecklistTemplateVersion.template_id).where(
            ChecklistTemplateVersion.id == audit.template_version_id
        )
    )
    candidates = db.session.scalars(
        sa.select(PlannedWalk.id)
        .where(
            PlannedWalk.area_id == audit.area_id,
            PlannedWalk.template_id == template_id,
            PlannedWalk.user_id == audit.auditor_id,
            PlannedWalk.audit_id.is_(None),
            PlannedWalk.window_start <= moment,
            PlannedWalk.window_end > moment - LATE_GRACE,
        )
        .order_by((PlannedWalk.window_end > moment).desc(), PlannedWalk.window_start.desc())
    ).all()
    for walk_id in candidates:
        claimed = db.session.execute(
            sa.update(PlannedWalk)
            .where(PlannedWalk.id == walk_id, PlannedWalk.audit_id.is_(None))
            .values(audit_id=audit.id, done_at=moment)
        )
        if claimed.rowcount == 1:
            return db.session.get(PlannedWalk, walk_id)
    return None


def _link_stored_audits(plan: WalkPlan, since: datetime) -> None:
    """Audits stored before their walks were planned (a phone offline for days) still count."""
    linked = sa.select(PlannedWalk.audit_id).where(PlannedWalk.audit_id.is_not(None))
    audits = db.session.scalars(
        sa.select(Audit)
        .join(ChecklistTemplateVersion, ChecklistTemplateVersion.id == Audit.template_version_id)
        .where(
            ChecklistTemplateVersion.template_id == plan.template_id,
            Audit.area_id.in_([a.id for a in plan.areas]),
            Audit.submitted_at >= since,
            Audit.id.not_in(linked),
        )
        .order_by(Audit.submitted_at)
    ).all()
    for audit in audits:
        link_audit(audit)

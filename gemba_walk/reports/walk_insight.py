"""Walk completion for the insight page: by layer, person and area, this period against the
one before (the trend), the walks missed, and findings per walk done. Grouped queries: the cost
does not grow with the number of walks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Finding
from gemba_walk.auth.models import User
from gemba_walk.extensions import db
from gemba_walk.walks.models import Layer, LayerMember, PlannedWalk, WalkPlan, walk_plan_areas


@dataclass(frozen=True)
class Completion:
    label: str
    planned: int  # walks whose window closed in the period
    on_time: int
    late: int
    previous_rate: float | None  # the period before, for the trend

    @property
    def missed(self) -> int:
        return self.planned - self.on_time - self.late

    @property
    def rate(self) -> float | None:
        return (self.on_time + self.late) / self.planned if self.planned else None

    @property
    def trend(self) -> float | None:
        if self.rate is None or self.previous_rate is None:
            return None
        return self.rate - self.previous_rate


@dataclass(frozen=True)
class WalkInsight:
    by_layer: list[Completion]
    by_person: list[Completion]
    by_area: list[Completion]
    missed: list[PlannedWalk]
    walks_done: int
    findings: int

    @property
    def findings_per_walk(self) -> float | None:
        return self.findings / self.walks_done if self.walks_done else None


def _closed_between(start: datetime, end: datetime, site_id: int | None):
    conditions = [PlannedWalk.window_end > start, PlannedWalk.window_end <= end]
    if site_id:
        conditions.append(PlannedWalk.site_id == site_id)
    return conditions


def _counts(key, label, joins, start: datetime, end: datetime, site_id: int | None):
    on_time = sa.and_(
        PlannedWalk.audit_id.is_not(None), PlannedWalk.done_at < PlannedWalk.window_end
    )
    late = sa.and_(PlannedWalk.audit_id.is_not(None), PlannedWalk.done_at >= PlannedWalk.window_end)
    query = sa.select(
        key,
        label,
        sa.func.count(),
        sa.func.sum(sa.case((on_time, 1), else_=0)),
        sa.func.sum(sa.case((late, 1), else_=0)),
    ).select_from(PlannedWalk)
    for target, on in joins:
        query = query.outerjoin(target, on)
    query = query.where(*_closed_between(start, end, site_id)).group_by(key, label)
    return {
        k: (name, n, int(a or 0), int(b or 0)) for k, name, n, a, b in db.session.execute(query)
    }


def _completion(key, label, joins, start, end, site_id) -> list[Completion]:
    now = _counts(key, label, joins, start, end, site_id)
    before = _counts(key, label, joins, start - (end - start), start, site_id)
    rows = []
    for k, (name, planned, on_time, late) in now.items():
        prior = before.get(k)
        previous = (prior[2] + prior[3]) / prior[1] if prior and prior[1] else None
        rows.append(Completion(name or "No layer", planned, on_time, late, previous))
    return sorted(rows, key=lambda row: (row.rate if row.rate is not None else 2, row.label))


def walk_insight(start: datetime, end: datetime, site_id: int | None = None) -> WalkInsight:
    layer_joins = [
        (
            LayerMember,
            sa.and_(
                LayerMember.user_id == PlannedWalk.user_id,
                LayerMember.site_id == PlannedWalk.site_id,
            ),
        ),
        (Layer, Layer.id == LayerMember.layer_id),
    ]
    by_layer = _completion(Layer.id, Layer.name, layer_joins, start, end, site_id)
    by_person = _completion(
        User.id, User.name, [(User, User.id == PlannedWalk.user_id)], start, end, site_id
    )
    by_area = _completion(
        Area.id, Area.code, [(Area, Area.id == PlannedWalk.area_id)], start, end, site_id
    )
    missed = list(
        db.session.scalars(
            sa.select(PlannedWalk)
            .where(*_closed_between(start, end, site_id), PlannedWalk.audit_id.is_(None))
            .options(sa.orm.joinedload(PlannedWalk.area), sa.orm.joinedload(PlannedWalk.user))
            .order_by(PlannedWalk.window_end.desc())
            .limit(25)
        )
    )
    done, findings = db.session.execute(
        sa.select(sa.func.count(sa.distinct(PlannedWalk.id)), sa.func.count(Finding.id))
        .select_from(PlannedWalk)
        .outerjoin(Finding, Finding.audit_id == PlannedWalk.audit_id)
        .where(*_closed_between(start, end, site_id), PlannedWalk.audit_id.is_not(None))
    ).one()
    return WalkInsight(by_layer, by_person, by_area, missed, done or 0, findings or 0)


def missed_by_area(start: datetime, end: datetime, site_id: int | None = None) -> dict[int, int]:
    """Planned walks not done per area, for "areas not walked"."""
    return dict(
        db.session.execute(
            sa.select(PlannedWalk.area_id, sa.func.count())
            .where(*_closed_between(start, end, site_id), PlannedWalk.audit_id.is_(None))
            .group_by(PlannedWalk.area_id)
        ).all()
    )


def planned_areas(site_id: int | None = None) -> set[int]:
    query = (
        sa.select(walk_plan_areas.c.area_id)
        .join(WalkPlan, WalkPlan.id == walk_plan_areas.c.plan_id)
        .where(WalkPlan.active)
    )
    if site_id:
        query = query.where(WalkPlan.site_id == site_id)
    return set(db.session.scalars(query))

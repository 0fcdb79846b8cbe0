"""Named operations on layers, shifts and walk plans. Planning the walks a plan asks for and
linking audits to them is ``walks.planning``. "Today" for a plan is its site's date
(``core.localtime.site_today``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa

from gemba_walk.areas.models import Area, Site
from gemba_walk.auth.models import User
from gemba_walk.checklists.builder import areas_outside
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.core.database import lock, write_transaction
from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.localtime import site_today
from gemba_walk.extensions import db
from gemba_walk.walks.models import (
    FREQUENCIES,
    Layer,
    LayerMember,
    PlannedWalk,
    Shift,
    WalkPlan,
)

logger = logging.getLogger(__name__)


class WalkError(DomainError):
    def __init__(self, message: str, code: str = "invalid_walk_plan"):
        super().__init__(422, code, message)


# --- layers and shifts ------------------------------------------------------------------------


def create_layer(site: Site, name: str, rank: int = 1) -> Layer:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise WalkError(_("Name the layer (up to 80 characters), e.g. Supervisor."))
    with write_transaction():
        lock(site)  # two leaders adding "Supervisor" at once: the second is told it exists
        if db.session.scalar(
            sa.select(Layer.id).where(Layer.site_id == site.id, Layer.name == name)
        ):
            raise WalkError(
                _("%(site)s already has a layer called %(name)s.", site=site.name, name=name)
            )
        layer = Layer(site_id=site.id, name=name, rank=rank)
        db.session.add(layer)
    return layer


def rename_layer(layer: Layer, name: str, rank: int) -> Layer:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise WalkError(_("Name the layer (up to 80 characters), e.g. Supervisor."))
    with write_transaction():
        # The row first, then its site (one order everywhere, so two of these never deadlock):
        # two layers renamed to one name at once, the second is told.
        lock(layer)
        lock(layer.site)
        clash = db.session.scalar(
            sa.select(Layer.id).where(
                Layer.site_id == layer.site_id, Layer.name == name, Layer.id != layer.id
            )
        )
        if clash:
            raise WalkError(_("This site already has a layer called %(name)s.", name=name))
        layer.name, layer.rank = name, rank
    return layer


def remove_layer(layer: Layer) -> None:
    """Remove a layer no plan names: its people are left in no layer (walks already planned
    for them stay). A layer a plan names, even a stopped one (its history reads it), stays:
    change or stop those plans, or rename the layer instead."""
    with write_transaction():
        lock(layer)  # removed by someone else meanwhile: 409, not a 500
        plans = db.session.scalars(
            sa.select(WalkPlan.name).where(WalkPlan.layer_id == layer.id).order_by(WalkPlan.name)
        ).all()
        if plans:
            raise WalkError(
                _(
                    "The layer %(layer)s is named by the plan(s) %(plans)s: it stays while a plan "
                    "names it. Rename it instead, or plan those walks for another layer.",
                    layer=layer.name,
                    plans=", ".join(plans),
                )
            )
        db.session.execute(sa.delete(LayerMember).where(LayerMember.layer_id == layer.id))
        db.session.delete(layer)


def set_layer(site: Site, user: User, layer: Layer | None) -> None:
    """Put a person in a layer of the site (or in none). Walks already planned for them stay;
    from the next interval the layer's plans count them in (or out)."""
    if layer is not None and layer.site_id != site.id:
        raise WalkError(_("That layer belongs to another site."))
    with write_transaction():
        if layer is not None:
            lock(layer)
        lock(site)  # one membership per person and site, also when two leaders set it at once
        member = db.session.scalar(
            sa.select(LayerMember).where(
                LayerMember.site_id == site.id, LayerMember.user_id == user.id
            )
        )
        if layer is None:
            if member is not None:
                db.session.delete(member)
            return
        if member is None:
            db.session.add(LayerMember(site_id=site.id, user_id=user.id, layer_id=layer.id))
        else:
            member.layer_id = layer.id


def parse_weekdays(values) -> str:
    days = sorted({str(v) for v in values or ()})
    if any(d not in "0123456" or len(d) != 1 for d in days):
        raise WalkError(_("Weekdays are Monday (0) to Sunday (6)."))
    return "".join(days)


def create_shift(site: Site, name: str, starts: time, ends: time, weekdays="01234") -> Shift:
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise WalkError(_("Name the shift (up to 40 characters), e.g. Night."))
    if starts == ends:
        raise WalkError(_("A shift must end at another time than it starts."))
    days = parse_weekdays(weekdays)
    if not days:
        raise WalkError(_("Choose the days the shift works."))
    with write_transaction():
        lock(site)
        if db.session.scalar(
            sa.select(Shift.id).where(Shift.site_id == site.id, Shift.name == name)
        ):
            raise WalkError(
                _("%(site)s already has a shift called %(name)s.", site=site.name, name=name)
            )
        shift = Shift(site_id=site.id, name=name, starts=starts, ends=ends, weekdays=days)
        db.session.add(shift)
    return shift


def remove_shift(shift: Shift) -> None:
    """Remove a shift: plans per shift stop planning it from the next interval; walks already
    planned in it (at most a day ahead) and done ones keep its name. The last shift of a site
    with an active plan per shift stays: that plan would plan nothing."""
    with write_transaction():
        lock(shift)
        lock(shift.site)  # the last shift stays, also when two are removed at once
        others = db.session.scalar(
            sa.select(sa.func.count(Shift.id)).where(
                Shift.site_id == shift.site_id, Shift.id != shift.id
            )
        )
        per_shift = db.session.scalars(
            sa.select(WalkPlan.name).where(
                WalkPlan.site_id == shift.site_id,
                WalkPlan.active,
                WalkPlan.frequency == "every_shift",
            )
        ).all()
        if not others and per_shift:
            raise WalkError(
                _(
                    "%(shift)s is the last shift and the plan(s) %(plans)s walk every shift: add "
                    "another shift first, or stop those plans.",
                    shift=shift.name,
                    plans=", ".join(per_shift),
                )
            )
        db.session.delete(shift)


# --- plans ------------------------------------------------------------------------------------


@dataclass
class PlanDetails:
    name: str
    template_id: int
    frequency: str
    area_ids: list[int]
    layer_id: int | None = None
    person_ids: list[int] = field(default_factory=list)
    weekdays: str = "01234"
    day_of_month: int | None = None
    rotate: bool = False
    starts_on: date | None = None


def _check_plan(
    site: Site, details: PlanDetails, exclude_id: int | None = None
) -> tuple[list[Area], list[User]]:
    if not details.name.strip() or len(details.name.strip()) > 120:
        raise WalkError(_("Name the plan (up to 120 characters)."))
    if details.frequency not in FREQUENCIES:
        raise WalkError(_("Choose how often: every shift, daily, weekdays, weekly or monthly."))
    template = db.session.get(ChecklistTemplate, details.template_id)
    if template is None or template.retired:
        raise WalkError(_("Choose a checklist in use."))
    if not details.area_ids:
        raise WalkError(_("Choose at least one area: a plan with no areas plans nothing."))
    areas = list(
        db.session.scalars(
            sa.select(Area).where(
                Area.id.in_(details.area_ids), Area.site_id == site.id, Area.active
            )
        )
    )
    if len(areas) != len(set(details.area_ids)):
        raise WalkError(_("Some chosen areas are archived or belong to another site."))
    if details.layer_id is None and not details.person_ids:
        raise WalkError(_("Choose a layer or named people to do the walks."))
    if details.layer_id is not None:
        layer = db.session.get(Layer, details.layer_id)
        if layer is None or layer.site_id != site.id:
            raise WalkError(_("Choose a layer of this site."))
    people = list(
        db.session.scalars(sa.select(User).where(User.id.in_(details.person_ids), User.active))
    )
    if len(people) != len(set(details.person_ids)):
        raise WalkError(_("Some chosen people are not active users."))
    if details.frequency == "weekdays" and not details.weekdays:
        raise WalkError(_("Choose at least one weekday: none would plan nothing."))
    if details.frequency == "monthly" and not (
        details.day_of_month and 1 <= details.day_of_month <= 31
    ):
        raise WalkError(
            _("Choose the day of the month, 1 to 31 (31 = the last day of each month).")
        )
    if details.frequency == "every_shift" and not db.session.scalar(
        sa.select(sa.func.count()).select_from(Shift).where(Shift.site_id == site.id)
    ):
        raise WalkError(
            _(
                "%(site)s has no shifts yet: add its shifts before planning per shift.",
                site=site.name,
            )
        )
    _check_no_overlap(site, details, exclude_id)
    return areas, people


def _check_no_overlap(site: Site, details: PlanDetails, exclude_id: int | None) -> None:
    """Two active plans asking the same people for the same checklist in the same area would
    need two audits for one visit: refused, naming the other plan."""
    others = db.session.scalars(
        sa.select(WalkPlan).where(
            WalkPlan.site_id == site.id,
            WalkPlan.active,
            WalkPlan.template_id == details.template_id,
            WalkPlan.id != (exclude_id or 0),
        )
    ).all()
    for other in others:
        same_walkers = (
            other.layer_id is not None and other.layer_id == details.layer_id and not other.people
        ) or bool({p.id for p in other.people} & set(details.person_ids))
        if same_walkers and {a.id for a in other.areas} & set(details.area_ids):
            raise WalkError(
                _(
                    "This overlaps the plan “%(plan)s”: the same people, checklist and area. "
                    "Change that plan or choose other areas or people.",
                    plan=other.name,
                ),
                code="overlapping_plan",
            )


def create_plan(site: Site, details: PlanDetails, by: User | None = None) -> WalkPlan:
    with write_transaction():
        lock(site)  # two plans that overlap, saved at once: the second is told
        areas, people = _check_plan(site, details)
        plan = WalkPlan(
            site_id=site.id,
            name=details.name.strip(),
            template_id=details.template_id,
            frequency=details.frequency,
            weekdays=details.weekdays,
            day_of_month=details.day_of_month,
            layer_id=details.layer_id,
            rotate=details.rotate,
            starts_on=details.starts_on or site_today(site),
            created_by_id=by.id if by else None,
        )
        plan.areas = areas
        plan.people = people
        db.session.add(plan)
        db.session.flush()
    return plan


def update_plan(plan: WalkPlan, details: PlanDetails, now: datetime | None = None) -> WalkPlan:
    """Change a plan from the next interval on: walks of today and before stay as planned
    (done or not); walks planned ahead and not done are dropped and planned again."""
    today = site_today(plan.site, now)
    with write_transaction():
        lock(plan)  # two leaders saving one plan at once take turns (not a 500)
        lock(plan.site)
        areas, people = _check_plan(plan.site, details, plan.id)
        db.session.execute(
            sa.delete(PlannedWalk).where(
                PlannedWalk.plan_id == plan.id,
                PlannedWalk.local_date > today,
                PlannedWalk.audit_id.is_(None),
            )
        )
        plan.name = details.name.strip()
        plan.template_id = details.template_id
        plan.frequency = details.frequency
        plan.weekdays = details.weekdays
        plan.day_of_month = details.day_of_month
        plan.layer_id = details.layer_id
        plan.rotate = details.rotate
        plan.areas = areas
        plan.people = people
        if plan.planned_until is not None and plan.planned_until > today:
            plan.planned_until = today
    return plan


def areas_checklist_skips(plan: WalkPlan) -> list[Area]:
    """The plan's areas its checklist is not assigned to. The plan still asks for the walk
    there (the walk's own link starts it on the phone), but the area screen does not offer the
    checklist: the leader who saves the plan is told so."""
    return areas_outside(plan.template, list(plan.areas))


def stop_plan(plan: WalkPlan, now: datetime | None = None) -> None:
    """No walks after today; today's and earlier stay."""
    today = site_today(plan.site, now)
    with write_transaction():
        lock(plan)
        db.session.execute(
            sa.delete(PlannedWalk).where(
                PlannedWalk.plan_id == plan.id,
                PlannedWalk.local_date > today,
                PlannedWalk.audit_id.is_(None),
            )
        )
        plan.active = False

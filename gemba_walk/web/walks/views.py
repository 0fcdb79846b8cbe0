"""Walk plans, layers and shifts (leaders and admins); the kamishibai board and a walk's page
(everyone signed in)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from gemba_walk.areas.models import Site
from gemba_walk.auth.models import User
from gemba_walk.auth.roles import leader_required
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.i18n import lazy_gettext as _l
from gemba_walk.core.ids import parse_id, utcnow
from gemba_walk.core.localtime import local_today
from gemba_walk.extensions import db
from gemba_walk.walks import operations, planning, queries
from gemba_walk.walks.models import Layer, LayerMember, PlannedWalk, Shift, WalkPlan
from gemba_walk.walks.operations import PlanDetails, WalkError
from gemba_walk.web.walks.forms import WEEKDAYS, LayerForm, MemberForm, PlanForm, ShiftForm

# How a plan's frequency reads in the list of plans.
FREQUENCY_WORDS = {
    "daily": _l("daily"),
    "weekdays": _l("weekdays"),
    "every_shift": _l("every shift"),
    "weekly": _l("weekly"),
    "monthly": _l("monthly"),
}

bp = Blueprint("walks", __name__, url_prefix="/walks")

BOARD_DAYS = (7, 14, 28)


def _site() -> Site:
    """The site asked for (?site=), else the first active one; 404 when there is none."""
    site_id = parse_id(request.args.get("site", ""))
    query = sa.select(Site).where(Site.active).order_by(Site.id)
    if site_id is not None:
        query = query.where(Site.id == site_id)
    site = db.session.scalar(query.limit(1))
    if site is None:
        abort(404, _("There is no such site."))
    return site


def _sites() -> list[Site]:
    return list(db.session.scalars(sa.select(Site).where(Site.active).order_by(Site.name)))


# --- plans, layers, shifts --------------------------------------------------------------------


@bp.get("/plans")
@leader_required
def plans():
    """A site's plans, layers (with their people) and shifts."""
    site = _site()
    site_plans = db.session.scalars(
        sa.select(WalkPlan)
        .where(WalkPlan.site_id == site.id)
        .order_by(~WalkPlan.active, WalkPlan.name)
    ).all()
    layers = db.session.scalars(
        sa.select(Layer).where(Layer.site_id == site.id).order_by(Layer.rank, Layer.name)
    ).all()
    members = db.session.execute(
        sa.select(LayerMember.layer_id, User.name)
        .join(User, User.id == LayerMember.user_id)
        .where(LayerMember.site_id == site.id)
        .order_by(User.name)
    ).all()
    people_of: dict[int, list[str]] = {}
    for layer_id, name in members:
        people_of.setdefault(layer_id, []).append(name)
    shifts = db.session.scalars(
        sa.select(Shift).where(Shift.site_id == site.id).order_by(Shift.starts)
    ).all()
    member_form = MemberForm()
    member_form.user_id.choices = [
        (u.id, u.name)
        for u in db.session.scalars(sa.select(User).where(User.active).order_by(User.name))
    ]
    member_form.layer_id.choices = [SelectChoice(0, "— no layer —")] + [
        SelectChoice(x.id, x.name) for x in layers
    ]
    return render_template(
        "walks/plans.html",
        site=site,
        sites=_sites(),
        plans=site_plans,
        layers=layers,
        people_of=people_of,
        shifts=shifts,
        layer_form=LayerForm(),
        shift_form=ShiftForm(),
        member_form=member_form,
        frequencies=FREQUENCY_WORDS,
        weekday_names=[choice.label for choice in WEEKDAYS],
    )


def _back_to_plans(site: Site):
    return redirect(url_for("walks.plans", site=site.id))


@bp.post("/layers")
@leader_required
def add_layer():
    site = _site()
    form = LayerForm()
    if not form.validate_on_submit():
        raise WalkError(" ".join(str(e) for errors in form.errors.values() for e in errors))
    layer = operations.create_layer(site, form.name.data, form.rank.data)
    flash(_("Added the layer %(name)s.", name=layer.name), "success")
    return _back_to_plans(site)


@bp.post("/layers/<int:layer_id>")
@leader_required
def edit_layer(layer_id: int):
    """Rename a layer or change its level (its people and plans stay)."""
    layer = db.get_or_404(Layer, layer_id)
    form = LayerForm()
    if not form.validate_on_submit():
        raise WalkError(" ".join(str(e) for errors in form.errors.values() for e in errors))
    operations.rename_layer(layer, form.name.data, form.rank.data)
    flash(_("Saved the layer %(name)s.", name=layer.name), "success")
    return _back_to_plans(layer.site)


@bp.post("/layers/<int:layer_id>/remove")
@leader_required
def remove_layer(layer_id: int):
    layer = db.get_or_404(Layer, layer_id)
    site, name = layer.site, layer.name
    operations.remove_layer(layer)
    flash(_("Removed the layer %(name)s.", name=name), "success")
    return _back_to_plans(site)


@bp.post("/shifts/<int:shift_id>/remove")
@leader_required
def remove_shift(shift_id: int):
    shift = db.get_or_404(Shift, shift_id)
    site, name = shift.site, shift.name
    operations.remove_shift(shift)
    flash(_("Removed the shift %(name)s.", name=name), "success")
    return _back_to_plans(site)


@bp.post("/members")
@leader_required
def set_member():
    site = _site()
    user = db.session.get(User, parse_id(request.form.get("user_id", "")) or 0)
    if user is None:
        raise WalkError(_("Choose a person."))
    asked = (request.form.get("layer_id") or "").strip()
    layer_id = parse_id(asked)
    if asked not in ("", "0") and layer_id is None:  # "abc", 2**40: not "no layer"
        raise WalkError(_("Choose a layer of this site."))
    layer = db.session.get(Layer, layer_id) if layer_id else None
    if layer_id and layer is None:
        raise WalkError(_("Choose a layer of this site."))
    operations.set_layer(site, user, layer)
    flash(
        _("%(person)s: %(layer)s.", person=user.name, layer=layer.name if layer else _("no layer")),
        "success",
    )
    return _back_to_plans(site)


@bp.post("/shifts")
@leader_required
def add_shift():
    site = _site()
    form = ShiftForm()
    if not form.validate_on_submit():
        raise WalkError(" ".join(str(e) for errors in form.errors.values() for e in errors))
    shift = operations.create_shift(
        site, form.name.data, form.starts.data, form.ends.data, form.weekdays.data
    )
    flash(_("Added the shift %(name)s.", name=shift.name), "success")
    return _back_to_plans(site)


@bp.route("/plans/new", methods=["GET", "POST"])
@leader_required
def new_plan():
    return _plan_form(_site(), None)


@bp.route("/plans/<int:plan_id>", methods=["GET", "POST"])
@leader_required
def edit_plan(plan_id: int):
    plan = db.get_or_404(WalkPlan, plan_id)
    return _plan_form(plan.site, plan)


@bp.post("/plans/<int:plan_id>/stop")
@leader_required
def stop_plan(plan_id: int):
    plan = db.get_or_404(WalkPlan, plan_id)
    operations.stop_plan(plan)
    flash(_("Stopped %(name)s: no walks after today.", name=plan.name), "success")
    return _back_to_plans(plan.site)


def _plan_form(site: Site, plan: WalkPlan | None):
    form = PlanForm(obj=plan)
    form.load_choices(site)
    if request.method == "GET":
        if plan is not None:
            form.area_ids.data = [a.id for a in plan.areas]
            form.person_ids.data = [p.id for p in plan.people]
            form.weekdays.data = list(plan.weekdays)
            form.layer_id.data = plan.layer_id or 0
        else:
            form.starts_on.data = local_today(site.timezone)
    status = 200
    problem = None
    if form.validate_on_submit():
        details = PlanDetails(
            name=form.name.data,
            template_id=form.template_id.data,
            frequency=form.frequency.data,
            area_ids=list(form.area_ids.data or []),
            layer_id=form.layer_id.data or None,
            person_ids=list(form.person_ids.data or []),
            weekdays="".join(sorted(form.weekdays.data or [])),
            day_of_month=form.day_of_month.data,
            rotate=form.rotate.data,
            starts_on=form.starts_on.data,
        )
        try:
            if plan is None:
                plan = operations.create_plan(site, details, current_user)
                flash(_("Planned %(name)s.", name=plan.name), "success")
            else:
                operations.update_plan(plan, details)
                flash(
                    _("Saved %(name)s: the change applies from tomorrow.", name=plan.name),
                    "success",
                )
        except WalkError as error:
            problem = error.message
            status = error.status
        else:
            outside = operations.areas_checklist_skips(plan)
            if outside:
                flash(
                    _(
                        "Note: “%(checklist)s” is not assigned to %(areas)s. The plan still asks "
                        "for these walks and their links start the checklist there, but the area "
                        "page does not offer it. Assign the checklist to those areas (Admin → "
                        "Checklists → Where it applies) or take them out of the plan.",
                        checklist=plan.template.name,
                        areas=", ".join(area.code for area in outside),
                    ),
                    "warning",
                )
            return _back_to_plans(site)
    elif form.is_submitted():
        status = 422
    return (
        render_template("walks/plan_form.html", form=form, site=site, plan=plan, problem=problem),
        status,
    )


# --- the board and a walk ---------------------------------------------------------------------


@bp.get("/board")
@login_required
def board():
    """The kamishibai board: areas or people down the side, days across."""
    site = _site()
    planning.ensure_planned_cheaply(site.id)
    asked = request.args.get("days", "7")
    days = int(asked) if asked in {str(choice) for choice in BOARD_DAYS} else 7
    by = "person" if request.args.get("by") == "person" else "area"
    today = local_today(site.timezone)
    end = _date_arg("end") or today
    first = end - timedelta(days=days - 1)
    across = "shift" if request.args.get("across") == "shift" else "day"
    shown = queries.board(site, first, end, by, across=across)
    big = request.args.get("screen") == "big"
    return render_template(
        "walks/board_screen.html" if big else "walks/board.html",
        plant_now=utcnow(),
        board=shown,
        sites=_sites(),
        days=days,
        day_options=BOARD_DAYS,
        end=end,
        today=today,
        big=big,
        states=queries.STATES,
        refresh_seconds=60,
    )


def _date_arg(name: str) -> date | None:
    text = request.args.get(name, "")
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        abort(400, _("%(name)s must be a date such as 2026-11-26.", name=name))
    # Far enough for any plant's history and plans; past it, the days before it (and the plant's
    # time zone) run off the calendar.
    first, last = date(1970, 1, 1), date(2999, 12, 31)
    if not first <= day <= last:
        abort(
            400,
            _(
                "%(name)s must be a date between %(first)s and %(last)s.",
                name=name,
                first=first.isoformat(),
                last=last.isoformat(),
            ),
        )
    return day


@bp.get("/<int:walk_id>")
@login_required
def show(walk_id: int):
    """One planned walk: who, where, when (plant time), its state and the audit that did it."""
    walk = db.get_or_404(PlannedWalk, walk_id)
    [view] = queries.walk_views(sa.select(PlannedWalk).where(PlannedWalk.id == walk.id), utcnow())
    return render_template("walks/show.html", view=view, walk=walk, zone=walk.plan.site.timezone)

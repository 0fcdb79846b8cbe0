"""Admin pages of the checklist builder: list, create, edit the draft, publish, duplicate, retire.

The editor is one plain form (works without JavaScript): "Add item", "Remove", "Move up/down"
post the form back and re-render it unsaved; "Save draft" checks everything and stores it.
With JavaScript, "Add item" inserts a blank item from a <template> in place instead."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from gemba_walk.areas.models import Area, Site
from gemba_walk.audits import queries as audit_queries
from gemba_walk.auth.roles import admin_required
from gemba_walk.checklists import builder, texts
from gemba_walk.checklists.builder import (
    BuilderError,
    ItemSpec,
    Problems,
    ReachError,
    SpecError,
    TemplateSpec,
)
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.checklists.spec import MAX_ITEMS, SECTIONS_BY_KIND
from gemba_walk.core.i18n import gettext as _
from gemba_walk.extensions import db
from gemba_walk.lean import TEMPLATE_KINDS, keys

bp = Blueprint("checklists", __name__, url_prefix="/admin/checklists")


@bp.app_template_filter("problem_text")
def problem_text(text: str | None) -> str:
    return texts.shown_problem(text)


@bp.app_template_filter("checklist_name")
def checklist_name(template) -> str:
    return texts.shown_name(template)


ITEM_FIELDS = ("key", "section", "prompt", "help_text", "response_type", "levels")
ITEM_NUMBERS = ("min_value", "max_value", "ticket_threshold")
ACTION = re.compile(r"^(save|add|remove|up|down)(?:-(\d+))?$")


def _template(template_id: int) -> ChecklistTemplate:
    return db.get_or_404(ChecklistTemplate, template_id)


def _spec_from_form(kind: str) -> TemplateSpec:
    form = request.form
    try:
        count = int(form.get("item_count", "0"))
    except ValueError:
        abort(400, description=_("The form is damaged (item count). Reload the page."))
    if not 0 <= count <= MAX_ITEMS + 1:
        abort(
            400,
            description=_("A checklist holds at most %(most)s items.", most=MAX_ITEMS),
        )
    items = []
    for index in range(count):
        values = {name: form.get(f"item-{index}-{name}", "") for name in ITEM_FIELDS + ITEM_NUMBERS}
        values["photo_required"] = form.get(f"item-{index}-photo_required") == "y"
        items.append(ItemSpec(**values))
    return TemplateSpec(
        name=form.get("name", ""),
        kind=kind,
        description=form.get("description", ""),
        items=items,
    )


def _blank_item(kind: str) -> ItemSpec:
    sections = SECTIONS_BY_KIND.get(kind)
    return ItemSpec(
        section=sections[0].key if sections else "",
        response_type={"5s": "score", "waste": "yes_no"}.get(kind, "pass_fail"),
        ticket_threshold="2" if kind == "5s" else "",
    )


def _rearrange(spec: TemplateSpec, action: str, index: int | None) -> None:
    items = spec.items
    if action == "add":
        items.append(_blank_item(spec.kind))
        return
    if index is None or not 0 <= index < len(items):
        abort(400, description=_("That item is not in the form any more. Reload the page."))
    if action == "remove":
        items.pop(index)
    elif action == "up" and index > 0:
        items[index - 1], items[index] = items[index], items[index - 1]
    elif action == "down" and index < len(items) - 1:
        items[index + 1], items[index] = items[index], items[index + 1]


def _editor(template, spec, problems=None, status=200, notice=None):
    return (
        render_template(
            "checklists/edit.html",
            template=template,
            draft=builder.draft_of(template) if template else None,
            spec=spec,
            problems=problems or Problems(),
            notice=notice,
            sections=SECTIONS_BY_KIND.get(spec.kind),
            blank=_blank_item(spec.kind),  # the new item "+ Add item" inserts without a reload
        ),
        status,
    )


def _handle_editor_post(template: ChecklistTemplate | None, kind: str):
    spec = _spec_from_form(kind)
    match = ACTION.match(request.form.get("action", "save"))
    if not match:
        abort(400, description=_("Unknown button. Reload the page."))
    action, index = match.group(1), match.group(2)
    if action != "save":
        _rearrange(spec, action, int(index) if index is not None else None)
        return _editor(template, spec, notice=_("Not saved yet — press “Save draft” when done."))
    try:
        if template is None:
            template = builder.create_template(spec, current_user.id)
            flash(
                _(
                    "Created “%(name)s” as a draft. Publish it to send it to phones.",
                    name=template.name,
                ),
                "success",
            )
        else:
            version = builder.save_draft(template, spec, current_user.id)
            flash(
                _(
                    "Saved draft version %(number)s. Phones get it once you publish.",
                    number=version.number,
                ),
                "success",
            )
    except SpecError as error:
        return _editor(template, spec, error.problems, status=422)
    return redirect(url_for("checklists.show", template_id=template.id))


@bp.get("/")
@admin_required
def index():
    """Every checklist with its published version, its draft and whether it is retired."""
    templates = builder.list_templates()
    audits = audit_queries.audit_counts_by_template()
    return render_template(
        "checklists/index.html", templates=templates, audits=audits, draft_of=builder.draft_of
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """A new checklist of any kind; it starts as a draft."""
    kind = request.values.get("kind")
    if kind is None and request.method == "POST":
        abort(
            400,
            description=_("The form is damaged (no kind of checklist). Reload the page."),
        )
    if kind is None:
        return render_template("checklists/new.html", kinds=TEMPLATE_KINDS)
    if kind not in keys(TEMPLATE_KINDS):
        abort(400, description=_("“%(kind)s” is not a kind of checklist.", kind=kind))
    if request.method == "POST":
        return _handle_editor_post(None, kind)
    return _editor(None, TemplateSpec(kind=kind, items=[_blank_item(kind)]))


@bp.get("/<int:template_id>")
@admin_required
def show(template_id: int):
    """A checklist's versions (which one phones get, which audits used which) and its actions."""
    template = _template(template_id)
    audits = audit_queries.audit_counts_by_version([v.id for v in template.versions])
    number = request.args.get("version", type=int)
    shown = next((v for v in template.versions if v.number == number), None)
    if number is not None and shown is None:
        abort(404, description=_("This checklist has no version %(number)s.", number=number))
    shown = shown or builder.draft_of(template) or template.published_version
    shown = shown or builder.latest_version(template)
    return render_template(
        "checklists/show.html",
        template=template,
        shown=shown,
        draft=builder.draft_of(template),
        audits=audits,
        describe_reach=builder.describe_reach,
    )


@bp.route("/<int:template_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(template_id: int):
    """Edit the draft; a published version is copied into a new draft first, on save."""
    template = _template(template_id)
    if request.method == "POST":
        return _handle_editor_post(template, template.kind)
    source = builder.draft_of(template) or builder.latest_version(template)
    spec = builder.spec_of(template, source) if source else TemplateSpec(kind=template.kind)
    return _editor(template, spec)


def _ids(name: str) -> list[int] | None:
    """The chosen ids of one checkbox group, or None when one of them is not a number."""
    values = request.form.getlist(name)
    if len(values) > 10_000 or any(
        not value.isascii() or not value.isdigit() or len(value) > 24 for value in values
    ):
        return None
    return [int(value) for value in values]


@bp.route("/<int:template_id>/reach", methods=["GET", "POST"])
@admin_required
def reach(template_id: int):
    """Choose where the checklist applies: every area, the areas of chosen sites, chosen areas."""
    template = _template(template_id)
    scope = template.applies_to
    site_ids = [site.id for site in template.sites]
    area_ids = [area.id for area in template.areas]
    problem, status = None, 200
    if request.method == "POST":
        scope = request.form.get("applies_to", "")
        chosen_sites, chosen_areas = _ids("site"), _ids("area")
        try:
            if chosen_sites is None or chosen_areas is None:
                raise ReachError(_("The form names a site or area that does not exist. Reload it."))
            site_ids, area_ids = chosen_sites, chosen_areas
            builder.set_reach(template, scope, site_ids, area_ids)
        except ReachError as error:
            problem, status = error.message, error.status_code
        else:
            applies = builder.describe_reach(template)
            flash(
                _("“%(name)s” applies to: %(where)s.", name=template.name, where=applies),
                "success",
            )
            return redirect(url_for("checklists.show", template_id=template.id))
    sites = db.session.scalars(sa.select(Site).order_by(Site.name)).all()
    areas = db.session.scalars(
        sa.select(Area)
        .where(sa.or_(Area.active, Area.id.in_([area.id for area in template.areas])))
        .order_by(Area.code)
    ).all()
    return (
        render_template(
            "checklists/reach.html",
            template=template,
            scope=scope,
            site_ids=set(site_ids),
            area_ids=set(area_ids),
            sites=sites,
            areas=areas,
            problem=problem,
        ),
        status,
    )


def _step(template_id: int, step, done):
    template = _template(template_id)
    try:
        result = step(template)
    except BuilderError as error:  # a step that does not fit the checklist's state
        abort(409, description=str(error))
    flash(done(template, result), "success")
    target = result if isinstance(result, ChecklistTemplate) else template
    return redirect(url_for("checklists.show", template_id=target.id))


@bp.post("/<int:template_id>/publish")
@admin_required
def publish(template_id: int):
    """The draft becomes the version every phone receives with its next field pack."""

    def done(template, result):
        if template.retired:  # publishing does not bring a checklist back into use
            return _(
                "Published version %(number)s of “%(name)s”. It is retired: bring it back into "
                "use to send it to phones.",
                number=result.number,
                name=template.name,
            )
        return _(
            "Published version %(number)s of “%(name)s”. Phones get it with their next field "
            "data; audits already made keep the version they used.",
            number=result.number,
            name=template.name,
        )

    return _step(template_id, builder.publish, done)


@bp.post("/<int:template_id>/discard")
@admin_required
def discard(template_id: int):
    return _step(
        template_id,
        builder.discard_draft,
        lambda template, _result: _("Discarded the draft of “%(name)s”.", name=template.name),
    )


@bp.post("/<int:template_id>/duplicate")
@admin_required
def duplicate(template_id: int):
    return _step(
        template_id,
        lambda template: builder.duplicate(template, current_user.id),
        lambda _template, result: _(
            "Made “%(name)s” as a draft copy. Rename it, change it, then publish it.",
            name=result.name,
        ),
    )


@bp.post("/<int:template_id>/retire")
@admin_required
def retire(template_id: int):
    return _step(
        template_id,
        lambda template: builder.set_retired(template, True),
        lambda template, _result: _(
            "Retired “%(name)s”: phones no longer offer it; its audits and reports stay.",
            name=template.name,
        ),
    )


@bp.post("/<int:template_id>/restore")
@admin_required
def restore(template_id: int):
    return _step(
        template_id,
        lambda template: builder.set_retired(template, False),
        lambda template, _result: _("“%(name)s” is back in use.", name=template.name),
    )

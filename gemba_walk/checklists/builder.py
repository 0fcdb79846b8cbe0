"""Shaping checklists without a developer: drafts, validation, publishing, duplicating, retiring.

A template has at most one draft version at a time. Published versions never change: editing a
published template copies it into a new draft; publishing the draft supersedes the old version.
Audits point at the version they were made with, so old reports never change, and a phone that
still holds an older published (or superseded) version syncs it fine.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field

import sqlalchemy as sa

from gemba_walk.areas.models import Area, Site
from gemba_walk.checklists.models import (
    SCOPES,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateVersion,
    checklist_template_areas,
    checklist_template_sites,
)
from gemba_walk.checklists.problems import Problems, check_spec
from gemba_walk.checklists.spec import ChecklistSpec, ItemSpec, TemplateSpec, slugify
from gemba_walk.core.database import write_transaction
from gemba_walk.core.errors import RuleError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import MAX_ID, utcnow
from gemba_walk.extensions import db
from gemba_walk.field_rules import start_order

logger = logging.getLogger(__name__)


class BuilderError(RuleError):
    """A step on a template that cannot be taken (the message says why)."""

    status_code, error_code = 409, "builder_refused"


# --- reading --------------------------------------------------------------------------------


def spec_of(template: ChecklistTemplate, version: ChecklistTemplateVersion) -> TemplateSpec:
    return TemplateSpec(
        name=version.name,
        kind=template.kind,
        description=version.description or "",
        items=[ItemSpec.from_item(item) for item in version.items],
    )


def draft_of(template: ChecklistTemplate) -> ChecklistTemplateVersion | None:
    return next((v for v in template.versions if v.state == "draft"), None)


def latest_version(template: ChecklistTemplate) -> ChecklistTemplateVersion | None:
    return template.versions[-1] if template.versions else None


def list_templates() -> list[ChecklistTemplate]:
    return list(
        db.session.scalars(
            sa.select(ChecklistTemplate).order_by(
                ChecklistTemplate.retired, ChecklistTemplate.kind, ChecklistTemplate.name
            )
        )
    )


def applies_to_area(area: Area) -> sa.ColumnElement[bool]:
    """SQL: the checklist (a row of ChecklistTemplate) applies to ``area``."""
    template_id = ChecklistTemplate.id
    return sa.or_(
        ChecklistTemplate.applies_to == "all",
        sa.and_(
            ChecklistTemplate.applies_to == "sites",
            sa.exists().where(
                checklist_template_sites.c.template_id == template_id,
                checklist_template_sites.c.site_id == area.site_id,
            ),
        ),
        sa.and_(
            ChecklistTemplate.applies_to == "areas",
            sa.exists().where(
                checklist_template_areas.c.template_id == template_id,
                checklist_template_areas.c.area_id == area.id,
            ),
        ),
    )


def start_actions(area: Area) -> list[tuple[str, str]]:
    """(key, button label) of every checklist a phone can start in ``area``: published, not
    retired and applying to the area, by the published version's name; the same list and order
    as the phone's area screen (both follow gemba_walk/field_rules.json)."""
    startable = db.session.execute(
        sa.select(ChecklistTemplate.key, ChecklistTemplateVersion.name)
        .join(ChecklistTemplate.versions)
        .where(
            ChecklistTemplateVersion.state == "published",
            ~ChecklistTemplate.retired,
            applies_to_area(area),
        )
    ).all()
    return start_order({"key": key, "name": name} for key, name in startable)


@dataclass
class Assignments:
    """The chosen sites and areas of every checklist, read in one query (the field pack's cost
    does not grow with the number of assignments)."""

    sites: dict[int, set[int]] = field(default_factory=dict)  # template id -> site ids
    areas: dict[int, set[int]] = field(default_factory=dict)  # template id -> area ids

    @classmethod
    def load(cls) -> Assignments:
        found = cls()
        rows = db.session.execute(
            sa.union_all(
                sa.select(
                    checklist_template_sites.c.template_id,
                    sa.literal("site").label("what"),
                    checklist_template_sites.c.site_id.label("target"),
                ),
                sa.select(
                    checklist_template_areas.c.template_id,
                    sa.literal("area").label("what"),
                    checklist_template_areas.c.area_id.label("target"),
                ),
            )
        )
        for template_id, what, target in rows:
            chosen = found.sites if what == "site" else found.areas
            chosen.setdefault(template_id, set()).add(target)
        return found

    def applies(self, template: ChecklistTemplate, area: Area) -> bool:
        if template.applies_to == "sites":
            return area.site_id in self.sites.get(template.id, set())
        if template.applies_to == "areas":
            return area.id in self.areas.get(template.id, set())
        return True


def areas_outside(template: ChecklistTemplate, areas: list[Area]) -> list[Area]:
    """The areas among ``areas`` the checklist does not apply to."""
    if template.applies_to == "all":
        return []
    chosen = Assignments.load()
    return [area for area in areas if not chosen.applies(template, area)]


def describe_reach(template: ChecklistTemplate) -> str:
    """Where the checklist applies, in words for the admin pages."""
    if template.applies_to == "sites":
        return _("Areas of %(sites)s", sites=", ".join(site.name for site in template.sites))
    if template.applies_to == "areas":
        return ", ".join(f"{area.code} {area.name}" for area in template.areas)
    return _("Every area")


# --- changing -------------------------------------------------------------------------------


def _unique_key(name: str) -> str:
    base = slugify(name) or "checklist"
    taken = set(
        db.session.scalars(
            sa.select(ChecklistTemplate.key).where(ChecklistTemplate.key.like(f"{base}%"))
        )
    )
    key, counter = base, 2
    while key in taken:
        key, counter = f"{base}-{counter}", counter + 1
    return key


def _fill(version: ChecklistTemplateVersion, rows: list[dict]) -> None:
    version.items.clear()
    db.session.flush()  # the old rows go first: item keys are unique within a version
    for row in rows:
        version.items.append(ChecklistItem(**row))


def _checked(spec: TemplateSpec) -> ChecklistSpec:
    """The spec as its models check it; refused with every problem found (SpecError)."""
    checked, problems = check_spec(spec)
    if checked is None:
        raise SpecError(problems)
    return checked


def create_template(spec: TemplateSpec, user_id: int | None) -> ChecklistTemplate:
    """A new template with its first version as a draft; nothing reaches phones yet."""
    checked = _checked(spec)
    with write_transaction():
        template = ChecklistTemplate(
            key=_unique_key(checked.name),
            name=checked.name,
            kind=checked.kind,
            description=checked.description,
        )
        version = ChecklistTemplateVersion(
            template=template,
            number=1,
            name=template.name,
            description=template.description,
            created_by_id=user_id,
        )
        db.session.add(template)
        _fill(version, checked.rows())
    return template


def save_draft(template: ChecklistTemplate, spec: TemplateSpec, user_id: int | None):
    """Save the spec as the template's draft, starting a new draft version if there is none."""
    checked = _checked(dataclasses.replace(spec, kind=template.kind))
    with write_transaction():
        db.session.refresh(template, with_for_update=True)
        version = draft_of(template)
        if version is None:
            latest = latest_version(template)
            version = ChecklistTemplateVersion(
                template=template,
                number=(latest.number + 1) if latest else 1,
                created_by_id=user_id,
            )
            db.session.add(version)
        # The template keeps the published name until this draft is published.
        version.name = checked.name
        version.description = checked.description
        _fill(version, checked.rows())
    return version


def publish(template: ChecklistTemplate) -> ChecklistTemplateVersion:
    """Make the draft the version phones receive; the one before it is superseded."""
    with write_transaction():
        db.session.refresh(template, with_for_update=True)
        draft = draft_of(template)
        if draft is None:
            raise BuilderError(_("There is no draft to publish. Edit the checklist first."))
        _checked(spec_of(template, draft))
        for version in template.versions:
            if version.state == "published":
                version.state = "superseded"
        db.session.flush()
        draft.state = "published"
        draft.published_at = utcnow()
        template.name, template.description = draft.name, draft.description
    return draft


def discard_draft(template: ChecklistTemplate) -> None:
    with write_transaction():
        draft = draft_of(template)
        if draft is None:
            raise BuilderError(_("There is no draft to discard."))
        if len(template.versions) == 1:
            raise BuilderError(
                _(
                    "This checklist has never been published: retire it instead of discarding "
                    "its only version."
                )
            )
        template.versions.remove(draft)
        db.session.delete(draft)


def duplicate(template: ChecklistTemplate, user_id: int | None) -> ChecklistTemplate:
    """A new template (same kind, items copied from the newest version) as a draft."""
    source = latest_version(template)
    spec = spec_of(template, source) if source else TemplateSpec(kind=template.kind)
    spec.name = _("Copy of %(name)s", name=template.name)[:120]
    return create_template(spec, user_id)


class ReachError(BuilderError):
    """A choice of sites or areas that cannot be saved (the message says what to change)."""

    status_code, error_code = 422, "invalid_reach"


def set_reach(
    template: ChecklistTemplate, scope: str, site_ids: list[int], area_ids: list[int]
) -> None:
    """Choose where the checklist applies: every area, the areas of chosen sites, or chosen
    areas. Takes effect at once for every version (phones get it with their next field pack);
    audits already made, and audits synced later from a phone that still offered it, stay."""
    if scope not in SCOPES:
        raise ReachError(_("Choose where the checklist applies: every area, sites or areas."))
    if any(not 0 < number <= MAX_ID for number in site_ids + area_ids):
        raise ReachError(_("The form names a site or area that does not exist. Reload the page."))
    site_ids, area_ids = sorted(set(site_ids)), sorted(set(area_ids))
    sites: list[Site] = []
    areas: list[Area] = []
    if scope == "sites":
        if not site_ids:
            raise ReachError(_("Choose at least one site, or let the checklist apply everywhere."))
        sites = list(db.session.scalars(sa.select(Site).where(Site.id.in_(site_ids))))
        if len(sites) != len(site_ids):
            raise ReachError(_("Some chosen sites do not exist any more. Reload the page."))
    elif scope == "areas":
        if not area_ids:
            raise ReachError(_("Choose at least one area, or let the checklist apply everywhere."))
        areas = list(db.session.scalars(sa.select(Area).where(Area.id.in_(area_ids))))
        if len(areas) != len(area_ids):
            raise ReachError(_("Some chosen areas do not exist any more. Reload the page."))
    with write_transaction():
        template.applies_to = scope
        template.sites = sites
        template.areas = areas
    logger.info(
        "Checklist %s applies to %s (sites %s, areas %s)", template.key, scope, site_ids, area_ids
    )


def set_retired(template: ChecklistTemplate, retired: bool) -> None:
    """A retired template leaves the field pack; its audits and reports stay as they were."""
    with write_transaction():
        template.retired = retired


class SpecError(BuilderError):
    """A checklist as written that cannot be saved; ``problems`` says what, field by field."""

    status_code, error_code = 422, "invalid_checklist"

    def __init__(self, problems: Problems):
        super().__init__(" ".join(problems.messages()), problems.messages())
        self.problems = problems

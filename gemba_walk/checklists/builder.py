"""Shaping checklists without a developer: drafts, validation, publishing, duplicating, retiring.

A template has at most one draft version at a time. Published versions never change: editing a
published template copies it into a new draft; publishing the draft supersedes the old version.
Audits point at the version they were made with, so old reports never change, and a phone that
still holds an older published (or superseded) version syncs it fine.
"""

from __future__ import annotations

import logging
import re
import unicodedata
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
from gemba_walk.core.database import write_transaction
from gemba_walk.core.errors import RuleError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import MAX_ID, utcnow
from gemba_walk.extensions import db
from gemba_walk.field_rules import start_order
from gemba_walk.lean import (
    ABNORMALITY_CATEGORIES,
    FIVE_S_PILLARS,
    RESPONSE_TYPES,
    SCORE_LEVELS,
    SCORE_MAX,
    SCORE_MIN,
    SEVERITIES,
    TEMPLATE_KINDS,
    WASTES,
    keys,
    label_of,
)

logger = logging.getLogger(__name__)

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_ITEMS = 200
MAX_CHOICES = 30
SECTIONS_BY_KIND = {"5s": FIVE_S_PILLARS, "waste": WASTES}
# The phone builds an abnormality report's finding from these three answers.
ABNORMALITY_ITEMS = {
    "category": ("choice", set(keys(ABNORMALITY_CATEGORIES))),
    "severity": ("choice", set(keys(SEVERITIES))),
    "description": ("text", None),
}


class BuilderError(RuleError):
    """A step on a template that cannot be taken (the message says why)."""

    status_code, error_code = 409, "builder_refused"


@dataclass
class ItemSpec:
    """One checklist item as the builder form holds it (strings as typed, before checks)."""

    key: str = ""
    section: str = ""
    prompt: str = ""
    help_text: str = ""
    response_type: str = "score"
    levels: str = ""  # one per line: score level descriptions or the choices
    min_value: str = ""
    max_value: str = ""
    photo_required: bool = False
    ticket_threshold: str = ""

    @classmethod
    def from_item(cls, item: ChecklistItem) -> ItemSpec:
        return cls(
            key=item.key,
            section=item.section,
            prompt=item.prompt,
            help_text=item.help_text or "",
            response_type=item.response_type,
            levels="\n".join(item.levels or []),
            min_value=_number_text(item.min_value),
            max_value=_number_text(item.max_value),
            photo_required=item.photo_required,
            ticket_threshold="" if item.ticket_threshold is None else str(item.ticket_threshold),
        )


@dataclass
class TemplateSpec:
    name: str = ""
    kind: str = "custom"
    description: str = ""
    items: list[ItemSpec] = field(default_factory=list)


@dataclass
class Problems:
    """What is wrong with a spec: messages for the whole template and per item field."""

    general: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # "name", "item-3-key", ...

    def __bool__(self) -> bool:
        return bool(self.general or self.fields)

    def add(self, where: str, message: str) -> None:
        self.fields.setdefault(where, message)

    def messages(self) -> list[str]:
        return self.general + list(self.fields.values())


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:48]


def _parse_number(problems: Problems, where: str, text: str) -> float | None:
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        problems.add(where, _("“%(text)s” is not a number.", text=text))
        return None
    if value != value or value in (float("inf"), float("-inf")):
        problems.add(where, _("“%(text)s” is not a number.", text=text))
        return None
    return value


def check_spec(spec: TemplateSpec) -> tuple[list[dict], Problems]:
    """Validate a spec; return the items as model fields and the problems found.

    Every rule an admin can break has a message that says what to do."""
    problems = Problems()
    if not spec.name.strip():
        problems.add("name", _("Give the checklist a name."))
    elif len(spec.name.strip()) > 120:
        problems.add("name", _("Keep the name under 120 characters."))
    if spec.kind not in keys(TEMPLATE_KINDS):
        problems.add("kind", _("Choose what kind of checklist this is."))
    if not spec.items:
        problems.general.append(_("A checklist needs at least one item. Add an item, then save."))
    if len(spec.items) > MAX_ITEMS:
        problems.general.append(_("A checklist holds at most %(most)s items.", most=MAX_ITEMS))
    allowed_sections = SECTIONS_BY_KIND.get(spec.kind)
    rows: list[dict] = []
    seen_keys: dict[str, int] = {}
    for index, item in enumerate(spec.items):
        number = index + 1
        where = f"item-{index}"
        prompt = item.prompt.strip()
        if not prompt:
            problems.add(
                f"{where}-prompt",
                _("Item %(number)s: write the question to answer.", number=number),
            )
        elif len(prompt) > 300:
            problems.add(
                f"{where}-prompt",
                _("Item %(number)s: keep the question under 300 characters.", number=number),
            )
        key = (item.key.strip().lower() or slugify(prompt))[:64]
        if not key:
            problems.add(
                f"{where}-key",
                _("Item %(number)s: give it a key (letters and digits).", number=number),
            )
        elif not KEY_PATTERN.match(key):
            problems.add(
                f"{where}-key",
                _(
                    "Item %(number)s: the key “%(key)s” may hold only a–z, 0–9, - and _.",
                    number=number,
                    key=key,
                ),
            )
        elif key in seen_keys:
            problems.add(
                f"{where}-key",
                _(
                    "Item %(number)s: the key “%(key)s” is already used by item %(other)s. "
                    "Each item needs its own key.",
                    number=number,
                    key=key,
                    other=seen_keys[key],
                ),
            )
        else:
            seen_keys[key] = number
        section = item.section.strip()
        if allowed_sections is not None:
            if section not in keys(allowed_sections):
                names = ", ".join(_(term.label) for term in allowed_sections)
                problems.add(
                    f"{where}-section",
                    _("Item %(number)s: choose one of %(names)s.", number=number, names=names),
                )
        elif not section:
            section = "report" if spec.kind == "abnormality" else "checklist"
        elif len(section) > 64:
            problems.add(
                f"{where}-section",
                _("Item %(number)s: keep the section under 64 characters.", number=number),
            )
        response_type = item.response_type
        if response_type not in keys(RESPONSE_TYPES):
            problems.add(
                f"{where}-response_type",
                _("Item %(number)s: choose how it is answered.", number=number),
            )
        levels: list[str] | None = None
        min_value = max_value = None
        threshold: int | None = None
        lines = _lines(item.levels)
        if response_type == "score":
            if not lines:
                levels = list(SCORE_LEVELS)
            elif len(lines) != SCORE_MAX - SCORE_MIN + 1:
                problems.add(
                    f"{where}-levels",
                    _(
                        "Item %(number)s: describe each score %(low)s to %(high)s, one per line "
                        "(%(needed)s lines; you gave %(given)s), or leave it empty for the "
                        "standard levels.",
                        number=number,
                        low=SCORE_MIN,
                        high=SCORE_MAX,
                        needed=SCORE_MAX - SCORE_MIN + 1,
                        given=len(lines),
                    ),
                )
            else:
                levels = lines
            threshold_text = item.ticket_threshold.strip()
            if threshold_text:
                try:
                    threshold = int(threshold_text)
                except ValueError:
                    threshold = None
                if threshold is None or not SCORE_MIN <= threshold <= SCORE_MAX:
                    problems.add(
                        f"{where}-ticket_threshold",
                        _(
                            "Item %(number)s: the ticket threshold must be a whole score from "
                            "%(low)s to %(high)s (or empty for no ticket).",
                            number=number,
                            low=SCORE_MIN,
                            high=SCORE_MAX,
                        ),
                    )
                    threshold = None
        elif response_type == "choice":
            if len(lines) < 2:
                problems.add(
                    f"{where}-levels",
                    _("Item %(number)s: list at least two choices, one per line.", number=number),
                )
            elif len(lines) > MAX_CHOICES:
                problems.add(
                    f"{where}-levels",
                    _(
                        "Item %(number)s: at most %(most)s choices.",
                        number=number,
                        most=MAX_CHOICES,
                    ),
                )
            elif len(set(lines)) != len(lines):
                problems.add(
                    f"{where}-levels",
                    _("Item %(number)s: a choice is listed twice.", number=number),
                )
            elif any(len(line) > 120 for line in lines):
                problems.add(
                    f"{where}-levels",
                    _("Item %(number)s: keep each choice under 120 characters.", number=number),
                )
            else:
                levels = lines
        elif response_type == "number":
            min_value = _parse_number(problems, f"{where}-min_value", item.min_value)
            max_value = _parse_number(problems, f"{where}-max_value", item.max_value)
            if min_value is not None and max_value is not None and min_value > max_value:
                problems.add(
                    f"{where}-max_value",
                    _("Item %(number)s: the upper limit is below the lower limit.", number=number),
                )
        if item.photo_required and response_type == "text" and spec.kind != "abnormality":
            problems.add(
                f"{where}-photo_required",
                _(
                    "Item %(number)s: a written answer has no finding to photograph; ask for the "
                    "photo on a check, score or reading instead.",
                    number=number,
                ),
            )
        if item.photo_required and spec.kind == "abnormality" and key != "description":
            problems.add(
                f"{where}-photo_required",
                _(
                    "Item %(number)s: in an abnormality report the photo goes with the "
                    "description.",
                    number=number,
                ),
            )
        rows.append(
            {
                "key": key,
                "position": index,
                "section": section,
                "prompt": prompt,
                "help_text": item.help_text.strip(),
                "response_type": response_type,
                "levels": levels,
                "min_value": min_value,
                "max_value": max_value,
                "photo_required": bool(item.photo_required),
                "ticket_threshold": threshold,
            }
        )
    if spec.kind == "5s" and rows and not any(r["response_type"] == "score" for r in rows):
        problems.general.append(_("A 5S audit needs at least one item scored 0–5."))
    if spec.kind == "abnormality" and rows:
        by_key = {r["key"]: r for r in rows}
        for key, (response_type, allowed) in ABNORMALITY_ITEMS.items():
            row = by_key.get(key)
            if row is None or row["response_type"] != response_type:
                problems.general.append(
                    _(
                        "An abnormality report needs an item with the key “%(key)s” answered as "
                        "%(type)s: the phone turns it into the ticket.",
                        key=key,
                        type=label_of(RESPONSE_TYPES, response_type).lower(),
                    )
                )
            elif allowed is not None and not set(row["levels"] or []) <= allowed:
                problems.general.append(
                    _(
                        "The “%(key)s” choices must be among: %(allowed)s.",
                        key=key,
                        allowed=", ".join(sorted(allowed)),
                    )
                )
    return rows, problems


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


def create_template(spec: TemplateSpec, user_id: int | None) -> ChecklistTemplate:
    """A new template with its first version as a draft; nothing reaches phones yet."""
    rows, problems = check_spec(spec)
    if problems:
        raise SpecError(problems)
    with write_transaction():
        template = ChecklistTemplate(
            key=_unique_key(spec.name),
            name=spec.name.strip(),
            kind=spec.kind,
            description=spec.description.strip(),
        )
        version = ChecklistTemplateVersion(
            template=template,
            number=1,
            name=template.name,
            description=template.description,
            created_by_id=user_id,
        )
        db.session.add(template)
        _fill(version, rows)
    return template


def save_draft(template: ChecklistTemplate, spec: TemplateSpec, user_id: int | None):
    """Save the spec as the template's draft, starting a new draft version if there is none."""
    rows, problems = check_spec(
        TemplateSpec(spec.name, template.kind, spec.description, spec.items)
    )
    if problems:
        raise SpecError(problems)
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
        version.name = spec.name.strip()
        version.description = spec.description.strip()
        _fill(version, rows)
    return version


def publish(template: ChecklistTemplate) -> ChecklistTemplateVersion:
    """Make the draft the version phones receive; the one before it is superseded."""
    with write_transaction():
        db.session.refresh(template, with_for_update=True)
        draft = draft_of(template)
        if draft is None:
            raise BuilderError(_("There is no draft to publish. Edit the checklist first."))
        _rows, problems = check_spec(spec_of(template, draft))
        if problems:
            raise SpecError(problems)
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

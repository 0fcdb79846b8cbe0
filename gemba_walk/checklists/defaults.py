"""The checklists every plant starts with: a 5S audit, a waste walk and an abnormality report."""

from __future__ import annotations

import sqlalchemy as sa

from gemba_walk.checklists.models import ChecklistItem, ChecklistTemplate, ChecklistTemplateVersion
from gemba_walk.core.database import write_transaction
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import (
    ABNORMALITY_CATEGORIES,
    DEFAULT_TICKET_THRESHOLD,
    FIVE_S_PILLARS,
    N_,
    SCORE_LEVELS,
    SEVERITIES,
    WASTES,
    keys,
)

FIVE_S_QUESTIONS: dict[str, tuple[str, ...]] = {
    "sort": (
        N_("Only the tools, parts and materials needed for current work are in the area"),
        N_("Unneeded items are red-tagged and removed on schedule"),
        N_("Aisles, walkways and exits are free of clutter"),
    ),
    "set_in_order": (
        N_("Every tool and material has a marked, labelled home"),
        N_("Items are back in their home after use (shadow boards complete)"),
        N_("Floor markings for aisles, WIP and storage are clear and respected"),
    ),
    "shine": (
        N_("Floors, machines and benches are clean"),
        N_("Cleaning is used as inspection: leaks and damage are tagged"),
        N_("Cleaning materials are available and stored in place"),
    ),
    "standardize": (
        N_("Standard work and 5S standards are posted and current"),
        N_("Visual controls show normal versus abnormal at a glance"),
        N_("Cleaning and checking responsibilities are assigned and visible"),
    ),
    "sustain": (
        N_("The last 5S audit's actions are closed or on track"),
        N_("The team runs its 5S routine without being asked"),
        N_("Leaders walk the area and coach, not only inspect"),
    ),
}

DEFAULT_TEMPLATE_KEYS = ("5s-audit", "waste-walk", "abnormality-report")


def _five_s_items() -> list[ChecklistItem]:
    items = []
    for pillar in FIVE_S_PILLARS:
        for number, prompt in enumerate(FIVE_S_QUESTIONS[pillar.key], start=1):
            items.append(
                ChecklistItem(
                    key=f"{pillar.key}-{number}",
                    section=pillar.key,
                    prompt=prompt,
                    response_type="score",
                    levels=list(SCORE_LEVELS),
                    ticket_threshold=DEFAULT_TICKET_THRESHOLD,
                )
            )
    return items


def _waste_items() -> list[ChecklistItem]:
    return [
        ChecklistItem(
            key=waste.key,
            section=waste.key,
            prompt=f"{waste.label}: {waste.description}",
            help_text=N_("Observed? Add a note and photos of what you saw."),
            response_type="yes_no",
        )
        for waste in WASTES
    ]


def _abnormality_items() -> list[ChecklistItem]:
    return [
        ChecklistItem(
            key="category",
            section="report",
            prompt=N_("What kind of abnormality is it?"),
            response_type="choice",
            levels=keys(ABNORMALITY_CATEGORIES),
        ),
        ChecklistItem(
            key="severity",
            section="report",
            prompt=N_("How serious is it?"),
            response_type="choice",
            levels=keys(SEVERITIES),
        ),
        ChecklistItem(
            key="description",
            section="report",
            prompt=N_("What did you see? What should it be?"),
            response_type="text",
            photo_required=True,
        ),
    ]


DEFAULT_TEMPLATES = (
    ("5s-audit", N_("5S audit"), "5s", N_("Score each 5S item from 0 to 5."), _five_s_items),
    (
        "waste-walk",
        N_("Waste walk"),
        "waste",
        N_("Look for the eight wastes (TIMWOODS)."),
        _waste_items,
    ),
    (
        "abnormality-report",
        N_("Abnormality report"),
        "abnormality",
        N_("Report something that is not normal, by SQDCE."),
        _abnormality_items,
    ),
)


def ensure_default_templates() -> list[ChecklistTemplate]:
    """Create and publish the default templates that do not exist yet; keep existing ones."""
    created = []
    with write_transaction():
        for key, name, kind, description, build_items in DEFAULT_TEMPLATES:
            if db.session.scalar(sa.select(ChecklistTemplate).where(ChecklistTemplate.key == key)):
                continue
            template = ChecklistTemplate(key=key, name=name, kind=kind, description=description)
            version = ChecklistTemplateVersion(
                template=template,
                number=1,
                name=name,
                description=description,
                state="published",
                published_at=utcnow(),
            )
            for position, item in enumerate(build_items()):
                item.position = position
                version.items.append(item)
            db.session.add(template)
            created.append(template)
    return created

"""Checklist templates, their immutable published versions and the items within them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba_walk.areas.models import Area, Site
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import RESPONSE_TYPES, TEMPLATE_KINDS, keys

VERSION_STATES = ("draft", "published", "superseded")
# Where a checklist applies: every area, the areas of chosen sites, or chosen areas.
SCOPES = ("all", "sites", "areas")

checklist_template_sites = sa.Table(
    "checklist_template_sites",
    db.metadata,
    sa.Column("template_id", sa.ForeignKey("checklist_templates.id"), primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id"), primary_key=True, index=True),
)
checklist_template_areas = sa.Table(
    "checklist_template_areas",
    db.metadata,
    sa.Column("template_id", sa.ForeignKey("checklist_templates.id"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("areas.id"), primary_key=True, index=True),
)


class ChecklistTemplate(db.Model):
    """A named checklist; what an audit runs is one of its versions."""

    __tablename__ = "checklist_templates"
    __table_args__ = (
        sa.CheckConstraint(sa.column("kind").in_(keys(TEMPLATE_KINDS)), name="kind_known"),
        sa.CheckConstraint(sa.column("applies_to").in_(SCOPES), name="applies_to_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(16))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    retired: Mapped[bool] = mapped_column(default=False)
    # Not versioned: where a checklist applies changes at once, for every version of it.
    applies_to: Mapped[str] = mapped_column(sa.String(8), default="all", server_default="all")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[ChecklistTemplateVersion]] = relationship(
        back_populates="template", order_by="ChecklistTemplateVersion.number"
    )

    sites: Mapped[list[Site]] = relationship(
        secondary=checklist_template_sites, order_by="Site.name"
    )
    areas: Mapped[list[Area]] = relationship(
        secondary=checklist_template_areas, order_by="Area.code"
    )

    @property
    def published_version(self) -> ChecklistTemplateVersion | None:
        return next((v for v in self.versions if v.state == "published"), None)


class ChecklistTemplateVersion(db.Model):
    """One version of a template. Once published it never changes; audits point at it."""

    __tablename__ = "checklist_template_versions"
    __table_args__ = (
        sa.UniqueConstraint("template_id", "number", name="uq_template_versions_number"),
        sa.CheckConstraint(sa.column("state").in_(VERSION_STATES), name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_templates.id"), index=True)
    number: Mapped[int]
    # The name and description as this version shows them: a renamed checklist's old audits
    # keep the name they were made under (the template holds the published version's).
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(16), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    template: Mapped[ChecklistTemplate] = relationship(back_populates="versions")
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="version", order_by="ChecklistItem.position", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.state in ("published", "superseded")


class ChecklistItem(db.Model):
    __tablename__ = "checklist_items"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "key", name="uq_checklist_items_version_key"),
        sa.CheckConstraint(
            sa.column("response_type").in_(keys(RESPONSE_TYPES)), name="response_type_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("checklist_template_versions.id"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(64))  # stable across versions, for trends
    position: Mapped[int]
    section: Mapped[str] = mapped_column(sa.String(64))  # a pillar, waste or category key
    prompt: Mapped[str] = mapped_column(sa.String(300))
    help_text: Mapped[str] = mapped_column(sa.Text, default="")
    response_type: Mapped[str] = mapped_column(sa.String(16))
    levels: Mapped[list | None] = mapped_column(sa.JSON)  # level descriptions or choices
    min_value: Mapped[float | None]
    max_value: Mapped[float | None]
    photo_required: Mapped[bool] = mapped_column(default=False)
    ticket_threshold: Mapped[int | None]  # a score at or below opens a ticket

    version: Mapped[ChecklistTemplateVersion] = relationship(back_populates="items")

"""Audit layers, shifts, walk plans and planned walks (one per person, area and interval).

Planned walks are stored when their interval comes near (``planning.plan_walks``), so a plan
changed later never rewrites a walk already planned, and the board reads one table.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gemba_walk.areas.models import Area, Site
from gemba_walk.audits.models import Audit
from gemba_walk.auth.models import User
from gemba_walk.checklists.models import ChecklistTemplate
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db

FREQUENCIES = ("every_shift", "daily", "weekdays", "weekly", "monthly")

walk_plan_areas = sa.Table(
    "walk_plan_areas",
    db.metadata,
    sa.Column("plan_id", sa.ForeignKey("walk_plans.id"), primary_key=True),
    sa.Column("area_id", sa.ForeignKey("areas.id"), primary_key=True),
)

walk_plan_people = sa.Table(
    "walk_plan_people",
    db.metadata,
    sa.Column("plan_id", sa.ForeignKey("walk_plans.id"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
)


class Layer(db.Model):
    """An audit layer of a site: team leader, supervisor, manager, plant manager..."""

    __tablename__ = "audit_layers"
    __table_args__ = (sa.UniqueConstraint("site_id", "name", name="uq_audit_layers_site_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    rank: Mapped[int] = mapped_column(default=1)  # 1 = closest to the line

    site: Mapped[Site] = relationship()
    members: Mapped[list[LayerMember]] = relationship(back_populates="layer")


class LayerMember(db.Model):
    """A person's layer at a site: one layer per person and site."""

    __tablename__ = "audit_layer_members"
    __table_args__ = (sa.UniqueConstraint("site_id", "user_id", name="uq_layer_members_site_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    layer_id: Mapped[int] = mapped_column(sa.ForeignKey("audit_layers.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)

    layer: Mapped[Layer] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class Shift(db.Model):
    """A named shift of a site; ``ends`` before ``starts`` means it ends the next day."""

    __tablename__ = "shifts"
    __table_args__ = (sa.UniqueConstraint("site_id", "name", name="uq_shifts_site_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    starts: Mapped[time]
    ends: Mapped[time]
    weekdays: Mapped[str] = mapped_column(sa.String(7), default="01234")  # Monday = 0

    site: Mapped[Site] = relationship()


class WalkPlan(db.Model):
    """Which checklist, which areas, how often, for whom."""

    __tablename__ = "walk_plans"
    __table_args__ = (
        sa.CheckConstraint(sa.column("frequency").in_(FREQUENCIES), name="frequency_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_templates.id"))
    frequency: Mapped[str] = mapped_column(sa.String(16))
    weekdays: Mapped[str] = mapped_column(sa.String(7), default="01234")
    day_of_month: Mapped[int | None]
    layer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("audit_layers.id"), index=True)
    rotate: Mapped[bool] = mapped_column(default=False)
    starts_on: Mapped[date]
    active: Mapped[bool] = mapped_column(default=True)
    # Walks are stored up to this local date; a change applies to the dates after it.
    planned_until: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site] = relationship()
    template: Mapped[ChecklistTemplate] = relationship()
    layer: Mapped[Layer | None] = relationship()
    areas: Mapped[list[Area]] = relationship(secondary=walk_plan_areas, order_by="Area.code")
    people: Mapped[list[User]] = relationship(secondary=walk_plan_people, order_by="User.id")


class PlannedWalk(db.Model):
    """One walk due: a person, an area, a window in UTC (and its local date and shift)."""

    __tablename__ = "planned_walks"
    __table_args__ = (
        sa.UniqueConstraint(
            "plan_id", "area_id", "user_id", "window_start", name="uq_planned_walks_slot"
        ),
        sa.Index("ix_planned_walks_site_date", "site_id", "local_date"),
        sa.Index("ix_planned_walks_user_date", "user_id", "local_date"),
        sa.Index("ix_planned_walks_match", "area_id", "template_id", "window_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("walk_plans.id"), index=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id"))
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id"))
    template_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_templates.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    local_date: Mapped[date]
    shift_name: Mapped[str] = mapped_column(sa.String(40), default="")
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    # The audit that did it: unique, so one audit never counts for two walks.
    audit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("audits.id"), unique=True)
    done_at: Mapped[datetime | None]  # the trusted capture time (see planning.capture_time)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[WalkPlan] = relationship()
    area: Mapped[Area] = relationship()
    user: Mapped[User] = relationship()
    audit: Mapped[Audit | None] = relationship()
    template: Mapped[ChecklistTemplate] = relationship()

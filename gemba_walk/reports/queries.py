"""The SQL behind the insight pages and the exports: each a query the views run or stream."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from gemba_walk.areas.models import Area, Site
from gemba_walk.audits.models import Audit, Finding, Photo, Response
from gemba_walk.auth.models import User
from gemba_walk.checklists.models import ChecklistItem, ChecklistTemplateVersion
from gemba_walk.extensions import db
from gemba_walk.tickets.models import KaizenTicket


def _in_scope(query: sa.Select, area_column, site_id: int | None, area_id: int | None):
    if site_id is not None:
        query = query.where(Area.site_id == site_id)
    if area_id is not None:
        query = query.where(area_column == area_id)
    return query


def audit_rows(since: datetime, site_id: int | None = None, area_id: int | None = None):
    """Audits submitted since then, one row per answered item, in the order they were made."""
    query = (
        sa.select(
            Audit.uuid,
            Audit.submitted_at,
            Site.name.label("site"),
            Site.timezone.label("timezone"),
            Area.code,
            Area.name.label("area"),
            ChecklistTemplateVersion.name.label("checklist"),
            ChecklistTemplateVersion.number.label("version"),
            User.name.label("auditor"),
            Audit.scanned_at,
            ChecklistItem.section,
            ChecklistItem.prompt,
            Response.score,
            Response.value_bool,
            Response.value_number,
            Response.value_text,
            Response.note,
            Audit.score_total,
        )
        .select_from(Response)
        .join(Audit, Response.audit_id == Audit.id)
        .join(ChecklistItem, Response.item_id == ChecklistItem.id)
        .join(Area, Audit.area_id == Area.id)
        .join(Site, Area.site_id == Site.id)
        .join(User, Audit.auditor_id == User.id)
        .join(ChecklistTemplateVersion, Audit.template_version_id == ChecklistTemplateVersion.id)
    )
    query = _in_scope(query, Audit.area_id, site_id, area_id)
    return query.where(Audit.submitted_at >= since).order_by(
        Audit.submitted_at, Audit.id, ChecklistItem.position
    )


def finding_rows(since: datetime, site_id: int | None = None, area_id: int | None = None):
    """Findings observed since then, one row each, with the ticket each opened or joined; photos
    counted once per finding in a grouped subquery."""
    photos = (
        sa.select(Photo.finding_id, sa.func.count(Photo.id).label("count"))
        .where(Photo.finding_id.is_not(None))
        .group_by(Photo.finding_id)
        .subquery()
    )
    query = (
        sa.select(
            Finding.observed_at,
            Site.name.label("site"),
            Site.timezone.label("timezone"),
            Area.code,
            Area.name.label("area"),
            Finding.kind,
            Finding.category,
            Finding.severity,
            Finding.description,
            User.name.label("reporter"),
            KaizenTicket.number,
            sa.func.coalesce(photos.c.count, 0).label("photos"),
        )
        .select_from(Finding)
        .join(Area, Finding.area_id == Area.id)
        .join(Site, Area.site_id == Site.id)
        .join(User, Finding.reported_by_id == User.id)
        .outerjoin(KaizenTicket, Finding.ticket_id == KaizenTicket.id)
        .outerjoin(photos, photos.c.finding_id == Finding.id)
    )
    query = _in_scope(query, Finding.area_id, site_id, area_id)
    return query.where(Finding.observed_at >= since).order_by(Finding.observed_at, Finding.id)


def audit_for_report(uuid: str) -> Audit | None:
    """One audit with everything its printable report shows, loaded up front."""
    return db.session.scalar(
        sa.select(Audit)
        .where(Audit.uuid == uuid)
        .options(
            selectinload(Audit.area).selectinload(Area.site),
            selectinload(Audit.auditor),
            selectinload(Audit.responses).selectinload(Response.item),
            selectinload(Audit.findings).selectinload(Finding.photos),
            selectinload(Audit.template_version).selectinload(ChecklistTemplateVersion.items),
        )
    )


def tickets_of_findings(findings: list[Finding]) -> dict[int, KaizenTicket]:
    """The tickets these findings opened or joined, by ticket id."""
    ids = [f.ticket_id for f in findings if f.ticket_id]
    return {
        t.id: t for t in db.session.scalars(sa.select(KaizenTicket).where(KaizenTicket.id.in_(ids)))
    }


def previous_audit(audit: Audit) -> Audit | None:
    """The same area's audit of the same kind submitted just before this one (for comparison)."""
    return db.session.scalar(
        sa.select(Audit)
        .where(
            Audit.area_id == audit.area_id,
            Audit.kind == audit.kind,
            Audit.submitted_at < audit.submitted_at,
            Audit.id != audit.id,
        )
        .order_by(Audit.submitted_at.desc(), Audit.id.desc())
        .limit(1)
    )

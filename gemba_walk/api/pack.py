"""The field pack: everything a phone needs to audit with no network."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from gemba_walk.api.schema import (
    LastFiveS,
    Pack,
    PackArea,
    PackItem,
    PackSite,
    PackTemplate,
    PackTicket,
    PackUser,
    PackWalk,
    RetiredToken,
)
from gemba_walk.areas.models import Area, RetiredQrToken, Site
from gemba_walk.audits.models import Audit
from gemba_walk.auth.models import User
from gemba_walk.checklists.builder import Assignments
from gemba_walk.checklists.models import ChecklistTemplate, ChecklistTemplateVersion
from gemba_walk.checklists.texts import shown, shown_levels, shown_problem
from gemba_walk.core.i18n import DEFAULT_LOCALE, js_messages
from gemba_walk.core.localtime import local_today, plant_zone
from gemba_walk.extensions import db
from gemba_walk.lean import OPEN_TICKET_STATUSES, vocabulary
from gemba_walk.tickets.models import KaizenTicket
from gemba_walk.walks.planning import ensure_planned_cheaply
from gemba_walk.walks.queries import pack_walks


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def build_field_pack(user: User, language: str = DEFAULT_LOCALE) -> Pack:
    """Sites, active areas with their open tickets and last 5S, published checklists, the
    person's planned walks (today, tomorrow and overdue), and the capture shell's words in
    ``language``."""
    ensure_planned_cheaply()
    sites = db.session.scalars(sa.select(Site).where(Site.active).order_by(Site.name)).all()
    areas = db.session.scalars(
        sa.select(Area)
        .options(joinedload(Area.owner))
        .where(Area.active, Area.site_id.in_([s.id for s in sites]))
        .order_by(Area.code)
    ).all()
    tickets_by_area = _open_tickets_by_area()
    last_scores = _last_five_s_by_area()
    versions = _published_versions()
    assignments = Assignments.load()
    retired = db.session.execute(sa.select(RetiredQrToken.token, RetiredQrToken.area_id)).all()
    inactive = db.session.scalars(sa.select(User.id).where(~User.active).order_by(User.id)).all()
    return Pack(
        user=PackUser(id=user.id, name=user.name, role=user.role),
        inactive_people=list(inactive),
        vocabulary=vocabulary(),
        sites=[PackSite(id=s.id, name=s.name, timezone=s.timezone) for s in sites],
        # Plant local time on the phone: the zone pages use (core/localtime.py), for Intl.
        timezone=plant_zone(),
        walks=[PackWalk.model_validate(walk) for walk in pack_walks(user, local_today())],
        areas=[
            PackArea(
                id=a.id,
                site_id=a.site_id,
                token=a.qr_token,
                name=a.name,
                code=a.code,
                description=a.description,
                owner=a.owner.name if a.owner else None,
                last_five_s=last_scores.get(a.id),
                open_tickets=tickets_by_area.get(a.id, []),
                andon=a.andon_enabled,
                checklists=[v.template.key for v in versions if assignments.applies(v.template, a)],
            )
            for a in areas
        ],
        retired_tokens=[RetiredToken(token=token, area_id=area_id) for token, area_id in retired],
        language=language,
        messages=js_messages(language),
        templates=[_pack_template(v) for v in versions],
    )


def _open_tickets_by_area() -> dict[int, list[PackTicket]]:
    """Each area's open tickets, most urgent first (the phone offers them as "same as")."""
    tickets_by_area: dict[int, list[PackTicket]] = {}
    tickets = db.session.scalars(
        sa.select(KaizenTicket)
        .where(KaizenTicket.status.in_(OPEN_TICKET_STATUSES))
        .order_by(KaizenTicket.priority, KaizenTicket.due_date, KaizenTicket.number)
    )
    for ticket in tickets:
        tickets_by_area.setdefault(ticket.area_id, []).append(
            PackTicket(
                number=ticket.display_number,
                title=shown_problem(ticket.title),
                status=ticket.status,
                due=ticket.due_date.isoformat() if ticket.due_date else None,
                occurrences=ticket.occurrences,
            )
        )
    return tickets_by_area


def _last_five_s_by_area() -> dict[int, LastFiveS]:
    """Each area's latest 5S score and when it was given."""
    latest = (
        sa.select(Audit.area_id, sa.func.max(Audit.submitted_at).label("at"))
        .where(Audit.kind == "5s")
        .group_by(Audit.area_id)
        .subquery()
    )
    return {
        area_id: LastFiveS(score=score, at=_iso(at))
        for area_id, score, at in db.session.execute(
            sa.select(Audit.area_id, Audit.score_total, Audit.submitted_at).join(
                latest,
                sa.and_(Audit.area_id == latest.c.area_id, Audit.submitted_at == latest.c.at),
            )
        )
    }


def _published_versions() -> list[ChecklistTemplateVersion]:
    """The published version of every checklist in use, with its items."""
    return list(
        db.session.scalars(
            sa.select(ChecklistTemplateVersion)
            .join(ChecklistTemplateVersion.template)
            .options(
                selectinload(ChecklistTemplateVersion.items),
                joinedload(ChecklistTemplateVersion.template),
            )
            .where(ChecklistTemplateVersion.state == "published", ~ChecklistTemplate.retired)
            .order_by(ChecklistTemplate.kind, ChecklistTemplate.name)
        ).all()
    )


def _pack_template(v: ChecklistTemplateVersion) -> PackTemplate:
    """A checklist as the phone reads it, in the words of the pack's language."""
    return PackTemplate(
        key=v.template.key,
        name=shown(v, v.name),
        kind=v.template.kind,
        version_id=v.id,
        version=v.number,
        items=[
            PackItem(
                id=i.id,
                key=i.key,
                section=i.section,
                prompt=shown(v, i.prompt),
                help=shown(v, i.help_text),
                response_type=i.response_type,
                levels=shown_levels(v, i.levels),
                min=i.min_value,
                max=i.max_value,
                photo_required=i.photo_required,
                ticket_threshold=i.ticket_threshold,
            )
            for i in v.items
        ],
    )

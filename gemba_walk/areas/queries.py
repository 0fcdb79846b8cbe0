"""Read-only questions about areas: search, lookup by token or code, labels."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from gemba_walk.areas.models import Area, RetiredQrToken, Site
from gemba_walk.extensions import db
from gemba_walk.field_rules import area_code_key


def active_sites() -> list[Site]:
    return list(db.session.scalars(sa.select(Site).where(Site.active).order_by(Site.name)))


def search_areas(
    text: str = "",
    site_id: int | None = None,
    include_archived: bool = False,
    page: int = 1,
    per_page: int = 50,
):
    """Areas matching the text in their code, name or description; a Flask-SQLAlchemy page."""
    query = (
        sa.select(Area)
        .join(Area.site)
        .options(joinedload(Area.site), joinedload(Area.owner))
        .order_by(Site.name, Area.code)
    )
    if text.strip():
        pattern = f"%{text.strip().lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Area.code).like(pattern),
                sa.func.lower(Area.name).like(pattern),
                sa.func.lower(Area.description).like(pattern),
            )
        )
    if site_id:
        query = query.where(Area.site_id == site_id)
    if not include_archived:
        query = query.where(Area.active)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def areas_with_code(code: str) -> list[Area]:
    """Every active area with this short code (one per site at most), typed in any case, with or
    without its hyphen ('a11' finds A-11)."""
    wanted = area_code_key(code)
    if not wanted:
        return []
    query = sa.select(Area).options(joinedload(Area.site)).where(Area.active).order_by(Area.id)
    return [area for area in db.session.scalars(query) if area_code_key(area.code) == wanted]


def area_by_token(token: str) -> Area | None:
    return db.session.scalar(
        sa.select(Area).options(joinedload(Area.site)).where(Area.qr_token == token)
    )


def retired_token(token: str) -> RetiredQrToken | None:
    return db.session.scalar(
        sa.select(RetiredQrToken)
        .options(joinedload(RetiredQrToken.area))
        .where(RetiredQrToken.token == token)
    )


def areas_for_labels(
    site_id: int | None, area_ids: list[int], offset: int, limit: int
) -> tuple[list[Area], int]:
    """Active areas to print labels for (a selection, a site or all) and how many in total."""
    query = sa.select(Area).join(Area.site).where(Area.active)
    if area_ids:
        query = query.where(Area.id.in_(area_ids))
    if site_id:
        query = query.where(Area.site_id == site_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    page = query.options(joinedload(Area.site)).order_by(Site.name, Area.code)
    return list(db.session.scalars(page.offset(offset).limit(limit))), total


def plant_zone_name() -> str | None:
    """The zone pages use when a record's own site is not at hand: the first active site's."""
    return db.session.scalar(sa.select(Site.timezone).where(Site.active).order_by(Site.id).limit(1))

"""Named operations on sites and areas: create, edit, archive, rotate a label, record a scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gemba_walk.areas.models import Area, AreaScan, RetiredQrToken, Site
from gemba_walk.auth.models import User
from gemba_walk.core.database import write_transaction
from gemba_walk.core.errors import RuleError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import new_qr_token, new_uuid, utcnow
from gemba_walk.core.localtime import is_time_zone
from gemba_walk.extensions import db
from gemba_walk.lean import VERIFICATION_MODES, keys

# Reloading the area page right after a scan is the same visit, not a second scan.
SAME_VISIT = timedelta(minutes=10)


class AreaError(RuleError):
    """A change to a site or area that cannot be made, with the reason in plain words."""

    error_code = "area_refused"


@dataclass
class AreaDetails:
    name: str
    code: str
    description: str
    owner_id: int | None


def normalise_code(code: str) -> str:
    return code.strip().upper()


def _check_time_zone(timezone: str) -> None:
    if not is_time_zone(timezone):
        raise AreaError(
            _(
                "%(zone)s is not a time zone from the list (e.g. Europe/Berlin).",
                zone=repr(timezone),
            )
        )


def create_site(name: str, timezone: str = "UTC") -> Site:
    _check_time_zone(timezone)
    with write_transaction():
        if db.session.scalar(sa.select(Site).where(Site.name == name.strip())):
            raise AreaError(_("There is already a site called %(name)s.", name=name.strip()))
        site = Site(name=name.strip(), timezone=timezone)
        db.session.add(site)
    return site


def update_site(site: Site, name: str, timezone: str) -> Site:
    _check_time_zone(timezone)
    with write_transaction():
        clash = db.session.scalar(
            sa.select(Site).where(Site.name == name.strip(), Site.id != site.id)
        )
        if clash:
            raise AreaError(_("There is already a site called %(name)s.", name=name.strip()))
        site.name = name.strip()
        site.timezone = timezone
    return site


def set_verification_mode(site: Site, mode: str) -> Site:
    """Who may verify a done ticket at this site (lean.VERIFICATION_MODES)."""
    if mode not in keys(VERIFICATION_MODES):
        raise AreaError(_("Unknown verification setting “%(mode)s”.", mode=mode[:40]))
    with write_transaction():
        site.verification_mode = mode
    return site


def _check_code_free(site_id: int, code: str, area_id: int | None = None) -> None:
    query = sa.select(Area).where(Area.site_id == site_id, Area.code == code)
    if area_id is not None:
        query = query.where(Area.id != area_id)
    clash = db.session.scalar(query)
    if clash is not None:
        raise AreaError(
            _(
                "The code %(code)s is already used by %(area)s at this site.",
                code=code,
                area=clash.name,
            )
        )


def _check_owner(owner_id: int | None) -> None:
    if owner_id is None:
        return
    owner = db.session.get(User, owner_id)
    if owner is None or not owner.active:
        raise AreaError(_("Choose an active user as the owner."))


def create_area(site: Site, details: AreaDetails) -> Area:
    code = normalise_code(details.code)
    with write_transaction():
        _check_code_free(site.id, code)
        _check_owner(details.owner_id)
        area = Area(
            site=site,
            name=details.name.strip(),
            code=code,
            description=details.description.strip(),
            owner_id=details.owner_id,
        )
        db.session.add(area)
    return area


def update_area(area: Area, details: AreaDetails) -> Area:
    code = normalise_code(details.code)
    with write_transaction():
        _check_code_free(area.site_id, code, area.id)
        _check_owner(details.owner_id)
        area.name = details.name.strip()
        area.code = code
        area.description = details.description.strip()
        area.owner_id = details.owner_id
    return area


def set_area_active(area: Area, active: bool) -> Area:
    """Archive or restore an area. Areas are never deleted: their audits and tickets stay."""
    with write_transaction():
        area.active = active
    return area


def rotate_qr_token(area: Area, by: User) -> str:
    """Issue a new label token; the old one is kept so old labels can say they are outdated."""
    with write_transaction():
        db.session.add(RetiredQrToken(token=area.qr_token, area_id=area.id, retired_by_id=by.id))
        area.qr_token = new_qr_token()
        area.token_rotated_at = utcnow()
    return area.qr_token


def record_scan(area: Area, user: User, method: str) -> AreaScan:
    """Record that this user opened the area by scanning its label (proof of presence)."""
    now = utcnow()
    recent = db.session.scalar(
        sa.select(AreaScan)
        .where(
            AreaScan.area_id == area.id,
            AreaScan.user_id == user.id,
            AreaScan.scanned_at >= now - SAME_VISIT,
        )
        .order_by(AreaScan.scanned_at.desc())
        .limit(1)
    )
    if recent is not None:
        return recent
    with write_transaction():
        scan = AreaScan(
            uuid=new_uuid(), area_id=area.id, user_id=user.id, method=method, scanned_at=now
        )
        db.session.add(scan)
    return scan


def record_field_scan(uuid: str, area: Area, user: User, method: str, scanned_at) -> AreaScan:
    """A scan made in the capture shell on the phone; the same uuid again changes nothing."""
    try:
        with write_transaction():
            existing = db.session.scalar(sa.select(AreaScan).where(AreaScan.uuid == uuid))
            if existing is not None:
                return existing
            scan = AreaScan(
                uuid=uuid, area_id=area.id, user_id=user.id, method=method, scanned_at=scanned_at
            )
            db.session.add(scan)
    except IntegrityError:
        # The same scan arrived at the same moment through another request (PostgreSQL).
        existing = db.session.scalar(sa.select(AreaScan).where(AreaScan.uuid == uuid))
        if existing is None:
            raise
        return existing
    return scan

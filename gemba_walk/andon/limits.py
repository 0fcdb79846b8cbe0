"""How many andon reports one address and one area may send, counted in the database.

Every worker and server reads the same rows (the reports themselves), so the limits hold
however many processes answer: per address (``ANDON_LIMIT_PER_ADDRESS``, 5 per 10 minutes, over
every area) and per area (``ANDON_LIMIT_PER_AREA``, 30 per hour, all addresses together).

A flood must not silence an area's andon: past the area's limit, an address that has not
reported there within that hour still gets through, at a lower rate for the whole area
(``ANDON_LIMIT_PER_AREA_NEW_ADDRESSES``, 10 per hour), and the area's leaders are told of the
flood once an hour (the ``andon.flooded`` hook). The address is kept only as a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import limits
import sqlalchemy as sa
from flask import current_app

from gemba_walk.andon.models import AndonReport
from gemba_walk.areas.models import Area
from gemba_walk.core import hooks
from gemba_walk.extensions import db


@dataclass(frozen=True)
class Decision:
    allowed: bool
    over_area_limit: bool = False  # let in past the area's limit: a new address in a flood


def address_key(address: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"andon:" + address.encode(), hashlib.sha256).hexdigest()


def _limit(name: str) -> tuple[int, timedelta]:
    item = limits.parse(current_app.config[name])
    return item.amount, timedelta(seconds=item.get_expiry())


def _count(*where) -> int:
    query = sa.select(sa.func.count()).select_from(AndonReport).where(*where)
    return db.session.scalar(query) or 0


def decide(area: Area, key: str, now: datetime, *, lock: bool = False) -> Decision:
    """Whether one more report from this address may come in now. With ``lock`` (inside the
    write transaction that stores it), the area's row is locked first so two workers cannot
    both take the last place, and a flood tells the area's leaders."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return Decision(True)
    if lock and db.engine.dialect.name == "postgresql":  # SQLite: BEGIN IMMEDIATE serialises
        db.session.execute(sa.select(Area.id).where(Area.id == area.id).with_for_update())
    amount, window = _limit("ANDON_LIMIT_PER_ADDRESS")
    if _count(AndonReport.address_key == key, AndonReport.received_at > now - window) >= amount:
        return Decision(False)
    amount, window = _limit("ANDON_LIMIT_PER_AREA")
    in_area = (AndonReport.area_id == area.id, AndonReport.received_at > now - window)
    reports = _count(*in_area)
    if reports < amount:
        return Decision(True)
    if lock:
        bucket = int(now.timestamp() // window.total_seconds())
        hooks.emit("andon.flooded", area=area, reports=reports, key=f"{area.id}:{bucket}")
    if _count(*in_area, AndonReport.address_key == key):
        return Decision(False)  # this address is part of the flood
    amount, window = _limit("ANDON_LIMIT_PER_AREA_NEW_ADDRESSES")
    late = _count(
        AndonReport.area_id == area.id,
        AndonReport.received_at > now - window,
        AndonReport.over_area_limit,
    )
    return Decision(late < amount, over_area_limit=True)

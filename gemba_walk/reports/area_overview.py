"""What an area page shows on arrival: its last audits, open tickets and the reader's last scan."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from gemba_walk.areas.models import Area, AreaScan
from gemba_walk.audits.models import Audit
from gemba_walk.extensions import db
from gemba_walk.lean import OPEN_TICKET_STATUSES
from gemba_walk.tickets.models import KaizenTicket


@dataclass
class AreaOverview:
    area: Area
    last_audit: Audit | None
    last_five_s: Audit | None
    open_tickets: list[KaizenTicket]
    last_scan: AreaScan | None


def area_overview(area: Area, user_id: int | None = None) -> AreaOverview:
    """What a leader wants on arrival: the last audit and score, and the open tickets."""
    latest = sa.select(Audit).where(Audit.area_id == area.id).order_by(Audit.submitted_at.desc())
    tickets = (
        sa.select(KaizenTicket)
        .options(joinedload(KaizenTicket.owner))
        .where(KaizenTicket.area_id == area.id, KaizenTicket.status.in_(OPEN_TICKET_STATUSES))
        .order_by(KaizenTicket.priority, KaizenTicket.due_date.is_(None), KaizenTicket.due_date)
    )
    scan = None
    if user_id is not None:
        scan = db.session.scalar(
            sa.select(AreaScan)
            .where(AreaScan.area_id == area.id, AreaScan.user_id == user_id)
            .order_by(AreaScan.scanned_at.desc())
            .limit(1)
        )
    return AreaOverview(
        area=area,
        last_audit=db.session.scalar(latest.limit(1)),
        last_five_s=db.session.scalar(latest.where(Audit.kind == "5s").limit(1)),
        open_tickets=list(db.session.scalars(tickets)),
        last_scan=scan,
    )

"""Where areas stand and where problems come from: Pareto of findings, ticket KPIs, the latest 5S
scores of every area, and areas nobody has walked lately.

Each function takes the period and site it is asked about and returns plain data (dataclasses),
so the dashboard, the tables under its charts and the tests read the same numbers. Areas and
problems only: nothing here ranks people.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit, Finding, Response
from gemba_walk.checklists.models import ChecklistItem
from gemba_walk.core.localtime import to_local
from gemba_walk.extensions import db
from gemba_walk.field_rules import score_change
from gemba_walk.lean import (
    ABNORMALITY_CATEGORIES,
    DEFAULT_TICKET_THRESHOLD,
    FIVE_S_PILLARS,
    N_,
    OPEN_TICKET_STATUSES,
    OVERDUE_TICKET_STATUSES,
    WASTES,
    Term,
    label_of,
)
from gemba_walk.reports.walk_insight import missed_by_area, planned_areas
from gemba_walk.tickets.models import KaizenTicket
from gemba_walk.walks.queries import walked_at

TERMS_BY_KIND: dict[str, tuple[Term, ...]] = {
    "waste": WASTES,
    "abnormality": ABNORMALITY_CATEGORIES,
    "5s": FIVE_S_PILLARS,
    # Your own checklists: their sections by name, findings on their own by SQDCE category.
    "custom": ABNORMALITY_CATEGORIES,
}
AGEING_BUCKETS = (
    (0, 7, N_("up to a week")),
    (8, 30, N_("8–30 days")),
    (31, 90, N_("31–90 days")),
    (91, None, N_("over 90 days")),
)


@dataclass(frozen=True)
class ParetoRow:
    key: str
    label: str
    count: int
    share: float  # of all findings in the chart, 0–1
    cumulative: float  # running share, 0–1


def pareto(counts: dict[str, int], terms: tuple[Term, ...] = ()) -> list[ParetoRow]:
    """Rows from the biggest cause down, with the cumulative share; ties in label order."""
    total = sum(counts.values())
    if not total:
        return []
    ordered = sorted(
        ((key, n) for key, n in counts.items() if n),
        key=lambda pair: (-pair[1], label_of(terms, pair[0]).lower()),
    )
    rows, running = [], 0
    for key, n in ordered:
        running += n
        rows.append(ParetoRow(key, label_of(terms, key), n, n / total, running / total))
    return rows


def findings_pareto(
    kind: str, start: datetime, end: datetime, site_id: int | None = None
) -> list[ParetoRow]:
    """Findings of one kind (waste, abnormality, 5s, custom) observed in [start, end), by
    category."""
    query = (
        sa.select(Finding.category, sa.func.count(Finding.id))
        .where(Finding.kind == kind, Finding.observed_at >= start, Finding.observed_at < end)
        .group_by(Finding.category)
    )
    if site_id:
        query = query.join(Area, Finding.area_id == Area.id).where(Area.site_id == site_id)
    return pareto(dict(db.session.execute(query).all()), TERMS_BY_KIND.get(kind, ()))


@dataclass(frozen=True)
class LowItem:
    key: str
    prompt: str
    section: str
    mean: float  # mean score 0–5 over the period's 5S audits
    audits: int  # how many audits scored it
    low: int  # how many scored it at or below its ticket threshold


def lowest_five_s_items(
    start: datetime, end: datetime, site_id: int | None = None, limit: int = 10
) -> list[LowItem]:
    """The 5S items that score lowest in [start, end): where to act, which a Pareto by pillar
    (all near 20 %) does not show. Items are matched across versions by their stable key."""
    mean = sa.func.avg(Response.score)
    threshold = sa.func.coalesce(ChecklistItem.ticket_threshold, DEFAULT_TICKET_THRESHOLD)
    query = (
        sa.select(
            ChecklistItem.key,
            sa.func.max(ChecklistItem.prompt),
            sa.func.max(ChecklistItem.section),
            mean,
            sa.func.count(Response.id),
            sa.func.sum(sa.case((Response.score <= threshold, 1), else_=0)),
        )
        .join(Response, Response.item_id == ChecklistItem.id)
        .join(Audit, Audit.id == Response.audit_id)
        .where(
            Audit.kind == "5s",
            Audit.submitted_at >= start,
            Audit.submitted_at < end,
            Response.score.is_not(None),
        )
        .group_by(ChecklistItem.key)
        .order_by(mean, ChecklistItem.key)
        .limit(limit)
    )
    if site_id:
        query = query.join(Area, Audit.area_id == Area.id).where(Area.site_id == site_id)
    return [
        LowItem(key, prompt, section, float(avg), int(count), int(low or 0))
        for key, prompt, section, avg, count, low in db.session.execute(query).all()
    ]


@dataclass(frozen=True)
class TicketKpis:
    open: int
    overdue: int
    recurred: int
    median_lead_days: float | None  # from the first finding to verification, verified tickets
    verified_in_period: int
    ageing: list[tuple[str, int]]  # open tickets by age


def ticket_kpis(
    today: date, start: datetime, end: datetime, site_id: int | None = None
) -> TicketKpis:
    def scoped(query):
        if site_id:
            return query.join(Area, KaizenTicket.area_id == Area.id).where(Area.site_id == site_id)
        return query

    count = sa.select(sa.func.count(KaizenTicket.id))
    is_open = KaizenTicket.status.in_(OPEN_TICKET_STATUSES)
    opened = db.session.scalars(scoped(sa.select(KaizenTicket.opened_at).where(is_open))).all()
    verified = db.session.execute(
        scoped(
            sa.select(
                sa.func.coalesce(KaizenTicket.first_observed_at, KaizenTicket.opened_at),
                KaizenTicket.verified_at,
            ).where(
                KaizenTicket.status == "verified",
                KaizenTicket.verified_at >= start,
                KaizenTicket.verified_at < end,
            )
        )
    ).all()
    lead_days = [(done - found).total_seconds() / 86400 for found, done in verified]
    ages = [(today - to_local(moment).date()).days for moment in opened]
    return TicketKpis(
        open=len(opened),
        overdue=db.session.scalar(
            scoped(
                count.where(
                    KaizenTicket.status.in_(OVERDUE_TICKET_STATUSES),
                    KaizenTicket.due_date < today,
                )
            )
        ),
        recurred=db.session.scalar(scoped(count.where(is_open, KaizenTicket.recurred))),
        median_lead_days=round(statistics.median(lead_days), 1) if lead_days else None,
        verified_in_period=len(verified),
        ageing=[
            (label, sum(1 for age in ages if low <= age and (high is None or age <= high)))
            for low, high, label in AGEING_BUCKETS
        ],
    )


@dataclass(frozen=True)
class HeatRow:
    area: Area
    audited_at: datetime | None
    pillars: dict[str, float]  # pillar key → score of the latest 5S audit
    total: float | None
    previous_total: float | None = None  # of the 5S audit before the latest

    @property
    def change(self) -> float | None:
        """Latest total minus the one before, as shown (negative: the area slips); None with
        fewer than 2 audits."""
        return score_change(self.total, self.previous_total)


def five_s_heat_map(site_id: int | None = None) -> list[HeatRow]:
    """Every active area with the pillar scores of its latest 5S audit (blank if none)."""
    latest = (
        sa.select(Audit.area_id, sa.func.max(Audit.submitted_at).label("at"))
        .where(Audit.kind == "5s")
        .group_by(Audit.area_id)
        .subquery()
    )
    query = (
        sa.select(Area, Audit)
        .outerjoin(latest, latest.c.area_id == Area.id)
        .outerjoin(
            Audit,
            sa.and_(
                Audit.area_id == Area.id,
                Audit.submitted_at == latest.c.at,
                Audit.kind == "5s",
            ),
        )
        .where(Area.active)
        .order_by(Area.code)
    )
    if site_id:
        query = query.where(Area.site_id == site_id)
    rows, seen = [], set()
    previous = _previous_five_s_totals(site_id)
    for area, audit in db.session.execute(query):
        if area.id in seen:  # two audits submitted at the very same moment: keep one
            continue
        seen.add(area.id)
        rows.append(
            HeatRow(
                area=area,
                audited_at=audit.submitted_at if audit else None,
                pillars=dict(audit.pillar_scores or {}) if audit else {},
                total=audit.score_total if audit else None,
                previous_total=previous.get(area.id),
            )
        )
    return rows


# "No area's latest 5S audit fell by 0.3 or more": the dashboard's words name this number.
SLIPPING_BY = 0.3


def slipping(rows: list[HeatRow], by: float = SLIPPING_BY) -> list[HeatRow]:
    """Areas whose latest 5S total fell by ``by`` or more since the audit before, worst first,
    compared as shown (``HeatRow.change``): a fall shown as ▼ 0.3 is counted."""
    fallen = [row for row in rows if row.change is not None and row.change <= -by]
    return sorted(fallen, key=lambda row: (row.change, row.area.code))


def _previous_five_s_totals(site_id: int | None) -> dict[int, float]:
    """Area id → total of its second-latest 5S audit (one query, a window function)."""
    ranked = sa.select(
        Audit.area_id,
        Audit.score_total,
        sa.func.row_number()
        .over(partition_by=Audit.area_id, order_by=(Audit.submitted_at.desc(), Audit.id.desc()))
        .label("rank"),
    ).where(Audit.kind == "5s")
    if site_id:
        ranked = ranked.join(Area, Audit.area_id == Area.id).where(Area.site_id == site_id)
    ranked = ranked.subquery()
    query = sa.select(ranked.c.area_id, ranked.c.score_total).where(ranked.c.rank == 2)
    return {area_id: total for area_id, total in db.session.execute(query) if total is not None}


@dataclass(frozen=True)
class Unwalked:
    area: Area
    last_walk: datetime | None
    days: int | None  # since the last walk; None when never walked
    missed: int = 0  # planned walks not done in the period (areas with a walk plan)
    planned: bool = False


def not_walked(days: int, now: datetime, site_id: int | None = None) -> list[Unwalked]:
    """Areas not walked for ``days`` days, longest first: no audit of any kind at the area in
    that time, counted from when it was done as the walks pages count it
    (``walks.queries.walked_at``), planned or not, so the title "not walked for 14 days" holds
    for every line. Planned walks missed in that time are shown beside, first."""
    last = (
        sa.select(Audit.area_id, sa.func.max(walked_at()).label("at"))
        .group_by(Audit.area_id)
        .subquery()
    )
    query = sa.select(Area, last.c.at).outerjoin(last, last.c.area_id == Area.id).where(Area.active)
    if site_id:
        query = query.where(Area.site_id == site_id)
    planned = planned_areas(site_id)
    missed = missed_by_area(now - timedelta(days=days), now, site_id)
    rows = []
    for area, at in db.session.execute(query):
        if at is not None and at >= now - timedelta(days=days):
            continue
        rows.append(
            Unwalked(
                area,
                at,
                (now - at).days if at else None,
                missed.get(area.id, 0),
                area.id in planned,
            )
        )
    return sorted(
        rows, key=lambda row: (-row.missed, row.last_walk is not None, row.last_walk, row.area.code)
    )


@dataclass(frozen=True)
class AreaInsight:
    area: Area
    five_s: list[Audit]  # oldest first
    recent_audits: list[Audit]  # any kind, newest first
    open_tickets: list[KaizenTicket]
    closed_tickets: list[KaizenTicket]  # verified or rejected in the last 30 days

    @property
    def latest(self) -> Audit | None:
        return self.five_s[-1] if self.five_s else None

    @property
    def previous(self) -> Audit | None:
        return self.five_s[-2] if len(self.five_s) > 1 else None


def area_insight(area: Area, now: datetime, closed_days: int = 30) -> AreaInsight:
    five_s = db.session.scalars(
        sa.select(Audit)
        .where(Audit.area_id == area.id, Audit.kind == "5s", Audit.score_total.is_not(None))
        .order_by(Audit.submitted_at)
    ).all()
    recent = db.session.scalars(
        sa.select(Audit)
        .where(Audit.area_id == area.id)
        .options(sa.orm.selectinload(Audit.auditor))
        .order_by(Audit.submitted_at.desc())
        .limit(10)
    ).all()
    tickets = db.session.scalars(
        sa.select(KaizenTicket)
        .where(
            KaizenTicket.area_id == area.id,
            sa.or_(
                KaizenTicket.status.in_(OPEN_TICKET_STATUSES),
                KaizenTicket.updated_at >= now - timedelta(days=closed_days),
            ),
        )
        .order_by(KaizenTicket.priority, KaizenTicket.number)
    ).all()
    return AreaInsight(
        area=area,
        five_s=list(five_s),
        recent_audits=list(recent),
        open_tickets=[t for t in tickets if t.status in OPEN_TICKET_STATUSES],
        closed_tickets=[t for t in tickets if t.status not in OPEN_TICKET_STATUSES],
    )

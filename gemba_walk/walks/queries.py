"""What the board, "My walks" and the insight read: planned walks with their state.

Every read is a fixed number of queries whatever the history: walks are read by an indexed
date range, each with its audit and its findings counted in one grouped subquery.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from gemba_walk.areas.models import Area, Site
from gemba_walk.audits.models import Audit, Finding
from gemba_walk.auth.models import User
from gemba_walk.core.i18n import gettext
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.lean import N_
from gemba_walk.walks.models import Layer, LayerMember, PlannedWalk, Shift
from gemba_walk.walks.planning import LATE_GRACE

# state -> (word, shape, css modifier); shapes and words make the board colour-blind safe.
STATES: dict[str, tuple[str, str, str]] = {
    "done": (N_("Done"), "●", "done"),
    "findings": (N_("Done, findings"), "▲", "findings"),
    "late": (N_("Done late"), "◐", "late"),
    "missed": (N_("Missed"), "✕", "missed"),
    "due": (N_("Due"), "○", "due"),
    "none": (N_("Not planned"), "–", "none"),
}
# A cell with several walks shows the one that needs attention most.
SEVERITY = ("missed", "due", "late", "findings", "done", "none")


class _Shown:
    """How a state (the subclass's ``state``) reads on the board: a word, a shape and a colour
    class (colour-blind safe)."""

    @property
    def word(self) -> str:
        return gettext(STATES[self.state][0])

    @property
    def shape(self) -> str:
        return STATES[self.state][1]

    @property
    def css(self) -> str:
        return STATES[self.state][2]


@dataclass
class WalkView(_Shown):
    walk: PlannedWalk
    state: str
    findings: int
    scanned: bool | None  # None while not done

    @property
    def late_until(self) -> datetime:
        return self.walk.window_end + LATE_GRACE


def state_of(walk: PlannedWalk, findings: int, now: datetime) -> str:
    if walk.audit_id is not None:
        if walk.done_at is not None and walk.done_at >= walk.window_end:
            return "late"
        return "findings" if findings else "done"
    # Not done when its window closed: missed (the board says so the next day). An audit within
    # LATE_GRACE after the window still does it, late; My walks keeps it listed until then.
    return "due" if now < walk.window_end else "missed"


def walked_at():
    """When an audit walked its area, as a column expression: ``planning.capture_time`` (its
    ``submitted_at``, never after the server received it), the moment the walks pages count."""
    ahead = Audit.received_at < Audit.submitted_at  # a phone clock running ahead
    return sa.case((ahead, Audit.received_at), else_=Audit.submitted_at)


def _findings_per_audit():
    return (
        sa.select(Finding.audit_id, sa.func.count().label("n"))
        .where(Finding.audit_id.is_not(None))
        .group_by(Finding.audit_id)
        .subquery()
    )


def walk_views(query, now: datetime) -> list[WalkView]:
    counts = _findings_per_audit()
    rows = db.session.execute(
        query.add_columns(sa.func.coalesce(counts.c.n, 0), Audit.scanned_at)
        .outerjoin(Audit, Audit.id == PlannedWalk.audit_id)
        .outerjoin(counts, counts.c.audit_id == PlannedWalk.audit_id)
        .options(
            contains_eager(PlannedWalk.audit),
            joinedload(PlannedWalk.area),
            joinedload(PlannedWalk.user),
            joinedload(PlannedWalk.template),
        )
    ).all()
    return [
        WalkView(
            walk,
            state_of(walk, findings, now),
            findings,
            None if walk.audit_id is None else scanned_at is not None,
        )
        for walk, findings, scanned_at in rows
    ]


def my_walks(user: User, today: date, now: datetime | None = None) -> list[WalkView]:
    """The person's walks of today (local), those open now (a week's walk) and those missed
    that may still be done late."""
    now = now or utcnow()
    query = (
        sa.select(PlannedWalk)
        .where(
            PlannedWalk.user_id == user.id,
            sa.or_(
                PlannedWalk.local_date == today,
                sa.and_(PlannedWalk.window_start <= now, PlannedWalk.window_end > now),
                sa.and_(
                    PlannedWalk.audit_id.is_(None),
                    PlannedWalk.window_end <= now,
                    PlannedWalk.window_end > now - LATE_GRACE,
                ),
            ),
            PlannedWalk.window_start <= now + timedelta(days=1),
        )
        .order_by(PlannedWalk.window_start, PlannedWalk.id)
    )
    views = walk_views(query, now)
    order = {"missed": 0, "due": 1, "late": 2, "findings": 2, "done": 2}
    return sorted(views, key=lambda v: (order.get(v.state, 3), v.walk.window_start))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def pack_walks(user: User, today: date, now: datetime | None = None) -> list[dict]:
    """My walks for the field pack: today's, tomorrow's and the overdue ones, with their
    windows in UTC; the phone works out due, overdue and done (once synced) from them."""
    now = now or utcnow()
    query = (
        sa.select(PlannedWalk)
        .where(
            PlannedWalk.user_id == user.id,
            sa.or_(
                PlannedWalk.local_date.in_([today, today + timedelta(days=1)]),
                sa.and_(PlannedWalk.window_start <= now, PlannedWalk.window_end > now),
                sa.and_(
                    PlannedWalk.audit_id.is_(None),
                    PlannedWalk.window_end > now - LATE_GRACE,
                    PlannedWalk.window_end <= now,
                ),
            ),
        )
        .order_by(PlannedWalk.window_start, PlannedWalk.id)
    )
    return [
        {
            "id": view.walk.id,
            "area_id": view.walk.area_id,
            "template_key": view.walk.template.key,
            "template_name": view.walk.template.name,
            "local_date": view.walk.local_date.isoformat(),
            "shift": view.walk.shift_name,
            "window_start": _iso(view.walk.window_start),
            "window_end": _iso(view.walk.window_end),
            "late_until": _iso(view.walk.window_end + LATE_GRACE),
            "state": view.state,
            "done_at": _iso(view.walk.done_at),
            "scanned": view.scanned,
            "findings": view.findings,
        }
        for view in walk_views(query, now)
    ]


@dataclass
class BoardCell(_Shown):
    walks: list[WalkView] = field(default_factory=list)

    @property
    def state(self) -> str:
        if not self.walks:
            return "none"
        return min((w.state for w in self.walks), key=SEVERITY.index)

    @property
    def findings(self) -> int:
        return sum(w.findings for w in self.walks)

    @property
    def target(self) -> WalkView | None:
        """The walk a tap opens: the one whose state the cell shows."""
        return next((w for w in self.walks if w.state == self.state), None)


@dataclass
class BoardRow:
    key: int
    label: str
    sub: str
    cells: list[BoardCell]


@dataclass(frozen=True)
class Column:
    day: date
    shift: str = ""  # "" = the whole day (day mode, or walks planned per day in shift mode)


@dataclass
class Board:
    site: Site
    days: list[date]
    rows: list[BoardRow]
    by: str
    counts: dict[str, int]
    columns: list[Column] = field(default_factory=list)
    across: str = "day"


def board(
    site: Site,
    first: date,
    last: date,
    by: str = "area",
    now: datetime | None = None,
    across: str = "day",
):
    """Areas (or people) down the side, local days (or each day's shifts) across; a fixed
    number of queries."""
    now = now or utcnow()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    walks = walk_views(
        sa.select(PlannedWalk)
        .where(
            PlannedWalk.site_id == site.id,
            PlannedWalk.local_date >= first,
            PlannedWalk.local_date <= last,
        )
        .order_by(PlannedWalk.window_start, PlannedWalk.id),
        now,
    )
    by_shift = across == "shift"
    grid: dict[int, dict[Column, BoardCell]] = defaultdict(lambda: defaultdict(BoardCell))
    for view in walks:
        key = view.walk.area_id if by == "area" else view.walk.user_id
        column = Column(view.walk.local_date, view.walk.shift_name if by_shift else "")
        grid[key][column].walks.append(view)
    if by_shift:
        shift_names = list(
            db.session.scalars(
                sa.select(Shift.name).where(Shift.site_id == site.id).order_by(Shift.starts)
            )
        )
        if any(not view.walk.shift_name for view in walks):
            shift_names = ["", *shift_names]
        columns = [Column(day, name) for day in days for name in shift_names or [""]]
    else:
        columns = [Column(day) for day in days]
    if by == "area":
        heads = [
            (a.id, a.code, a.name)
            for a in db.session.scalars(
                sa.select(Area)
                .where(
                    Area.site_id == site.id,
                    sa.or_(Area.active, Area.id.in_(list(grid) or [0])),
                )
                .order_by(Area.code)
            )
        ]
    else:
        layer_of = dict(
            db.session.execute(
                sa.select(LayerMember.user_id, Layer.name)
                .join(Layer, Layer.id == LayerMember.layer_id)
                .where(LayerMember.site_id == site.id)
            ).all()
        )
        people = db.session.scalars(
            sa.select(User).where(User.id.in_(set(layer_of) | set(grid) or {0})).order_by(User.name)
        )
        heads = [(u.id, u.name, layer_of.get(u.id, "")) for u in people]
    rows = [
        BoardRow(key, label, sub, [grid[key][column] for column in columns])
        for key, label, sub in heads
    ]
    counts = {state: 0 for state in STATES}
    for view in walks:
        counts[view.state] += 1
    return Board(site, days, rows, by, counts, columns, "shift" if by_shift else "day")

"""The team board's queries: filters from the URL, counts per column, the first cards of each.

Each column pages on its own ("Show 20 more" asks for the next 20 of that column only), so a
column of 30 open tickets is never cut to 3 because another column is long. A board costs a
fixed number of queries whatever the number of tickets shown: one for the counts per status,
one for the total, one for the cards of every column (a window ranks each column's tickets;
areas, sites and owners joined in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from gemba_walk.areas.models import Area, Site
from gemba_walk.auth.models import User
from gemba_walk.core.errors import RuleError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.i18n import lazy_gettext as _l
from gemba_walk.core.ids import parse_id
from gemba_walk.extensions import db
from gemba_walk.lean import (
    OPEN_TICKET_STATUSES,
    OVERDUE_TICKET_STATUSES,
    TICKET_STATUSES,
    keys,
)
from gemba_walk.tickets.models import KaizenTicket

COLUMN_STEP = 20  # cards a column shows at first, and how many more each "Show more" adds
COLUMN_MOST = 1000  # the most one column shows on one page
SORTS = {
    "priority": _l("Priority, then due date"),
    "due": _l("Due date"),
    "newest": _l("Newest first"),
    "oldest": _l("Oldest first"),
    "number": _l("Ticket number"),
}
STATUS_SCOPES = ("active", "all", *keys(TICKET_STATUSES))
TICKET_OWNER = sa.orm.aliased(User, name="ticket_owner")


class FilterError(RuleError):
    """A filter value the board does not know, with words for the person who sent it."""

    status_code, error_code = 400, "bad_filter"


@dataclass
class BoardFilters:
    status: str = "active"
    site_id: int | None = None
    area_id: int | None = None
    owner_id: int | None = None
    category: str = ""
    overdue: bool = False
    mine: bool = False
    text: str = ""
    sort: str = "priority"
    # Cards shown per column (status key → count), beyond the first COLUMN_STEP.
    shown: dict[str, int] = field(default_factory=dict)

    def shown_in(self, status: str) -> int:
        return self.shown.get(status, COLUMN_STEP)

    @classmethod
    def from_args(cls, args) -> BoardFilters:
        def number(name: str) -> int | None:
            value = args.get(name, "").strip()
            if not value:
                return None
            number = parse_id(value)
            if number is None:
                raise FilterError(_("“%(value)s” is not a valid %(name)s.", value=value, name=name))
            return number

        status = args.get("status", "active").strip() or "active"
        if status not in STATUS_SCOPES:
            raise FilterError(
                _(
                    "Unknown status “%(status)s”. Use one of: %(known)s.",
                    status=status,
                    known=", ".join(STATUS_SCOPES),
                )
            )
        sort = args.get("sort", "priority").strip() or "priority"
        if sort not in SORTS:
            raise FilterError(
                _(
                    "Unknown sort “%(sort)s”. Use one of: %(known)s.",
                    sort=sort,
                    known=", ".join(SORTS),
                )
            )
        return cls(
            status=status,
            site_id=number("site"),
            area_id=number("area"),
            owner_id=number("owner"),
            category=args.get("category", "").strip()[:64],
            overdue=args.get("overdue") == "1",
            mine=args.get("mine") == "1",
            text=args.get("q", "").strip()[:200],
            sort=sort,
            shown={
                status: min(max(count, COLUMN_STEP), COLUMN_MOST)
                for status in keys(TICKET_STATUSES)
                if (count := number(f"show_{status}")) is not None
            },
        )

    def as_args(self, keep_shown: bool = True, **changes) -> dict:
        """URL arguments for these filters (with changes), leaving defaults out; without the
        columns' "show more" counts if ``keep_shown`` is false."""
        values = {
            "status": self.status if self.status != "active" else None,
            "site": self.site_id,
            "area": self.area_id,
            "owner": self.owner_id,
            "category": self.category or None,
            "overdue": "1" if self.overdue else None,
            "mine": "1" if self.mine else None,
            "q": self.text or None,
            "sort": self.sort if self.sort != "priority" else None,
            **{
                f"show_{status}": count
                for status, count in self.shown.items()
                if count != COLUMN_STEP and keep_shown
            },
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def _conditions(filters: BoardFilters, user: User, today: date, with_status: bool = True):
    conditions = []
    if with_status:
        if filters.status == "active":
            conditions.append(KaizenTicket.status.in_(OPEN_TICKET_STATUSES))
        elif filters.status != "all":
            conditions.append(KaizenTicket.status == filters.status)
    if filters.site_id:
        conditions.append(Area.site_id == filters.site_id)
    if filters.area_id:
        conditions.append(KaizenTicket.area_id == filters.area_id)
    if filters.owner_id:
        conditions.append(KaizenTicket.owner_id == filters.owner_id)
    if filters.mine:
        conditions.append(KaizenTicket.owner_id == user.id)
    if filters.category:
        conditions.append(KaizenTicket.category == filters.category)
    if filters.overdue:
        conditions += [
            KaizenTicket.status.in_(OVERDUE_TICKET_STATUSES),
            KaizenTicket.due_date < today,
        ]
    if filters.text:
        text = filters.text
        digits = text.upper().removeprefix("KZ-").lstrip("0")
        pattern = f"%{text.replace('%', '').replace('_', '')}%"
        match = [KaizenTicket.title.ilike(pattern), KaizenTicket.problem.ilike(pattern)]
        if parse_id(digits):
            match.append(KaizenTicket.number == parse_id(digits))
        conditions.append(sa.or_(*match))
    return conditions


def _ordering(sort: str):
    due = (KaizenTicket.due_date.is_(None), KaizenTicket.due_date)
    return {
        "priority": (KaizenTicket.priority, *due, KaizenTicket.number),
        "due": (*due, KaizenTicket.number),
        "newest": (KaizenTicket.opened_at.desc(), KaizenTicket.number.desc()),
        "oldest": (KaizenTicket.opened_at, KaizenTicket.number),
        "number": (KaizenTicket.number,),
    }[sort]


def _base(filters: BoardFilters, user: User, today: date, with_status: bool = True):
    return (
        sa.select(KaizenTicket)
        .join(Area, KaizenTicket.area_id == Area.id)
        .where(*_conditions(filters, user, today, with_status))
    )


def _with_area_and_owner(query, sort: str):
    """Tickets with their area, site and owner loaded in the same query, in board order."""
    return (
        query.join(Site, Area.site_id == Site.id)
        .outerjoin(TICKET_OWNER, KaizenTicket.owner_id == TICKET_OWNER.id)
        .options(
            contains_eager(KaizenTicket.area).contains_eager(Area.site),
            contains_eager(KaizenTicket.owner.of_type(TICKET_OWNER)),
        )
        .order_by(*_ordering(sort))
    )


@dataclass
class Board:
    filters: BoardFilters
    counts: dict[str, int]
    total: int
    tickets: list[KaizenTicket]
    columns: dict[str, list[KaizenTicket]] = field(default_factory=dict)

    def more(self, status: str) -> int:
        """How many of the column's tickets are not shown yet."""
        return max(self.counts.get(status, 0) - len(self.columns.get(status, [])), 0)


def load_board(filters: BoardFilters, user: User, today: date) -> Board:
    counted = _base(filters, user, today, with_status=False).with_only_columns(
        KaizenTicket.status, sa.func.count(KaizenTicket.id)
    )
    counts = dict(db.session.execute(counted.group_by(KaizenTicket.status)).all())
    query = _base(filters, user, today)
    total = db.session.scalar(query.with_only_columns(sa.func.count(KaizenTicket.id)))
    rank = sa.func.row_number().over(
        partition_by=KaizenTicket.status, order_by=_ordering(filters.sort)
    )
    ranked = query.with_only_columns(
        KaizenTicket.id.label("id"), KaizenTicket.status.label("status"), rank.label("rank")
    ).subquery()
    first_of_each = sa.or_(
        *(
            sa.and_(ranked.c.status == status, ranked.c.rank <= filters.shown_in(status))
            for status in keys(TICKET_STATUSES)
        )
    )
    tickets = list(
        db.session.scalars(
            _with_area_and_owner(query, filters.sort)
            .join(ranked, ranked.c.id == KaizenTicket.id)
            .where(first_of_each)
        )
    )
    board = Board(filters, counts, total, tickets)
    for status in keys(TICKET_STATUSES):
        board.columns[status] = [t for t in tickets if t.status == status]
    return board


def export_query(filters: BoardFilters, user: User, today: date) -> sa.Select:
    """Every ticket matching the filters, in board order, with area, site and owner loaded
    (the export streams it in chunks on a session of its own)."""
    return _with_area_and_owner(_base(filters, user, today), filters.sort)


def is_overdue(ticket: KaizenTicket, today: date) -> bool:
    return (
        ticket.status in OVERDUE_TICKET_STATUSES
        and ticket.due_date is not None
        and ticket.due_date < today
    )

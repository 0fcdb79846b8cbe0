"""The team board and its CSV export: every ticket a person may see, filtered and sorted."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import render_template, request
from flask_login import current_user, login_required

from gemba_walk.areas.models import Area, Site
from gemba_walk.auth.models import User
from gemba_walk.core.csv_export import export_format, stream_csv
from gemba_walk.core.localtime import format_csv, local_today, plant_zone
from gemba_walk.extensions import db
from gemba_walk.lean import CATEGORY_TERMS, TICKET_STATUSES
from gemba_walk.tickets import queries
from gemba_walk.tickets.models import KaizenTicket
from gemba_walk.web.tickets.views import bp, category_label, severity_label, status_label


def _filters_or_400() -> queries.BoardFilters:
    """The board's filters; one it does not know is a FilterError, answered as a 400 page."""
    return queries.BoardFilters.from_args(request.args)


@bp.get("/")
@login_required
def board():
    """The team board: columns by status on wide screens, a list on phones; filters and search."""
    filters = _filters_or_400()
    today = local_today()
    loaded = queries.load_board(filters, current_user, today)
    return render_template(
        "tickets/board.html",
        board=loaded,
        filters=filters,
        today=today,
        statuses=TICKET_STATUSES,
        sorts=queries.SORTS,
        column_step=queries.COLUMN_STEP,
        sites=db.session.scalars(sa.select(Site).where(Site.active).order_by(Site.name)).all(),
        areas=db.session.scalars(
            sa.select(Area).where(Area.active).order_by(Area.code).limit(500)
        ).all(),
        people=db.session.scalars(sa.select(User).where(User.active).order_by(User.name)).all(),
        categories=CATEGORY_TERMS,
        is_overdue=queries.is_overdue,
    )


CSV_COLUMNS = (
    "Number",
    "Title",
    "Status",
    "Severity",
    "Priority",
    "Site",
    "Area code",
    "Area",
    "Category",
    "Owner",
    "Due",
    "Overdue",
    "Occurrences",
    "Recurred",
    "Opened",
    "Done",
    "Verified",
    "Root cause",
    "Countermeasure",
)


@bp.get("/export.csv")
@login_required
def export_csv():
    """The filtered board as CSV (UTF-8 with a byte-order mark, so Excel reads the accents),
    streamed from a session of its own (see core/csv_export.py)."""
    filters = _filters_or_400()
    form = export_format(request.args.get("format"))
    today = local_today()
    query = queries.export_query(filters, current_user, today)
    zone = plant_zone()  # read now: the rows are written after the view has returned
    return stream_csv(
        f"kaizen-tickets-{today.isoformat()}.csv",
        CSV_COLUMNS,
        query,
        lambda ticket: _ticket_row(ticket, today, zone),
        form=form,
        scalars=True,
        yield_per=500,
    )


def _ticket_row(ticket: KaizenTicket, today: date, zone: str) -> tuple:
    zone = ticket.area.site.timezone or zone  # each row in its own site's local time
    return (
        ticket.display_number,
        ticket.title,
        status_label(ticket.status),
        severity_label(ticket.severity),
        ticket.priority,
        ticket.area.site.name,
        ticket.area.code,
        ticket.area.name,
        category_label(ticket.category),
        ticket.owner.name if ticket.owner else "",
        ticket.due_date.isoformat() if ticket.due_date else "",
        "yes" if queries.is_overdue(ticket, today) else "no",
        ticket.occurrences,
        "yes" if ticket.recurred else "no",
        format_csv(ticket.opened_at, zone),
        format_csv(ticket.done_at, zone),
        format_csv(ticket.verified_at, zone),
        ticket.root_cause,
        ticket.countermeasure,
    )

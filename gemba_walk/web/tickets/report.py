"""A problem reported from a desk: the same rules as a finding synced from a phone."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from gemba_walk.areas.models import Area
from gemba_walk.audits.photos import MAX_PHOTO_BYTES, PhotoError
from gemba_walk.core.i18n import current_language
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import parse_id
from gemba_walk.extensions import db
from gemba_walk.findings.operations import report_problem
from gemba_walk.lean import OPEN_TICKET_STATUSES
from gemba_walk.tickets.models import KaizenTicket
from gemba_walk.tickets.rules import ordinal
from gemba_walk.web.tickets.forms import ReportProblemForm
from gemba_walk.web.tickets.views import bp, photo_store


@bp.route("/new", methods=["GET", "POST"])
@login_required
def report():
    """Report a problem from a desk: the same rules as a finding synced from a phone."""
    form = ReportProblemForm()
    areas = db.session.scalars(
        sa.select(Area).where(Area.active).order_by(Area.code).options(selectinload(Area.site))
    ).all()
    form.area_id.choices = [(a.id, f"{a.code} {a.name} · {a.site.name}") for a in areas]
    if request.method == "GET" and parse_id(request.args.get("area", "")):
        form.area_id.data = parse_id(request.args["area"])
    open_tickets = db.session.execute(
        sa.select(KaizenTicket.number, KaizenTicket.area_id, KaizenTicket.title, Area.code)
        .join(Area, Area.id == KaizenTicket.area_id)
        .where(KaizenTicket.status.in_(OPEN_TICKET_STATUSES), Area.active)
        .order_by(Area.code, KaizenTicket.number)
    ).all()
    form.same_as.choices = [("", _("No — a new problem"))] + [
        (f"KZ-{number:04d}", f"{code} · KZ-{number:04d} · {title}")
        for number, _area, title, code in open_tickets
    ]
    valid = form.validate_on_submit()
    same_as = None
    if valid and form.same_as.data:
        chosen = {f"KZ-{n:04d}": (n, a) for n, a, _t, _c in open_tickets}.get(form.same_as.data)
        if chosen is None or chosen[1] != form.area_id.data:
            form.same_as.errors = [_("Choose an open ticket of this area, or a new problem.")]
            valid = False
        else:
            same_as = chosen[0]
    if not valid:
        status = 422 if request.method == "POST" else 200
        return render_template("tickets/new.html", form=form), status
    upload = form.photo.data
    try:
        outcome = report_problem(
            current_user,
            area_id=form.area_id.data,
            category=form.category.data,
            severity=form.severity.data,
            description=form.description.data,
            photo=upload.read(MAX_PHOTO_BYTES + 1) if upload and upload.filename else None,
            photo_store=photo_store(),
            same_as=same_as,
        )
        number, words = outcome.ticket.number, outcome_words(outcome)
    except PhotoError as error:
        db.session.rollback()
        form.photo.errors = [error.message]
        return render_template("tickets/new.html", form=form), error.status
    flash(words, "success")
    return redirect(url_for("tickets.show", number=number))


def outcome_words(outcome) -> str:
    ticket = outcome.ticket
    if outcome.outcome == "joined":
        return _(
            "Added to %(number)s, the open ticket for this problem (%(nth)s occurrence).",
            number=ticket.display_number,
            # English says "2nd"; the other catalogs write the number their own way
            nth=ordinal(ticket.occurrences) if current_language() == "en" else ticket.occurrences,
        )
    if outcome.outcome == "reopened":
        return _(
            "%(number)s reopened — the problem came back after its fix.",
            number=ticket.display_number,
        )
    return _("%(number)s opened.", number=ticket.display_number)

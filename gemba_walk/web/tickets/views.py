"""A ticket's page (PDCA, before and after photos, history), its changes and its printed card;
the tickets blueprint and the template filters every ticket page uses."""

from __future__ import annotations

import re
import uuid as uuid_module
from datetime import date, timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Finding, Photo, shown_photos
from gemba_walk.audits.photos import (
    MAX_PHOTO_BYTES,
    PhotoError,
    PhotoStore,
    sha256_hex,
    store_photo,
)
from gemba_walk.auth.models import User
from gemba_walk.core.database import lock, write_transaction
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import parse_id
from gemba_walk.core.localtime import local_today, use_zone
from gemba_walk.extensions import db
from gemba_walk.lean import (
    CATEGORY_TERMS,
    DUE_DAYS_BY_SEVERITY,
    SEVERITIES,
    TICKET_STATUSES,
    label_of,
)
from gemba_walk.notify.inbox import mark_ticket_read
from gemba_walk.tickets import history, queries, workflow
from gemba_walk.tickets.models import KaizenTicket, TicketEvent

bp = Blueprint("tickets", __name__, url_prefix="/tickets")

TICKET_REFERENCE = re.compile(r"(?i)kz-?0*(\d{1,9})")


def _today() -> date:
    return local_today()


def _ticket_or_404(number: int) -> KaizenTicket:
    ticket = db.session.scalar(
        sa.select(KaizenTicket)
        .where(KaizenTicket.number == number)
        .options(selectinload(KaizenTicket.area).selectinload(Area.site))
    )
    if ticket is None:
        abort(404, description=_("There is no ticket %(number)s.", number=f"KZ-{number:04d}"))
    use_zone(ticket.area.site.timezone)  # its times, and "today" for its due date, at its site
    return ticket


@bp.app_template_filter("category_label")
def category_label(key: str) -> str:
    return label_of(CATEGORY_TERMS, key)


@bp.app_template_filter("status_label")
def status_label(key: str) -> str:
    return label_of(TICKET_STATUSES, key)


@bp.app_template_filter("history_line")
def history_line(event: TicketEvent) -> history.HistoryLine:
    """A history event in the reader's language (tickets/history.py)."""
    return history.line(event)


@bp.app_template_filter("severity_label")
def severity_label(key: str) -> str:
    return label_of(SEVERITIES, key)


# --- one ticket -----------------------------------------------------------------------------


def _ticket_page(ticket: KaizenTicket, error: workflow.TicketError | None = None, form=None):
    photos = db.session.scalars(
        sa.select(Photo).where(Photo.ticket_id == ticket.id).order_by(Photo.uploaded_at)
    ).all()
    findings = db.session.scalars(
        sa.select(Finding)
        .where(Finding.ticket_id == ticket.id)
        .options(selectinload(Finding.reported_by))
        .order_by(Finding.observed_at)
    ).all()
    events = db.session.scalars(
        sa.select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .options(selectinload(TicketEvent.actor))
        .order_by(TicketEvent.created_at, TicketEvent.id)
    ).all()
    people = []
    if current_user.is_leader:
        people = db.session.scalars(sa.select(User).where(User.active).order_by(User.name)).all()
    html = render_template(
        "tickets/show.html",
        ticket=ticket,
        before=[p for p in shown_photos(list(photos)) if p.photo.role != "after"],
        after=[p for p in shown_photos(list(photos)) if p.photo.role == "after"],
        findings=findings,
        events=events,
        last_move=history.last_move(list(events)),
        who_may_verify=workflow.who_may_verify(current_user, ticket),
        verification=workflow.verification_words(ticket),
        suggested_due=_today() + timedelta(days=DUE_DAYS_BY_SEVERITY.get(ticket.severity, 7)),
        actions=workflow.available_actions(current_user, ticket),
        can_edit=workflow.is_worker(current_user, ticket)
        and ticket.status not in ("verified", "rejected"),
        people=people,
        error=error,
        values=form or {},
        today=_today(),
        is_overdue=queries.is_overdue,
        max_whys=workflow.MAX_WHYS,
    )
    return html, error.status if error else 200


def _change(number: int, operation, success: str):
    """Run one change to a ticket in a write transaction; on refusal re-show the page with
    the reason and the right status, nothing changed. (CSRFProtect checked the token.)"""
    _ticket_or_404(number)
    try:
        with write_transaction():
            ticket = _ticket_or_404(number)
            lock(ticket)  # a second leader acting at the same instant waits, then sees this
            operation(ticket)
    except workflow.TicketError as error:
        db.session.rollback()
        return _ticket_page(_ticket_or_404(number), error, request.form)
    flash(success, "success")
    return redirect(url_for("tickets.show", number=number))


@bp.get("/<string:reference>")
@login_required
def show_by_reference(reference: str):
    """``/tickets/KZ-0025`` (as printed on cards and said aloud) → the canonical ``/tickets/25``."""
    match = TICKET_REFERENCE.fullmatch(reference.strip())
    if match is None:
        abort(404, description=_("There is no ticket “%(reference)s”.", reference=reference[:40]))
    return redirect(url_for("tickets.show", number=int(match.group(1))), 301)


@bp.get("/<int:number>")
@login_required
def show(number: int):
    """A ticket: problem and PDCA, before and after photos, actions for this user, history."""
    ticket = _ticket_or_404(number)
    mark_ticket_read(current_user.id, ticket)  # what the inbox told of it is read now
    return _ticket_page(_ticket_or_404(number))


@bp.post("/<int:number>/pdca")
@login_required
def save_pdca(number: int):
    """Save Plan (problem, 5 Whys, root cause), Do (countermeasure, due), Check, Act."""
    form = request.form
    values = {
        name: form[name]
        for name in (
            "title",
            "problem",
            "root_cause",
            "countermeasure",
            "check_result",
            "standardize",
            "no_change_reason",
        )
        if name in form
    }
    if "due_date" in form:
        values["due_date"] = form["due_date"]
    whys = [form.get(f"why_{index}", "") for index in range(1, workflow.MAX_WHYS + 1)]
    if any(f"why_{index}" in form for index in range(1, workflow.MAX_WHYS + 1)):
        values["whys"] = whys
    return _change(
        number,
        lambda ticket: workflow.update_pdca(ticket, current_user, values),
        _("Saved."),
    )


@bp.post("/<int:number>/status")
@login_required
def change_status(number: int):
    """Move the ticket one step of the workflow (start, done, verify, send back, reject...)."""
    action = request.form.get("action", "")
    words = _(workflow.ACTIONS[action].done_words) if action in workflow.ACTIONS else _("Done.")
    return _change(
        number,
        lambda ticket: workflow.transition(
            ticket,
            current_user,
            action,
            reason=request.form.get("reason", ""),
            result=request.form.get("result", ""),
            due_date=request.form.get("due_date", ""),
            today=_today(),
        ),
        words,
    )


@bp.post("/<int:number>/comments")
@login_required
def add_comment(number: int):
    kind = "gemba_check" if request.form.get("kind") == "gemba_check" else "comment"
    return _change(
        number,
        lambda ticket: workflow.comment(ticket, current_user, request.form.get("body", ""), kind),
        _("Comment added."),
    )


@bp.post("/<int:number>/owner")
@login_required
def reassign(number: int):
    owner_id = request.form.get("owner_id", "")

    def operation(ticket):
        new_owner = None
        if owner_id:
            new_owner = db.session.get(User, parse_id(owner_id)) if parse_id(owner_id) else None
            if new_owner is None:
                raise workflow.TicketError(422, "unknown_user", _("Choose a person from the list."))
        workflow.reassign(ticket, current_user, new_owner)

    return _change(number, operation, _("Owner changed."))


@bp.post("/<int:number>/photos")
@login_required
def add_photo(number: int):
    """An "after" photo from the phone camera or a file; checked by content like any photo."""

    def operation(ticket):
        workflow.check_may_add_photo(current_user, ticket)  # before the upload is stored
        upload = request.files.get("photo")
        if upload is None or not upload.filename:
            raise workflow.TicketError(422, "no_photo", _("Choose or take a photo first."))
        marked_up_from = request.files.get("original")  # the photo as taken, when marked up
        try:
            photo = _store_upload(upload)
            original = None
            if marked_up_from is not None and marked_up_from.filename:
                original = _store_upload(marked_up_from)
        except PhotoError as error:
            raise workflow.TicketError(error.status, error.code, error.message) from error
        workflow.record_after_photo(ticket, current_user, photo, original)

    return _change(number, operation, _("Photo added."))


def photo_store() -> PhotoStore:
    return PhotoStore(current_app.config["PHOTO_STORAGE_PATH"])


def _store_upload(upload) -> Photo:
    """A photo sent from a form, checked by content like one synced from a phone."""
    data = upload.read(MAX_PHOTO_BYTES + 1)
    return store_photo(
        photo_store(),
        current_user,
        str(uuid_module.uuid4()),
        data,
        sha256_hex(data),
    ).photo


@bp.get("/<int:number>/card")
@login_required
def card(number: int):
    """A printable A4 kaizen card: problem, 5 Whys, countermeasure, before/after, sign-off."""
    ticket = _ticket_or_404(number)
    photos = db.session.scalars(
        sa.select(Photo).where(Photo.ticket_id == ticket.id).order_by(Photo.uploaded_at)
    ).all()
    return render_template(
        "tickets/card.html",
        ticket=ticket,
        verification=workflow.verification_words(ticket),
        before=[p.photo for p in shown_photos(list(photos)) if p.photo.role != "after"][:2],
        after=[p.photo for p in shown_photos(list(photos)) if p.photo.role == "after"][:2],
    )

"""The andon pages: "Report a problem" from an area's label for people who are not signed in,
and the triage list where leaders accept or dismiss what was reported."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from gemba_walk.andon.models import AndonReport
from gemba_walk.andon.operations import (
    AlreadyDecided,
    AndonError,
    ReportDetails,
    accept_report,
    andon_area,
    dismiss_report,
    recently_decided,
    report_at_andon,
    report_by_client_uuid,
    set_andon,
    waiting_reports,
)
from gemba_walk.andon.urgency import proposed_severity
from gemba_walk.areas.models import Area
from gemba_walk.audits.photos import PhotoError, PhotoStore
from gemba_walk.auth.roles import admin_required, leader_required
from gemba_walk.core.i18n import gettext as _
from gemba_walk.extensions import db
from gemba_walk.web.andon.forms import (
    CATEGORY_WORDS,
    SEVERITY_WORDS,
    AcceptForm,
    DismissForm,
    ReportForm,
)

bp = Blueprint("andon", __name__, url_prefix="/andon")


def _store() -> PhotoStore:
    return PhotoStore(current_app.config["PHOTO_STORAGE_PATH"])


def _words() -> dict:
    return {
        "categories": CATEGORY_WORDS,
        "severities": SEVERITY_WORDS,
        "proposed_severity": proposed_severity,
    }


@bp.route("/<token>", methods=["GET", "POST"])
def report(token: str):
    """Report a problem seen at an area, without an account: it waits for a leader's triage
    (limits per address and per area: andon/limits.py)."""
    area = andon_area(token)
    if area is None or not area.andon_enabled:
        return render_template("andon/not_enabled.html", token=token), 404
    form = ReportForm()
    status = 200
    if form.validate_on_submit():
        client_uuid = (form.report_uuid.data or "").lower() or None
        if report_by_client_uuid(client_uuid) is not None:
            # A device sending again what already arrived (its answer was lost): the same report.
            return render_template("andon/thanks.html", area=area, token=token), 200
        upload = form.photo.data
        photo = upload.read() if upload and getattr(upload, "filename", "") else None
        details = ReportDetails(
            category=form.category.data,
            description=form.description.data or "",
            reporter_name=form.reporter_name.data or "",
            photo=photo or None,
            client_uuid=client_uuid,
            address=request.remote_addr or "",
        )
        try:
            report_at_andon(area, details, _store())
        except IntegrityError:
            # The same report sent twice at the same instant: the other request stored it.
            db.session.rollback()
            if report_by_client_uuid(client_uuid) is None:
                raise
            return render_template("andon/thanks.html", area=area, token=token), 200
        except PhotoError as error:
            form.photo.errors.append(_photo_problem(error))
            status = error.status
        except AndonError as error:
            form.description.errors.append(error.message)
            status = error.status
        else:
            return render_template("andon/thanks.html", area=area, token=token), 201
    elif form.is_submitted():
        status = 422
    return render_template("andon/report.html", area=area, form=form, token=token), status


def _photo_problem(error: PhotoError) -> str:
    if error.status == 413:
        return _("This photo is too large. Take it again, or send the report without it.")
    return _("This file is not a photo we can read (JPEG, PNG or WebP). Choose a photo.")


@bp.get("/triage")
@leader_required
def triage():
    """Problems reported at the andon, waiting for a leader to accept or dismiss them."""
    return render_template(
        "andon/triage.html",
        waiting=waiting_reports(current_user._get_current_object()),
        decided=recently_decided(),
        accept_form=AcceptForm(),
        dismiss_form=DismissForm(),
        **_words(),
    )


@bp.post("/reports/<int:report_id>/accept")
@leader_required
def accept(report_id: int):
    """Accept a report: a finding and its ticket open through the ticket rules."""
    report = db.get_or_404(AndonReport, report_id)
    form = AcceptForm()
    if not form.validate_on_submit():
        abort(422, _("Choose how serious it is."))
    outcome = accept_report(report, current_user._get_current_object(), form.severity.data)
    flash(
        _(
            "Accepted: %(number)s (%(outcome)s).",
            number=outcome.ticket.display_number,
            outcome=_outcome_words(outcome.outcome),
        ),
        "success",
    )
    return redirect(url_for("tickets.show", number=outcome.ticket.number))


def _outcome_words(outcome: str) -> str:
    return {
        "opened": _("a new ticket"),
        "joined": _("joined the open ticket"),
        "reopened": _("reopened as recurred"),
    }.get(outcome, outcome)


@bp.post("/reports/<int:report_id>/dismiss")
@leader_required
def dismiss(report_id: int):
    """Dismiss a report with a reason; no ticket opens."""
    report = db.get_or_404(AndonReport, report_id)
    form = DismissForm()
    try:
        if not form.validate_on_submit():
            raise AndonError(_("Say why it is dismissed, for whoever reads it later."))
        dismiss_report(report, current_user._get_current_object(), form.reason.data)
    except AlreadyDecided:
        raise  # another leader decided a moment ago: 409 with that sentence, as for accept
    except AndonError as error:
        flash(error.message, "error")
        return redirect(url_for("andon.triage")), 303
    flash(_("Dismissed. The reason is kept with the report."), "success")
    return redirect(url_for("andon.triage"))


@bp.get("/reports/<int:report_id>/photo")
@leader_required
def photo(report_id: int):
    """A report's photo, for the leaders who triage it."""
    report = db.get_or_404(AndonReport, report_id)
    if not report.photo_sha256:
        abort(404)
    variant = "thumb" if request.args.get("size") == "thumb" else "full"
    path = _store().path(report.photo_sha256, variant)
    if not path.exists():
        abort(404)
    return Response(
        path.read_bytes(),
        mimetype="image/jpeg",
        headers={"Cache-Control": "private, max-age=86400"},
    )


@bp.post("/areas/<int:area_id>")
@admin_required
def set_enabled(area_id: int):
    """Turn an area's andon on or off (admins, from the area page)."""
    area = db.get_or_404(Area, area_id)
    enabled = request.form.get("enabled") == "1"
    set_andon(area, enabled, current_user._get_current_object())
    if enabled:
        flash(
            _(
                "Andon on for %(code)s: people without an account can report a problem "
                "from its label.",
                code=area.code,
            ),
            "success",
        )
    else:
        flash(
            _("Andon off for %(code)s: its label asks everyone to sign in.", code=area.code),
            "success",
        )
    return redirect(url_for("areas.show", area_id=area.id))

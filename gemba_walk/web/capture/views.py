"""Scanning: the label URL /a/<qr_token> and the in-app scanner."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from gemba_walk.areas import queries
from gemba_walk.areas.operations import record_scan
from gemba_walk.checklists.builder import start_actions
from gemba_walk.core.localtime import use_zone
from gemba_walk.lean import start_words
from gemba_walk.reports.area_overview import area_overview

bp = Blueprint("capture", __name__)

SCAN_METHODS = {"in_app": "in_app"}  # anything else arriving at /a/<token> came from a label


@bp.get("/a/<token>")
def area_by_label(token: str):
    """Open the area whose label was scanned, recording the scan as proof of presence.

    Someone not signed in is asked to sign in, unless the area's andon is on: then the label
    offers them "Report a problem" (and sign-in for those with an account)."""
    if not current_user.is_authenticated:
        area = queries.area_by_token(token)
        if area is not None and area.active and area.andon_enabled:
            return redirect(url_for("andon.report", token=token))
        return current_app.login_manager.unauthorized()
    area = queries.area_by_token(token)
    if area is None:
        retired = queries.retired_token(token)
        if retired is not None:
            return render_template("capture/outdated_label.html", retired=retired), 410
        return render_template("capture/unknown_label.html"), 404
    use_zone(area.site.timezone)
    scan = None
    typed = request.args.get("via") == "code"
    if area.active and not typed:  # a typed code proves no presence
        method = SCAN_METHODS.get(request.args.get("scan", ""), "label")
        scan = record_scan(area, current_user, method)
    overview = area_overview(area, current_user.id)
    return render_template(
        "areas/show.html",
        overview=overview,
        scan=scan,
        typed=typed and area.active,
        start_actions=start_words(start_actions(area)),
    )


@bp.get("/capture/shell")
@bp.get("/capture/")
@bp.get("/capture/<path:_screen>")
def shell(_screen: str = ""):
    """The capture shell: a static page that renders capture screens from the phone's data.

    It carries no user data (the service worker caches it for everyone on the device); the
    screens read the field pack and drafts from IndexedDB and ask the API for the rest."""
    response = current_app.make_response(render_template("capture/shell.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/a/<token>/start/<template>")
def start(token: str, template: str):
    """Start a checklist at an area: the shell creates the draft on the phone."""
    return shell()


@bp.get("/scan")
@login_required
def scan():
    """The in-app scanner: the rear camera reads a label; a typed short code works too."""
    public_origin = "{0.scheme}://{0.netloc}".format(
        urlsplit(current_app.config["PUBLIC_BASE_URL"])
    )
    return render_template(
        "capture/scan.html", public_origin=public_origin, code=request.args.get("code", "")
    )

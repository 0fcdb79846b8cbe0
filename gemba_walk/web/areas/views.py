"""Areas: list and search for everyone; create, edit, archive, labels and QR codes for admins."""

from __future__ import annotations

from urllib.parse import urlsplit

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
from flask_login import current_user, login_required

from gemba_walk.areas import queries
from gemba_walk.areas.models import Area, Site
from gemba_walk.areas.operations import (
    AreaDetails,
    AreaError,
    create_area,
    rotate_qr_token,
    set_area_active,
    update_area,
)
from gemba_walk.areas.qr import qr_png, qr_svg
from gemba_walk.auth.roles import admin_required
from gemba_walk.checklists.builder import start_actions
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import parse_id
from gemba_walk.core.localtime import use_zone
from gemba_walk.extensions import db
from gemba_walk.lean import start_words
from gemba_walk.reports.area_overview import area_overview
from gemba_walk.web.areas.forms import AreaForm

bp = Blueprint("areas", __name__, url_prefix="/areas")

LABELS_PER_BATCH = 90  # ten A4 sheets of nine labels; bigger sites print batch by batch


def label_url(area: Area) -> str:
    """What the area's QR label encodes."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/a/{area.qr_token}"


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def _int_arg(name: str, default: int | None = None) -> int | None:
    number = parse_id(request.args.get(name, ""))
    return default if number is None else number


@bp.get("/")
@login_required
def index():
    """List and search areas (admins also see archived ones)."""
    text = request.args.get("q", "")
    show_archived = current_user.is_admin and request.args.get("archived") == "1"
    page = queries.search_areas(
        text,
        site_id=_int_arg("site"),
        include_archived=show_archived,
        page=_int_arg("page", 1) or 1,
    )
    return render_template(
        "areas/index.html",
        page=page,
        text=text,
        sites=queries.active_sites(),
        site_id=_int_arg("site"),
        show_archived=show_archived,
    )


@bp.get("/find")
@login_required
def find():
    """Open an area by its short code, typed when a label cannot be scanned."""
    code = request.args.get("code", "").strip()
    if not code:
        flash(_("Type the area code printed on the label, e.g. A-12."), "warning")
        return redirect(url_for("capture.scan"))
    matches = queries.areas_with_code(code)
    if len(matches) == 1:
        return redirect(url_for("areas.show", area_id=matches[0].id))
    if not matches:
        flash(
            _(
                "No active area has the code %(code)s. Check the label and try again.",
                code=code.upper(),
            ),
            "error",
        )
        return redirect(url_for("capture.scan", code=code)), 303
    return redirect(url_for("areas.index", q=code))


@bp.get("/<int:area_id>")
@login_required
def show(area_id: int):
    """The area page, opened from the list or by typed code (no proof of presence)."""
    area = db.get_or_404(Area, area_id)
    use_zone(area.site.timezone)
    overview = area_overview(area, current_user.id)
    return render_template(
        "areas/show.html",
        overview=overview,
        scan=None,
        start_actions=start_words(start_actions(area)),
    )


def _details(form: AreaForm) -> AreaDetails:
    return AreaDetails(
        name=form.name.data,
        code=form.code.data,
        description=form.description.data or "",
        owner_id=form.owner_id.data or None,
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Create an area at a site."""
    sites = queries.active_sites()
    if not sites:
        flash(_("Create a site first; areas belong to a site."), "info")
        return redirect(url_for("sites.new"))
    form = AreaForm(site_id=_int_arg("site"))
    form.load_choices(sites)
    status = 200
    if form.validate_on_submit():
        site = db.get_or_404(Site, form.site_id.data)
        try:
            area = create_area(site, _details(form))
        except AreaError as error:
            form.code.errors.append(str(error))
        else:
            flash(_("Created %(code)s · %(name)s.", code=area.code, name=area.name), "success")
            return redirect(url_for("areas.show", area_id=area.id))
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("areas/form.html", form=form, area=None), status


@bp.route("/<int:area_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(area_id: int):
    """Change an area's name, code, description or owner."""
    area = db.get_or_404(Area, area_id)
    form = AreaForm(obj=area)
    form.load_choices([area.site])
    status = 200
    if form.validate_on_submit():
        try:
            update_area(area, _details(form))
        except AreaError as error:
            form.code.errors.append(str(error))
        else:
            flash(_("Saved %(code)s · %(name)s.", code=area.code, name=area.name), "success")
            return redirect(url_for("areas.show", area_id=area.id))
        status = 422
    elif form.is_submitted():
        status = 422
    if request.method == "GET":
        form.owner_id.data = area.owner_id or 0
    return render_template("areas/form.html", form=form, area=area), status


@bp.post("/<int:area_id>/archive")
@admin_required
def archive(area_id: int):
    """Archive an area: it leaves lists and label sheets; its history stays."""
    area = set_area_active(db.get_or_404(Area, area_id), False)
    flash(_("Archived %(code)s. Its audits and tickets are kept.", code=area.code), "success")
    return redirect(url_for("areas.show", area_id=area.id))


@bp.post("/<int:area_id>/restore")
@admin_required
def restore(area_id: int):
    """Bring an archived area back."""
    area = set_area_active(db.get_or_404(Area, area_id), True)
    flash(_("Restored %(code)s.", code=area.code), "success")
    return redirect(url_for("areas.show", area_id=area.id))


@bp.post("/<int:area_id>/rotate-token")
@admin_required
def rotate_token(area_id: int):
    """Issue a new QR token: old labels stop opening the area and say they are outdated."""
    area = db.get_or_404(Area, area_id)
    rotate_qr_token(area, current_user)
    flash(
        _("New label code issued for %(code)s. Print and post the new label.", code=area.code),
        "success",
    )
    return redirect(url_for("areas.labels", area=area.id))


@bp.get("/<int:area_id>/qr.svg")
@admin_required
def qr_code_svg(area_id: int):
    """The area's QR code as SVG."""
    area = db.get_or_404(Area, area_id)
    svg = qr_svg(label_url(area), f"QR code for {area.code} {area.name}")
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, no-cache"})


@bp.get("/<int:area_id>/qr.png")
@admin_required
def qr_code_png(area_id: int):
    """The area's QR code as PNG (for label printers and documents)."""
    area = db.get_or_404(Area, area_id)
    size = min(max(_int_arg("box", 10) or 10, 2), 40)
    return Response(
        qr_png(label_url(area), box_size=size),
        mimetype="image/png",
        headers={
            "Cache-Control": "private, no-cache",
            "Content-Disposition": f'inline; filename="label-{area.code}.png"',
        },
    )


@bp.get("/labels")
@admin_required
def labels():
    """Printable sheet of QR labels: one area, a selection, a site or every area, in batches."""
    area_ids = [n for n in map(parse_id, request.args.getlist("area")) if n is not None]
    site_id = _int_arg("site")
    paper = "letter" if request.args.get("paper") == "letter" else "a4"
    batch = max(_int_arg("batch", 1) or 1, 1)
    areas, total = queries.areas_for_labels(
        site_id, area_ids, (batch - 1) * LABELS_PER_BATCH, LABELS_PER_BATCH
    )
    if total == 0:
        abort(404, _("There are no active areas to print labels for."))
    batches = (total + LABELS_PER_BATCH - 1) // LABELS_PER_BATCH
    if batch > batches:
        abort(404, _("There are only %(count)s batches of labels.", count=batches))
    items = [(area, qr_svg(label_url(area), f"QR code for {area.code}")) for area in areas]
    first = (batch - 1) * LABELS_PER_BATCH + 1

    def batch_url(number: int) -> str:
        return url_for("areas.labels", area=area_ids, site=site_id, paper=paper, batch=number)

    public_base_url = current_app.config["PUBLIC_BASE_URL"]
    request_base_url = request.host_url.rstrip("/")
    return render_template(
        "areas/labels.html",
        public_base_url=public_base_url,
        request_base_url=request_base_url,
        address_differs=_origin(public_base_url) != _origin(request_base_url),
        items=items,
        paper=paper,
        total=total,
        batch=batch,
        batches=batches,
        first=first,
        last=first + len(items) - 1,
        batch_url=batch_url,
        paper_urls={
            p: url_for("areas.labels", area=area_ids, site=site_id, paper=p, batch=batch)
            for p in ("a4", "letter")
        },
    )

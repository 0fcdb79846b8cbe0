"""Admin pages for plant sites."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from gemba_walk.areas import queries
from gemba_walk.areas.models import Site
from gemba_walk.areas.operations import (
    AreaError,
    create_site,
    set_verification_mode,
    update_site,
)
from gemba_walk.auth.roles import admin_required
from gemba_walk.core.i18n import gettext as _
from gemba_walk.extensions import db
from gemba_walk.web.areas.forms import SiteForm

bp = Blueprint("sites", __name__, url_prefix="/admin/sites")


@bp.get("/")
@admin_required
def index():
    """List the sites."""
    return render_template("sites/index.html", sites=queries.active_sites())


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Create a site."""
    return _site_form(None)


@bp.route("/<int:site_id>", methods=["GET", "POST"])
@admin_required
def edit(site_id: int):
    """Rename a site or change its time zone."""
    return _site_form(db.get_or_404(Site, site_id))


def _site_form(site: Site | None):
    form = SiteForm(obj=site)
    status = 200
    if form.validate_on_submit():
        try:
            if site is None:
                site = create_site(form.name.data, form.timezone.data.strip())
            else:
                update_site(site, form.name.data, form.timezone.data.strip())
            if form.verification_mode.data:
                set_verification_mode(site, form.verification_mode.data)
        except AreaError as error:
            form.name.errors.append(str(error))
        else:
            flash(_("Saved %(name)s.", name=site.name), "success")
            return redirect(url_for("sites.index"))
        status = 422
    elif form.is_submitted():
        status = 422
    return render_template("sites/form.html", form=form, site=site), status

"""The home page and the health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required

from gemba_walk.andon.operations import count_waiting, urgent_waiting
from gemba_walk.extensions import db
from gemba_walk.web.andon.forms import CATEGORY_WORDS
from gemba_walk.web.home.dashboard import home_summary

# Named "core" as before, so url_for("core.home") in templates and bookmarks keep working.
bp = Blueprint("core", __name__)


@bp.get("/")
@login_required
def home():
    """Show what needs attention: the user's starting point after sign-in."""
    leader = current_user.is_leader
    return render_template(
        "home.html",
        summary=home_summary(),
        # Safety reports from a label cannot wait for triage: each shows as an andon.
        andon_urgent=urgent_waiting() if leader else [],
        andon_waiting=count_waiting(urgent=False) if leader else 0,
        andon_categories=CATEGORY_WORDS,
    )


@bp.get("/healthz")
def healthz():
    """Tell a load balancer whether the app and its database answer."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")

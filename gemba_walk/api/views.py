"""API endpoints shared by every screen of the phone."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/me")
@login_required
def me():
    """Who is signed in, with a fresh CSRF token for the next write."""
    user = current_user
    return jsonify(
        user={"id": user.id, "email": user.email, "name": user.name, "role": user.role},
        csrf_token=generate_csrf(),
    )

"""How Flask-Login finds the user and what it does for someone not signed in."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import LoginManager

from gemba_walk.core.errors import error_response
from gemba_walk.extensions import db


def configure_login_manager(login_manager: LoginManager) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user(user_id: str):
        from gemba_walk.auth.models import User

        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None

    @login_manager.unauthorized_handler
    def _unauthorized():
        if request.path.startswith("/api/"):
            return error_response(401, "Your session has ended. Sign in again to continue.")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

"""How Flask-Login finds the user, and sessions that end on the server.

Every sign-in creates a ``UserSession`` row with a random token; ``User.get_id()`` is
``"<user id>.<token>"``, which Flask-Login keeps in the session cookie and in the remember-me
cookie. Loading a user looks the token up, so deleting the row ends both cookies, on every copy
of them: signing out deletes this device's row, a password change or "sign out on every device"
deletes all of the user's rows. Cookies from before this scheme (a bare user id) load nobody.
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from flask import redirect, request, url_for
from flask_login import LoginManager

from gemba_walk.auth.models import User, UserSession
from gemba_walk.core.database import write_transaction
from gemba_walk.core.errors import error_response
from gemba_walk.core.i18n import gettext
from gemba_walk.extensions import db
from gemba_walk.lean import N_


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user, user_agent: str = "") -> None:
    """Record a new signed-in device for ``user``; call before ``login_user(user)``."""
    token = secrets.token_urlsafe(32)
    with write_transaction():
        db.session.add(
            UserSession(user_id=user.id, token_sha256=_digest(token), user_agent=user_agent[:200])
        )
    user.session_token = token


def end_session(user) -> None:
    """End the session ``user`` was loaded for (this device only)."""
    if not user.session_token:
        return
    with write_transaction():
        db.session.execute(
            sa.delete(UserSession).where(UserSession.token_sha256 == _digest(user.session_token))
        )


def end_all_sessions(user_id: int) -> int:
    """End every session of a user, on every device; returns how many there were."""
    with write_transaction():
        result = db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user_id))
    return result.rowcount


def count_sessions(user_id: int) -> int:
    query = (
        sa.select(sa.func.count()).select_from(UserSession).where(UserSession.user_id == user_id)
    )
    return db.session.scalar(query) or 0


def load_user(user_id: str):
    """The active user whose session ``"<id>.<token>"`` still exists, or None."""
    number, _, token = user_id.partition(".")
    if not number.isdigit() or len(number) > 18 or not token:
        return None
    user = db.session.scalar(
        sa.select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == int(number), UserSession.token_sha256 == _digest(token))
    )
    if user is None or not user.active:
        return None
    user.session_token = token
    return user


def configure_login_manager(login_manager: LoginManager) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please sign in to continue.")
    login_manager.localize_callback = gettext  # Flask-Login flashes it in the reader's language
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)

    @login_manager.unauthorized_handler
    def _unauthorized():
        if request.path.startswith("/api/"):
            return error_response(
                401, gettext("Your session has ended. Sign in again to continue.")
            )
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

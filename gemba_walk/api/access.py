"""Who may call an /api/v1 read or write: the signed-in phone (session cookie, CSRF on writes)
or an API token (``Authorization: Bearer gw_…``, no cookie, so no CSRF) with the scope asked."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_login import current_user

from gemba_walk.auth.tokens import authenticate
from gemba_walk.core.errors import ApiError
from gemba_walk.extensions import csrf

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def api_access(scope: str):
    def decorator(view):
        @wraps(view)
        def run(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            if header[:7].lower() == "bearer ":
                # Flask-Login keeps the request's user in g._login_user: this request only.
                g._login_user = authenticate(header[7:].strip(), scope)
            elif not current_user.is_authenticated:
                raise ApiError(401, "Sign in, or send an API token as Authorization: Bearer.")
            elif request.method not in SAFE_METHODS:
                csrf.protect()
            return view(*args, **kwargs)

        return csrf.exempt(run)

    return decorator

"""Who may call an /api/v1 read or write: the signed-in phone (session cookie, CSRF on writes)
or an API token (``Authorization: Bearer gw_…``, no cookie, so no CSRF) with the scope asked."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, request
from flask_login import current_user

from gemba_walk.auth.tokens import authenticate
from gemba_walk.core.errors import ApiError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.extensions import csrf

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
View = TypeVar("View", bound=Callable[..., Any])


def api_access(scope: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def run(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            if header[:7].lower() == "bearer ":
                # Flask-Login keeps the request's user in g._login_user: this request only.
                g._login_user = authenticate(header[7:].strip(), scope)
            elif not current_user.is_authenticated:
                raise ApiError(401, _("Sign in, or send an API token as Authorization: Bearer."))
            elif request.method not in SAFE_METHODS:
                csrf.protect()
            return view(*args, **kwargs)

        return cast(View, csrf.exempt(run))

    return decorator

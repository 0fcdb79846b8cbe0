"""Errors as people read them: an HTML page for pages, JSON ``{"error": ...}`` for the API."""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask_babel import LazyString
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.i18n import lazy_gettext as _l
from gemba_walk.extensions import db

# What a person should read, by status; the API also returns a stable machine code.
MESSAGES: dict[int, tuple[str, LazyString, LazyString]] = {
    400: ("bad_request", _l("Bad request"), _l("The request could not be understood.")),
    401: ("unauthorized", _l("Please sign in"), _l("You need to sign in to do that.")),
    403: (
        "forbidden",
        _l("Not allowed"),
        _l("Your role does not allow this. Ask an admin if you need it."),
    ),
    404: ("not_found", _l("Not found"), _l("There is nothing at this address.")),
    405: (
        "method_not_allowed",
        _l("Not allowed"),
        _l("This address does not accept that method."),
    ),
    409: ("conflict", _l("Conflict"), _l("This clashes with what is already saved.")),
    413: (
        "too_large",
        _l("Too large"),
        _l("What you sent is larger than the server accepts. Send less at once or a smaller file."),
    ),
    415: (
        "unsupported_media_type",
        _l("Unsupported file"),
        _l("That kind of content is not accepted."),
    ),
    422: ("invalid", _l("Invalid"), _l("Some of what you sent is not valid.")),
    429: (
        "rate_limited",
        _l("Too many attempts"),
        _l("Too many attempts. Wait a minute and try again."),
    ),
    500: (
        "server_error",
        _l("Something went wrong"),
        _l("Something went wrong on the server. Nothing you had saved is lost; try again."),
    ),
}


class DomainError(Exception):
    """A rule said no: nothing was changed. Answered in one place (``register``) with its status,
    its stable code and a message a person understands; pages that show the error in place (a
    ticket's form) catch it themselves."""

    def __init__(self, status: int, code: str, message: str, details=None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


class RuleError(DomainError):
    """A domain error raised with its message alone: the subclass names its status and code."""

    status_code = 422
    error_code = "refused"

    def __init__(self, message: str, details=None):
        super().__init__(self.status_code, self.error_code, message, details)


class ApiError(DomainError):
    """An error the API answers with a JSON body and a 4xx status."""

    def __init__(self, status: int, message: str, code: str | None = None, details=None):
        super().__init__(status, code or MESSAGES.get(status, ("error",))[0], message, details)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, message: str | None = None, code: str | None = None, details=None):
    default_code, title, default_message = MESSAGES.get(
        status, ("error", _l("Error"), _l("Error."))
    )
    message = str(message or default_message)
    title = str(title)
    if wants_json():
        body = {"error": {"code": code or default_code, "message": message}}
        if details is not None:
            body["error"]["details"] = details
        return jsonify(body), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        return error_response(error.status, error.message, error.code, error.details)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        message = _(
            "Your form's security token was missing or had expired. "
            "Go back, reload the page and submit again."
        )
        return error_response(400, message, code="csrf_failed")

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        # Werkzeug's own descriptions are for developers; ours are for people.
        message = error.description if status < 500 and _is_ours(error) else None
        if status == 413 and message is None:
            message = g.get("body_limit_message")  # a chunked body that ran past the limit
        body, status = error_response(status, message)
        response = make_response(body, status)
        # Headers the answer owes the client: Allow on a 405, Retry-After on a 429...
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        db.session.rollback()
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500)


def _is_ours(error: HTTPException) -> bool:
    """True when the description was written by our code (abort(404, "...")), not Werkzeug's."""
    return error.description != type(error).description

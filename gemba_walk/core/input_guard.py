"""Checks at the edge, before any view runs, so that no input reaches the database in a form it
refuses (which would answer 500, and a phone treats 5xx as "try again later" for ever):

- ``<int:...>`` in every route accepts 1 to 2^31 − 1 only (PostgreSQL's INTEGER): a larger id
  is a 404, as an unknown one is, on both databases;
- a NUL character (\\0) anywhere in the text of a request — query, form or JSON body — is
  refused with 422 naming the field (PostgreSQL cannot store it in text; SQLite can, and the
  same request must get the same answer on both); in the path it is a 404;
- JSON with NaN or Infinity is not JSON (400), whatever Python's parser would accept;
- a view may declare a smaller body limit than MAX_CONTENT_LENGTH (``@body_limit``); a body
  over it is refused with 413 however it is sent — with a Content-Length, or chunked (which
  Werkzeug would otherwise cut short at the limit silently).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import LazyString
from flask_login import current_user
from werkzeug.routing import IntegerConverter, ValidationError

from gemba_walk.core.errors import ApiError, error_response, wants_json
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import MAX_ID

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BoundedIntConverter(IntegerConverter):
    """``<int:name>``: 1 to MAX_ID, at most ten ASCII digits; anything else does not match."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        if len(value) > 10:
            raise ValidationError()
        return super().to_python(value)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that NaN, Infinity and -Infinity in a request are not numbers."""

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_constant", _refuse_constant)
        return json.loads(s, **kwargs)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


View = TypeVar("View", bound=Callable[..., Any])


def body_limit(max_bytes: int, message: str | LazyString) -> Callable[[View], View]:
    """Refuse a request body over ``max_bytes`` for this view with 413 and ``message``."""

    def decorate(view: View) -> View:
        view.body_limit = (max_bytes, message)  # type: ignore[attr-defined]
        return view

    return decorate


def register_converters(app: Flask) -> None:
    """Before any blueprint is registered: routes bind their converters when added."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.json = StrictJSONProvider(app)


def register(app: Flask) -> None:
    # First of all hooks, before CSRFProtect or anything else reads the body.
    app.before_request_funcs.setdefault(None, []).insert(0, _apply_body_limit)
    app.before_request(_refuse_nul_characters)


def _apply_body_limit() -> None:
    view = current_app.view_functions.get(request.endpoint)
    limit = getattr(view, "body_limit", None)
    if limit is None:
        return
    max_bytes, message = limit  # a lazy message: error_response reads it in the language asked
    g.body_limit_message = message
    if request.content_length is not None and request.content_length > max_bytes:
        abort(413, description=message)
    if not current_user.is_authenticated:
        return  # the view will refuse it unread
    # A chunked body: Werkzeug stops reading at max_content_length without a word (the view
    # then saw a cut-off photo and answered "sha256_mismatch"). Read one byte past the limit
    # here, so a body that has it is a 413, and the view gets the body from the cache.
    request.max_content_length = max_bytes + 1
    if len(request.get_data(cache=True)) > max_bytes:
        abort(413, description=message)


def _refuse_nul_characters():
    if any("\0" in str(value) for value in (request.view_args or {}).values()):
        abort(404)
    fields = [("query parameter", name) for name in _nul_fields(request.args)]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.mimetype in FORM_TYPES:
            fields += [("field", name) for name in _nul_fields(request.form)]
        elif request.is_json:
            fields += [("field", path) for path in _nul_paths(request.get_json(silent=True), "")]
    if not fields:
        return None
    kind, name = fields[0]
    if kind == "field":
        message = _(
            "The field “%(name)s” contains a NUL character (\\0), which cannot be stored. "
            "Remove it and send again.",
            name=name,
        )
    else:
        message = _(
            "The query parameter “%(name)s” contains a NUL character (\\0), which cannot be "
            "stored. Remove it and send again.",
            name=name,
        )
    if wants_json():
        details = [{"record": name, "message": "contains a NUL character"} for _, name in fields]
        raise ApiError(422, message, "nul_character", details[:50])
    return error_response(422, message)


def _nul_fields(values) -> Iterator[str]:
    for name, value in values.items(multi=True):
        if "\0" in name or "\0" in value:
            yield name.replace("\0", "\\0")


def _nul_paths(value, path: str) -> Iterator[str]:
    if isinstance(value, str):
        if "\0" in value:
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            name = key.replace("\0", "\\0")
            if "\0" in key:
                yield f"{path}.{name}".lstrip(".")
            yield from _nul_paths(item, f"{path}.{name}".lstrip("."))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, f"{path}[{index}]")

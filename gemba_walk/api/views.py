"""The field API: who am I, the field pack, photos and sync. Thin: parse, call, answer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, request, send_file
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, generate_csrf
from pydantic import ValidationError
from werkzeug.wrappers import Response as WerkzeugResponse

from gemba_walk.api import records
from gemba_walk.api.access import api_access
from gemba_walk.api.openapi import openapi_document
from gemba_walk.api.pack import build_field_pack
from gemba_walk.api.schema import (
    AreaPage,
    FindingPage,
    Me,
    MeUser,
    Photo,
    ScanRequest,
    ScanResult,
    TicketPage,
    TicketUpdate,
    WalkResultPage,
)
from gemba_walk.areas.models import Area
from gemba_walk.areas.operations import record_field_scan
from gemba_walk.audits.models import Audit, Finding
from gemba_walk.audits.photos import (
    MAX_PHOTO_BYTES,
    PhotoStore,
    find_photo,
    may_see_photo,
    store_photo,
)
from gemba_walk.auth.models import User
from gemba_walk.auth.tokens import TokenError, authenticate
from gemba_walk.core.contract import Answer, Request, problems_of
from gemba_walk.core.database import lock, write_transaction
from gemba_walk.core.errors import ApiError, error_response
from gemba_walk.core.i18n import current_language
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.i18n import lazy_gettext as _l
from gemba_walk.core.ids import parse_id, parse_uuid
from gemba_walk.core.input_guard import body_limit
from gemba_walk.extensions import db
from gemba_walk.sync.operations import apply_sync_batch
from gemba_walk.sync.received import parse_timestamp
from gemba_walk.tickets import workflow
from gemba_walk.tickets.models import KaizenTicket

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(CSRFError)
def _csrf_refused(error: CSRFError) -> tuple[Response, int]:
    """A write without the session's CSRF token. Sent with an API token instead (a script, not
    the phone), it is a question of the token: 401 for one unknown or revoked, 401 for a route
    that takes the phone's session only, never 400 "csrf_failed"."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        try:
            authenticate(header[7:].strip(), "read")
        except TokenError as refused:
            if refused.status == 401:
                body, status = error_response(401, refused.message, refused.code)
                return body, status
        body, status = error_response(
            401,
            _("This address takes the signed-in phone's session, not an API token."),
            "token_not_accepted",
        )
        return body, status
    body, status = error_response(
        400,
        _(
            "Your form's security token was missing or had expired. "
            "Go back, reload the page and submit again."
        ),
        code="csrf_failed",
    )
    return body, status


MAX_SYNC_BYTES = 2 * 1024 * 1024


def photo_store() -> PhotoStore:
    return PhotoStore(current_app.config["PHOTO_STORAGE_PATH"])


View = TypeVar("View", bound=Callable[..., Any])


def signed_in(view: View) -> View:
    """flask_login's login_required, with its type kept (flask_login ships no types)."""
    return cast(View, login_required(view))


def _user() -> User:
    """The signed-in user (every view here is signed_in)."""
    user: User = current_user._get_current_object()
    return user


def _answer(body: Answer, status: int = 200) -> tuple[Response, int]:
    return jsonify(body.as_json()), status


Sent = TypeVar("Sent", bound=Request)


def _request_as(model: type[Sent], top: str, message: str, code: str) -> Sent:
    """The JSON body checked by its model: 400 when it is no JSON object, 422 naming each field
    the model refuses."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(400, _("The body must be a JSON object."), "bad_json")
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise ApiError(422, message, code, problems_of(error, top)) from None


def _uuid_or_404(value: str) -> str:
    uuid = parse_uuid(value)
    if uuid is None:
        raise ApiError(404, _("That is not a valid photo id."))
    return uuid


@bp.get("/me")
@signed_in
def me() -> Response:
    """Who is signed in, with a fresh CSRF token for the next write."""
    user = _user()
    user_json = MeUser(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        theme=user.theme if user.theme in ("auto", "light", "dark") else "auto",
        large_text=user.large_text,
    )
    response, _status = _answer(Me(user=user_json, csrf_token=generate_csrf()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/pack")
@signed_in
def pack() -> WerkzeugResponse:
    """The field pack for offline work, with an ETag so an unchanged pack costs a 304."""
    pack = build_field_pack(_user(), current_language())
    body = json.dumps(pack.as_json(), separators=(",", ":"), sort_keys=True)
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


@bp.put("/photos/<uuid>")
@signed_in
@body_limit(
    MAX_PHOTO_BYTES, _l("The photo is larger than %(size)s MB.", size=MAX_PHOTO_BYTES // 2**20)
)
def put_photo(uuid: str) -> tuple[Response, int]:
    """Upload one photo; the same id with the same bytes again answers 200 as before.
    (A body over the limit is a 413 before anything is read, or as soon as a chunked body
    passes it: see core/input_guard.py.)"""
    uuid = _uuid_or_404(uuid)
    stored = store_photo(
        photo_store(),
        _user(),
        uuid,
        request.get_data(cache=False),
        request.headers.get("X-Content-SHA256"),
    )
    photo = stored.photo
    answer = Photo(
        uuid=photo.uuid,
        sha256=photo.sha256,
        width=photo.width,
        height=photo.height,
        bytes=photo.byte_size,
        content_type="image/jpeg",
    )
    return _answer(answer, 201 if stored.created else 200)


@bp.get("/photos/<uuid>")
@signed_in
def get_photo(uuid: str) -> WerkzeugResponse:
    """A stored photo; ?variant=thumb for the thumbnail. A photo not yet attached to a finding
    or ticket is its uploader's alone (it may be a draft that is never sent); an attached one is
    seen by whoever may see its record (every signed-in user may read findings and tickets).
    Others are told there is no such photo, so its existence is not given away either."""
    photo = find_photo(_uuid_or_404(uuid))
    if photo is None or not may_see_photo(_user(), photo):
        raise ApiError(404, _("There is no photo with this id."))
    variant = "thumb" if request.args.get("variant") == "thumb" else "full"
    path = photo_store().path(photo.stored_sha256, variant)
    if not path.exists():
        raise ApiError(404, _("The photo file is missing from storage; tell an admin."))
    response = send_file(path, mimetype="image/jpeg", max_age=86400, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@bp.post("/sync")
@signed_in
@body_limit(MAX_SYNC_BYTES, _l("The batch is too large; send fewer records at once."))
def sync() -> Response:
    """Store a batch of audits and findings from a phone, exactly once."""
    payload = request.get_json(silent=True)
    if payload is None:
        raise ApiError(
            400, _("The body must be JSON (Content-Type: application/json)."), "bad_json"
        )
    return jsonify(apply_sync_batch(_user(), payload))


@bp.post("/scans")
@signed_in
def scan() -> tuple[Response, int]:
    """Record that a label was scanned on the phone (proof of presence), idempotent by uuid."""
    sent = _request_as(ScanRequest, "scan", _("The scan record is not valid."), "invalid_scan")
    area = db.session.get(Area, sent.area_id)
    if area is None:
        raise ApiError(422, _("Unknown area %(id)s.", id=sent.area_id), "invalid_scan")
    try:
        scanned_at = parse_timestamp(sent.scanned_at)
    except ValueError as error:
        raise ApiError(422, _("scanned_at is not an ISO 8601 time."), "invalid_scan") from error
    record = record_field_scan(sent.uuid, area, _user(), sent.method, scanned_at)
    return _answer(ScanResult(uuid=record.uuid, area_id=record.area_id, method=sent.method), 201)


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document())


# --- REST reads and ticket updates: the phone's session or an API token with a scope ----------


def _listing(
    page_model: type[Answer], query: Any, model: Any, time_column: Any, to_answer: Any
) -> tuple[Response, int]:
    result = records.page(query, model, time_column)
    items = [to_answer(row) for row in result["rows"]]
    return _answer(page_model(items=items, next_after=result["next_after"]))


@bp.get("/tickets")
@api_access("read")
def tickets() -> tuple[Response, int]:
    """Kaizen tickets changed in a time window (updated_at), by site and status."""
    query = records.ticket_query()
    return _listing(TicketPage, query, KaizenTicket, KaizenTicket.updated_at, records.ticket_json)


def _ticket_or_404(text: str) -> KaizenTicket:
    number = parse_id(text)
    ticket = (
        db.session.scalar(sa.select(KaizenTicket).where(KaizenTicket.number == number))
        if number is not None
        else None
    )
    if ticket is None:
        raise ApiError(404, _("There is no ticket with that number."))
    return ticket


@bp.get("/tickets/<number>")
@api_access("read")
def ticket(number: str) -> tuple[Response, int]:
    return _answer(records.ticket_json(_ticket_or_404(number)))


@bp.get("/tickets/<number>/history")
@api_access("read")
def ticket_history(number: str) -> tuple[Response, int]:
    """A ticket's history: kind and values of each event, and its sentence in the reader's
    language."""
    return _answer(records.history_json(_ticket_or_404(number)))


@bp.patch("/tickets/<number>")
@body_limit(64 * 1024, _l("A ticket update is at most 64 KB."))
@api_access("write:tickets")
def update_ticket(number: str) -> tuple[Response, int]:
    """Take a step (action, reason, result), change PDCA fields, add a comment: all or nothing."""
    sent = _request_as(
        TicketUpdate, "ticket", _("The ticket update is not valid."), "invalid_update"
    )
    ticket = _ticket_or_404(number)
    user = _user()
    with write_transaction():
        lock(ticket)  # two updates of one ticket at once take turns; the second sees the first
        if sent.pdca is not None:
            values = sent.pdca.model_dump(exclude_unset=True)
            if values:
                workflow.update_pdca(ticket, user, values)
        if sent.action:
            workflow.transition(ticket, user, sent.action, sent.reason, sent.result)
        if sent.comment:
            workflow.comment(ticket, user, sent.comment)
    return _answer(records.ticket_json(ticket))


@bp.get("/audits")
@api_access("read")
def audits() -> tuple[Response, int]:
    """Walk results: audits of every kind (5S, waste walk, abnormality, custom), by submit time."""
    query = sa.select(Audit).options(
        sa.orm.joinedload(Audit.area), sa.orm.selectinload(Audit.findings)
    )
    return _listing(WalkResultPage, query, Audit, Audit.submitted_at, records.audit_json)


@bp.get("/findings")
@api_access("read")
def findings() -> tuple[Response, int]:
    """Findings by observation time."""
    query = sa.select(Finding).options(sa.orm.joinedload(Finding.area))
    return _listing(FindingPage, query, Finding, Finding.observed_at, records.finding_json)


@bp.get("/areas")
@api_access("read")
def areas() -> tuple[Response, int]:
    """Areas by creation time (site filters; since/until rarely matter)."""
    query = sa.select(Area).options(sa.orm.joinedload(Area.site))
    return _listing(AreaPage, query, Area, Area.created_at, records.area_json)

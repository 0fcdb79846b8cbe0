"""The field API: who am I, the field pack, photos and sync. Thin: parse, call, answer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Blueprint, Response, current_app, jsonify, request, send_file
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from pydantic import ValidationError
from werkzeug.wrappers import Response as WerkzeugResponse

from gemba_walk.api.openapi import openapi_document
from gemba_walk.api.pack import build_field_pack
from gemba_walk.api.schema import Me, MeUser, Photo, ScanRequest, ScanResult
from gemba_walk.areas.models import Area
from gemba_walk.areas.operations import record_field_scan
from gemba_walk.audits.photos import (
    MAX_PHOTO_BYTES,
    PhotoStore,
    find_photo,
    may_see_photo,
    store_photo,
)
from gemba_walk.auth.models import User
from gemba_walk.core.contract import Answer, problems_of
from gemba_walk.core.errors import ApiError
from gemba_walk.core.ids import parse_uuid
from gemba_walk.core.input_guard import body_limit
from gemba_walk.extensions import db
from gemba_walk.sync.operations import apply_sync_batch, parse_timestamp

bp = Blueprint("api", __name__, url_prefix="/api/v1")

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


def _uuid_or_404(value: str) -> str:
    uuid = parse_uuid(value)
    if uuid is None:
        raise ApiError(404, "That is not a valid photo id.")
    return uuid


@bp.get("/me")
@signed_in
def me() -> Response:
    """Who is signed in, with a fresh CSRF token for the next write."""
    user = _user()
    user_json = MeUser(id=user.id, email=user.email, name=user.name, role=user.role)
    response, _ = _answer(Me(user=user_json, csrf_token=generate_csrf()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/pack")
@signed_in
def pack() -> WerkzeugResponse:
    """The field pack for offline work, with an ETag so an unchanged pack costs a 304."""
    body = json.dumps(build_field_pack(_user()).as_json(), separators=(",", ":"), sort_keys=True)
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


@bp.put("/photos/<uuid>")
@signed_in
@body_limit(MAX_PHOTO_BYTES, f"The photo is larger than {MAX_PHOTO_BYTES // 2**20} MB.")
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
        raise ApiError(404, "There is no photo with this id.")
    variant = "thumb" if request.args.get("variant") == "thumb" else "full"
    path = photo_store().path(photo.stored_sha256, variant)
    if not path.exists():
        raise ApiError(404, "The photo file is missing from storage; tell an admin.")
    response = send_file(path, mimetype="image/jpeg", max_age=86400, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@bp.post("/sync")
@signed_in
@body_limit(MAX_SYNC_BYTES, "The batch is too large; send fewer records at once.")
def sync() -> Response:
    """Store a batch of audits and findings from a phone, exactly once."""
    payload = request.get_json(silent=True)
    if payload is None:
        raise ApiError(400, "The body must be JSON (Content-Type: application/json).", "bad_json")
    return jsonify(apply_sync_batch(_user(), payload))


@bp.post("/scans")
@signed_in
def scan() -> tuple[Response, int]:
    """Record that a label was scanned on the phone (proof of presence), idempotent by uuid."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(400, "The body must be a JSON object.", "bad_json")
    try:
        sent = ScanRequest.model_validate(payload)
    except ValidationError as error:
        problems = problems_of(error, "scan")
        raise ApiError(422, "The scan record is not valid.", "invalid_scan", problems) from None
    area = db.session.get(Area, sent.area_id)
    if area is None:
        raise ApiError(422, f"Unknown area {sent.area_id}.", "invalid_scan")
    try:
        scanned_at = parse_timestamp(sent.scanned_at)
    except ValueError as error:
        raise ApiError(422, "scanned_at is not an ISO 8601 time.", "invalid_scan") from error
    record = record_field_scan(sent.uuid, area, _user(), sent.method, scanned_at)
    return _answer(ScanResult(uuid=record.uuid, area_id=record.area_id, method=sent.method), 201)


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document())

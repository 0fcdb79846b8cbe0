"""The field API: who am I, the field pack, photos and sync. Thin: parse, call, answer."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request, send_file
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from gemba_walk.api import records
from gemba_walk.api.access import api_access
from gemba_walk.api.openapi import openapi_document, validator_for
from gemba_walk.api.pack import build_field_pack
from gemba_walk.areas.models import Area
from gemba_walk.areas.operations import record_field_scan
from gemba_walk.audits.models import Audit, Finding
from gemba_walk.audits.photos import (
    MAX_PHOTO_BYTES,
    PhotoStore,
    find_photo,
    may_see_photo,
    photo_json,
    store_photo,
)
from gemba_walk.core.database import write_transaction
from gemba_walk.core.errors import ApiError
from gemba_walk.core.ids import parse_uuid
from gemba_walk.core.input_guard import body_limit
from gemba_walk.extensions import db
from gemba_walk.sync.operations import apply_sync_batch, parse_timestamp
from gemba_walk.tickets import workflow
from gemba_walk.tickets.models import KaizenTicket

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_SYNC_BYTES = 2 * 1024 * 1024


def photo_store() -> PhotoStore:
    return PhotoStore(current_app.config["PHOTO_STORAGE_PATH"])


def _uuid_or_404(value: str) -> str:
    uuid = parse_uuid(value)
    if uuid is None:
        raise ApiError(404, "That is not a valid photo id.")
    return uuid


@bp.get("/me")
@login_required
def me():
    """Who is signed in, with a fresh CSRF token for the next write."""
    user = current_user
    response = jsonify(
        user={"id": user.id, "email": user.email, "name": user.name, "role": user.role},
        csrf_token=generate_csrf(),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/pack")
@login_required
def pack():
    """The field pack for offline work, with an ETag so an unchanged pack costs a 304."""
    body = json.dumps(build_field_pack(current_user), separators=(",", ":"), sort_keys=True)
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


@bp.put("/photos/<uuid>")
@login_required
@body_limit(MAX_PHOTO_BYTES, f"The photo is larger than {MAX_PHOTO_BYTES // 2**20} MB.")
def put_photo(uuid: str):
    """Upload one photo; the same id with the same bytes again answers 200 as before.
    (A body over the limit is a 413 before anything is read, or as soon as a chunked body
    passes it: see core/input_guard.py.)"""
    uuid = _uuid_or_404(uuid)
    stored = store_photo(
        photo_store(),
        current_user,
        uuid,
        request.get_data(cache=False),
        request.headers.get("X-Content-SHA256"),
    )
    return jsonify(photo_json(stored.photo)), 201 if stored.created else 200


@bp.get("/photos/<uuid>")
@login_required
def get_photo(uuid: str):
    """A stored photo; ?variant=thumb for the thumbnail. A photo not yet attached to a finding
    or ticket is its uploader's alone (it may be a draft that is never sent); an attached one is
    seen by whoever may see its record (every signed-in user may read findings and tickets).
    Others are told there is no such photo, so its existence is not given away either."""
    photo = find_photo(_uuid_or_404(uuid))
    if photo is None or not may_see_photo(current_user, photo):
        raise ApiError(404, "There is no photo with this id.")
    variant = "thumb" if request.args.get("variant") == "thumb" else "full"
    path = photo_store().path(photo.stored_sha256, variant)
    if not path.exists():
        raise ApiError(404, "The photo file is missing from storage; tell an admin.")
    response = send_file(path, mimetype="image/jpeg", max_age=86400, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@bp.post("/sync")
@login_required
@body_limit(MAX_SYNC_BYTES, "The batch is too large; send fewer records at once.")
def sync():
    """Store a batch of audits and findings from a phone, exactly once."""
    payload = request.get_json(silent=True)
    if payload is None:
        raise ApiError(400, "The body must be JSON (Content-Type: application/json).", "bad_json")
    return jsonify(apply_sync_batch(current_user, payload))


@bp.post("/scans")
@login_required
def scan():
    """Record that a label was scanned on the phone (proof of presence), idempotent by uuid."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(400, "The body must be a JSON object.", "bad_json")
    problems = [
        {"record": ".".join(map(str, e.absolute_path)) or "scan", "message": e.message}
        for e in validator_for("ScanRequest").iter_errors(payload)
    ]
    if problems:
        raise ApiError(422, "The scan record is not valid.", "invalid_scan", problems)
    area = db.session.get(Area, payload["area_id"])
    if area is None:
        raise ApiError(422, f"Unknown area {payload['area_id']}.", "invalid_scan")
    try:
        scanned_at = parse_timestamp(payload["scanned_at"])
    except ValueError as error:
        raise ApiError(422, "scanned_at is not an ISO 8601 time.", "invalid_scan") from error
    record = record_field_scan(payload["uuid"], area, current_user, payload["method"], scanned_at)
    return jsonify(uuid=record.uuid, area_id=record.area_id, method=record.method), 201


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document())


# --- REST reads and ticket updates: the phone's session or an API token with a scope ----------


def _listing(query, model, time_column, to_json):
    result = records.page(query, model, time_column)
    return jsonify(items=[to_json(row) for row in result["rows"]], next_after=result["next_after"])


@bp.get("/tickets")
@api_access("read")
def tickets():
    """Kaizen tickets changed in a time window (updated_at), by site and status."""
    return _listing(
        records.ticket_query(), KaizenTicket, KaizenTicket.updated_at, records.ticket_json
    )


def _ticket_or_404(number: int) -> KaizenTicket:
    ticket = db.session.scalar(sa.select(KaizenTicket).where(KaizenTicket.number == number))
    if ticket is None:
        raise ApiError(404, f"There is no ticket KZ-{number:04d}.")
    return ticket


@bp.get("/tickets/<int:number>")
@api_access("read")
def ticket(number: int):
    return jsonify(records.ticket_json(_ticket_or_404(number)))


@bp.patch("/tickets/<int:number>")
@body_limit(64 * 1024, "A ticket update is at most 64 KB.")
@api_access("write:tickets")
def update_ticket(number: int):
    """Take a step (action, reason, result), change PDCA fields, add a comment: all or nothing."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "Send a JSON object.")
    errors = sorted(validator_for("TicketUpdate").iter_errors(data), key=str)
    if errors:
        raise ApiError(422, f"{errors[0].json_path}: {errors[0].message}")
    ticket = _ticket_or_404(number)
    with write_transaction():
        if data.get("pdca"):
            workflow.update_pdca(ticket, current_user, data["pdca"])
        if data.get("action"):
            workflow.transition(
                ticket, current_user, data["action"], data.get("reason", ""), data.get("result", "")
            )
        if data.get("comment"):
            workflow.comment(ticket, current_user, data["comment"])
    return jsonify(records.ticket_json(ticket))


@bp.get("/audits")
@api_access("read")
def audits():
    """Walk results: audits of every kind (5S, waste walk, abnormality, custom), by submit time."""
    query = sa.select(Audit).options(
        sa.orm.joinedload(Audit.area), sa.orm.selectinload(Audit.findings)
    )
    return _listing(query, Audit, Audit.submitted_at, records.audit_json)


@bp.get("/findings")
@api_access("read")
def findings():
    query = sa.select(Finding).options(sa.orm.joinedload(Finding.area))
    return _listing(query, Finding, Finding.observed_at, records.finding_json)


@bp.get("/areas")
@api_access("read")
def areas():
    query = sa.select(Area).options(sa.orm.joinedload(Area.site))
    return _listing(query, Area, Area.created_at, records.area_json)

"""The OpenAPI document of /api/v1, its schemas generated from the typed models that check the
requests and build the answers (api/schema.py, sync/schema.py), so the documentation and the
server cannot disagree."""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from gemba_walk.api.schema import API_MODELS
from gemba_walk.core.contract import Request
from gemba_walk.sync.schema import SYNC_MODELS

REF = "#/components/schemas/{model}"


@cache
def component_schemas() -> dict[str, Any]:
    """Every model of the contract as a JSON Schema: requests as they are checked, answers as
    they are written (the models are the one source; nothing here is written by hand)."""
    models: list[type[BaseModel]] = [*API_MODELS, *SYNC_MODELS]
    _, top = models_json_schema(
        [(m, "validation" if issubclass(m, Request) else "serialization") for m in models],
        ref_template=REF,
    )
    return dict(sorted(top["$defs"].items()))


def _json(schema_name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): {"description": "Error", "content": _json("Error")} for status in statuses}


LIST_PARAMETERS = [
    {"name": "since", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "until", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "site", "in": "query", "required": False, "schema": {"type": "integer"}},
    {"name": "after", "in": "query", "required": False, "schema": {"type": "integer"}},
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
    },
]
AUTH_WORDS = (
    " Signed in (the phone's session) or with an API token: `Authorization: Bearer gw_…`, "
    "made on /account/tokens; 401 for an unknown or revoked token, 403 for a missing scope."
)


def _listing(summary: str, schema: str, extra: list[Any] | None = None) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "description": "Filtered by time (since, until: ISO 8601), by site, paginated by "
            "id (after = next_after of the previous page; limit 1–200, 50 by default); 422 for "
            "a bad filter. Scope: read." + AUTH_WORDS,
            "parameters": LIST_PARAMETERS + (extra or []),
            "responses": {"200": {"description": "OK", "content": _json(schema)}}
            | _errors(401, 403, 422),
        }
    }


def _rest_paths() -> dict[str, Any]:
    status = {"name": "status", "in": "query", "required": False, "schema": {"type": "string"}}
    return {
        "/api/v1/tickets": _listing("Kaizen tickets (by updated_at)", "TicketPage", [status]),
        "/api/v1/tickets/{number}": {
            "parameters": [
                {"name": "number", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": {
                "summary": "One kaizen ticket. Scope: read.",
                "description": AUTH_WORDS,
                "responses": {"200": {"description": "OK", "content": _json("Ticket")}}
                | _errors(401, 403, 404, 422),
            },
            "patch": {
                "summary": "Update a ticket: a step, PDCA fields, a comment (all or nothing)",
                "description": "Scope: write:tickets. The workflow's rules apply as on the "
                "ticket page (409 a step not possible now, 403 not allowed to the token's "
                "person, 422 invalid). A session needs X-CSRFToken; a token does not." + AUTH_WORDS,
                "requestBody": {"required": True, "content": _json("TicketUpdate")},
                "responses": {"200": {"description": "Updated", "content": _json("Ticket")}}
                | _errors(400, 401, 403, 404, 409, 413, 422),
            },
        },
        "/api/v1/tickets/{number}/history": {
            "parameters": [
                {"name": "number", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": {
                "summary": "A ticket's history, oldest first. Scope: read.",
                "description": "Each event as its kind and values (data), and the sentence they "
                "make in the request's language (the person's, else Accept-Language)." + AUTH_WORDS,
                "responses": {"200": {"description": "OK", "content": _json("TicketHistory")}}
                | _errors(401, 403, 404, 422),
            },
        },
        "/api/v1/audits": _listing(
            "Walk results: audits of every kind (by submit time)", "WalkResultPage"
        ),
        "/api/v1/findings": _listing("Findings (by observation time)", "FindingPage"),
        "/api/v1/areas": _listing("Areas (by creation time)", "AreaPage"),
    }


INFO: dict[str, str] = {
    "title": "Gemba Walk field API",
    "version": "1",
    "description": "What the phone uses: who am I, the field pack, photos and sync. "
    "Every write needs the X-CSRFToken header from /me. Errors are "
    '{"error": {"code", "message", "details"}}. Any operation answers 422 '
    "(code nul_character, the field named) to a NUL character in its text, query "
    "parameters included: PostgreSQL cannot store one. A method an address does not "
    "take is a 405 with an Allow header.",
}


def _photo_path() -> dict[str, Any]:
    """Upload a photo (PUT) and read it back (GET)."""
    return {
        "parameters": [
            {
                "name": "uuid",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "format": "uuid"},
            }
        ],
        "put": {
            "summary": "Upload a photo (idempotent by uuid and SHA-256)",
            "description": "400: no or wrong X-Content-SHA256, an empty body, or a "
            "missing CSRF token; 404: the path is not a photo id; 409: the id holds "
            "another photo or another user's; 413: over 15 MB (also when sent chunked) "
            "or too many pixels; 415: not a JPEG, PNG or WebP; 422: a damaged image.",
            "parameters": [
                {
                    "name": "X-Content-SHA256",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    "image/webp": {"schema": {"type": "string", "format": "binary"}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}},
                },
            },
            "responses": {
                "201": {"description": "Stored", "content": _json("Photo")},
                "200": {"description": "Already stored", "content": _json("Photo")},
            }
            | _errors(400, 401, 404, 409, 413, 415, 422),
        },
        "get": {
            "summary": "The stored photo (JPEG); ?variant=thumb for the thumbnail",
            "parameters": [
                {
                    "name": "variant",
                    "in": "query",
                    "required": False,
                    "schema": {"enum": ["full", "thumb"]},
                }
            ],
            "responses": {
                "200": {
                    "description": "JPEG",
                    "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
                },
                "304": {"description": "Not modified (conditional request)"},
            }
            | _errors(401, 404, 422),
        },
    }


def _field_paths() -> dict[str, Any]:
    """What the phone uses: who am I, the field pack, photos, scans and sync."""
    return {
        "/api/v1/me": {
            "get": {
                "summary": "The signed-in user and a fresh CSRF token",
                "responses": {"200": {"description": "OK", "content": _json("Me")}}
                | _errors(401, 422),
            }
        },
        "/api/v1/pack": {
            "get": {
                "summary": "The field pack: areas, published checklists, open tickets",
                "responses": {
                    "200": {"description": "OK", "content": _json("Pack")},
                    "304": {"description": "Not modified (If-None-Match matched the ETag)"},
                }
                | _errors(401, 422),
            }
        },
        "/api/v1/photos/{uuid}": _photo_path(),
        "/api/v1/scans": {
            "post": {
                "summary": "Record a label scan made on the phone (idempotent by uuid)",
                "description": "400: not a JSON object, or a missing CSRF token; 422: "
                "a record the schema refuses, an unknown area, or text with NUL.",
                "requestBody": {"required": True, "content": _json("ScanRequest")},
                "responses": {"201": {"description": "Recorded", "content": _json("ScanResult")}}
                | _errors(400, 401, 413, 422),
            }
        },
        "/api/v1/sync": {
            "post": {
                "summary": "Send a batch of audits and findings (idempotent by uuid)",
                "description": "400: not JSON, or a missing CSRF token; 409: photos not "
                "uploaded yet, a record or batch id reused with other content; 413: over "
                "2 MB (also when sent chunked); 422: records the schema or the checks "
                "refuse, one message per record (text with NUL included).",
                "requestBody": {"required": True, "content": _json("SyncRequest")},
                "responses": {"200": {"description": "Stored", "content": _json("SyncResult")}}
                | _errors(400, 401, 409, 413, 422, 503),
            }
        },
    }


@cache
def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "paths": {
            **_field_paths(),
            **_rest_paths(),
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1 document"}} | _errors(422),
                }
            },
        },
        "components": {"schemas": component_schemas()},
    }


@cache
def validator_for(schema_name: str) -> Draft202012Validator:
    """A validator for one component schema, resolving refs within the document."""
    document = {**openapi_document(), "$ref": f"#/components/schemas/{schema_name}"}
    return Draft202012Validator(document)

"""The OpenAPI document of /api/v1. Its schemas also validate incoming sync batches, so the
documentation and the server cannot disagree."""

from __future__ import annotations

from functools import cache

from jsonschema import Draft202012Validator

from gemba_walk.core.ids import MAX_ID
from gemba_walk.lean import SCORE_MAX, SCORE_MIN, SEVERITIES, TEMPLATE_KINDS, TICKET_STATUSES, keys

MAX_AUDITS_PER_BATCH = 25
MAX_FINDINGS_PER_BATCH = 200
MAX_RESPONSES_PER_AUDIT = 300
MAX_PHOTOS_PER_FINDING = 12

# Checked as a UUID, not as 36 characters: a batch id of 36 dashes (or zeros) is refused, and
# so is the nil UUID, which no phone makes.
UUID = {
    "type": "string",
    "format": "uuid",
    "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "not": {"const": "00000000-0000-0000-0000-000000000000"},
}
TIMESTAMP = {
    "type": "string",
    "format": "date-time",
    "minLength": 10,
    "maxLength": 40,
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}",
}
# Text PostgreSQL can store: no NUL character (refused with 422 naming the field).
NO_NUL = "^[^\\x00]*$"
TEXT = {"type": "string", "maxLength": 5000, "pattern": NO_NUL}
# Every id, number and count column is an INTEGER (PostgreSQL: up to 2^31 - 1).
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
# A reading on a checklist (bar, °C, mm...): far past any gauge, still a finite double.
READING = {"type": ["number", "null"], "minimum": -1e15, "maximum": 1e15}


def _record_results(extra: dict) -> dict:
    """What the sync answer says of each audit or finding: created now, or stored before."""
    return {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["uuid", "status"],
            "properties": {"uuid": UUID, "status": {"enum": ["created", "duplicate"]}, **extra},
        },
    }


SCHEMAS: dict = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {},
                },
            }
        },
    },
    "Me": {
        "type": "object",
        "required": ["user", "csrf_token"],
        "properties": {
            "user": {
                "type": "object",
                "required": ["id", "email", "name", "role"],
                "properties": {
                    "id": ID,
                    "email": {"type": "string"},
                    "name": {"type": "string"},
                    "role": {"enum": ["admin", "leader", "member"]},
                },
            },
            "csrf_token": {"type": "string"},
        },
    },
    "Pack": {
        "type": "object",
        "required": ["user", "vocabulary", "sites", "areas", "templates"],
        "properties": {
            "user": {"type": "object"},
            "vocabulary": {"type": "object"},
            "sites": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": ID, "name": {"type": "string"}},
                },
            },
            "areas": {"type": "array", "items": {"$ref": "#/components/schemas/PackArea"}},
            "retired_tokens": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["token", "area_id"],
                    "properties": {"token": {"type": "string"}, "area_id": ID},
                },
            },
            "templates": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/PackTemplate"},
            },
        },
    },
    "PackArea": {
        "type": "object",
        "required": ["id", "site_id", "token", "name", "code", "owner", "open_tickets"],
        "properties": {
            "id": ID,
            "site_id": ID,
            "token": {"type": "string"},
            "name": {"type": "string"},
            "code": {"type": "string"},
            "description": {"type": "string"},
            "owner": {"type": ["string", "null"]},
            "last_five_s": {"type": ["object", "null"]},
            "open_tickets": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["number", "title", "status", "due"],
                    "properties": {
                        "number": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "string"},
                        "due": {"type": ["string", "null"]},
                        "occurrences": COUNT,
                    },
                },
            },
        },
    },
    "PackTemplate": {
        "type": "object",
        "required": ["key", "name", "kind", "version_id", "version", "items"],
        "properties": {
            "key": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"enum": keys(TEMPLATE_KINDS)},
            "version_id": ID,
            "version": ID,
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "key", "section", "prompt", "response_type"],
                },
            },
        },
    },
    "Photo": {
        "type": "object",
        "required": ["uuid", "sha256", "width", "height", "bytes", "content_type"],
        "properties": {
            "uuid": UUID,
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "width": {"type": "integer", "minimum": 1, "maximum": 1600},
            "height": {"type": "integer", "minimum": 1, "maximum": 1600},
            "bytes": COUNT,
            "content_type": {"const": "image/jpeg"},
        },
    },
    "ScanRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["uuid", "area_id", "method", "scanned_at"],
        "properties": {
            "uuid": UUID,
            "area_id": ID,
            "method": {"enum": ["label", "in_app"]},
            "scanned_at": TIMESTAMP,
        },
    },
    "ScanResult": {
        "type": "object",
        "required": ["uuid", "area_id", "method"],
        "properties": {
            "uuid": UUID,
            "area_id": ID,
            "method": {"enum": ["label", "in_app"]},
        },
    },
    "SyncRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["batch_id"],
        "properties": {
            "batch_id": UUID,
            "device_id": {"type": "string", "maxLength": 64, "pattern": NO_NUL},
            "author_id": {
                **ID,
                "description": "The user who made these records on the phone; a batch of "
                "another person's records is refused (409 wrong_author).",
            },
            "audits": {
                "type": "array",
                "maxItems": MAX_AUDITS_PER_BATCH,
                "items": {"$ref": "#/components/schemas/SyncAudit"},
            },
            "findings": {
                "type": "array",
                "maxItems": MAX_FINDINGS_PER_BATCH,
                "items": {"$ref": "#/components/schemas/SyncFinding"},
            },
            "ticket_notes": {
                "type": "array",
                "maxItems": MAX_FINDINGS_PER_BATCH,
                "items": {"$ref": "#/components/schemas/SyncTicketNote"},
            },
        },
    },
    "SyncTicketNote": {
        "type": "object",
        "description": "A comment, or a 'checked at the gemba' note, on a kaizen ticket.",
        "additionalProperties": False,
        "required": ["uuid", "ticket_number", "kind", "body", "occurred_at"],
        "properties": {
            "uuid": UUID,
            "ticket_number": {"type": "string", "pattern": "^KZ-[0-9]{4,9}$"},
            "kind": {"enum": ["comment", "gemba_check"]},
            "body": {"type": "string", "minLength": 1, "maxLength": 5000, "pattern": NO_NUL},
            "occurred_at": TIMESTAMP,
        },
    },
    "SyncAudit": {
        "type": "object",
        "additionalProperties": False,
        "required": ["uuid", "area_id", "template_version_id", "started_at", "submitted_at"],
        "properties": {
            "uuid": UUID,
            "area_id": ID,
            "template_version_id": ID,
            "started_at": TIMESTAMP,
            "submitted_at": TIMESTAMP,
            "scanned_at": {"anyOf": [TIMESTAMP, {"type": "null"}]},
            "note": TEXT,
            "responses": {
                "type": "array",
                "maxItems": MAX_RESPONSES_PER_AUDIT,
                "items": {"$ref": "#/components/schemas/SyncResponse"},
            },
        },
    },
    "SyncResponse": {
        "type": "object",
        "additionalProperties": False,
        "required": ["uuid", "item_id"],
        "properties": {
            "uuid": UUID,
            "item_id": ID,
            "score": {"type": ["integer", "null"], "minimum": SCORE_MIN, "maximum": SCORE_MAX},
            "value_bool": {"type": ["boolean", "null"]},
            "value_number": READING,
            "value_text": {"type": ["string", "null"], "maxLength": 5000, "pattern": NO_NUL},
            "note": TEXT,
        },
    },
    "SyncFinding": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "uuid",
            "area_id",
            "kind",
            "category",
            "severity",
            "description",
            "observed_at",
        ],
        "properties": {
            "uuid": UUID,
            "audit_uuid": {"anyOf": [UUID, {"type": "null"}]},
            "area_id": ID,
            "item_id": {"anyOf": [ID, {"type": "null"}]},
            "kind": {"enum": keys(TEMPLATE_KINDS)},
            "category": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": NO_NUL},
            "severity": {"enum": keys(SEVERITIES)},
            "description": {"type": "string", "minLength": 1, "maxLength": 5000, "pattern": NO_NUL},
            "observed_at": TIMESTAMP,
            "photo_uuids": {"type": "array", "maxItems": MAX_PHOTOS_PER_FINDING, "items": UUID},
            "same_as_ticket": {
                "description": "For a finding on no checklist item: the open ticket of the "
                "area the person chose as the same problem; without it a new ticket opens.",
                "anyOf": [{"type": "string", "pattern": "^KZ-[0-9]{4,9}$"}, {"type": "null"}],
            },
        },
    },
    "SyncResult": {
        "type": "object",
        "required": ["batch_id", "audits", "findings"],
        "properties": {
            "batch_id": UUID,
            "audits": _record_results({"score_total": {"type": ["number", "null"]}}),
            "ticket_notes": _record_results({"ticket": {"type": "string"}}),
            "findings": _record_results(
                {
                    "ticket": {
                        "description": "The kaizen ticket the finding opened, joined or "
                        "reopened (recurred); 'recorded' for a finding sent again.",
                        "anyOf": [
                            {
                                "type": "object",
                                "required": ["number", "outcome"],
                                "properties": {
                                    "number": {"type": "string", "pattern": "^KZ-[0-9]{4,}$"},
                                    "outcome": {
                                        "enum": ["opened", "joined", "reopened", "recorded"]
                                    },
                                    "occurrences": {
                                        "type": "integer",
                                        "minimum": 1,
                                        "maximum": MAX_ID,
                                    },
                                    "status": {"enum": keys(TICKET_STATUSES)},
                                },
                            },
                            {"type": "null"},
                        ],
                    }
                }
            ),
        },
    },
}


def _json(schema_name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}


def _errors(*statuses: int) -> dict:
    return {str(status): {"description": "Error", "content": _json("Error")} for status in statuses}


@cache
def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Gemba Walk field API",
            "version": "1",
            "description": "What the phone uses: who am I, the field pack, photos and sync. "
            "Every write needs the X-CSRFToken header from /me. Errors are "
            '{"error": {"code", "message", "details"}}. Any operation answers 422 '
            "(code nul_character, the field named) to a NUL character in its text, query "
            "parameters included: PostgreSQL cannot store one. A method an address does not "
            "take is a 405 with an Allow header.",
        },
        "paths": {
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
            "/api/v1/photos/{uuid}": {
                "parameters": [{"name": "uuid", "in": "path", "required": True, "schema": UUID}],
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
                            "content": {
                                "image/jpeg": {"schema": {"type": "string", "format": "binary"}}
                            },
                        },
                        "304": {"description": "Not modified (conditional request)"},
                    }
                    | _errors(401, 404, 422),
                },
            },
            "/api/v1/scans": {
                "post": {
                    "summary": "Record a label scan made on the phone (idempotent by uuid)",
                    "description": "400: not a JSON object, or a missing CSRF token; 422: "
                    "a record the schema refuses, an unknown area, or text with NUL.",
                    "requestBody": {"required": True, "content": _json("ScanRequest")},
                    "responses": {
                        "201": {"description": "Recorded", "content": _json("ScanResult")}
                    }
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
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1 document"}} | _errors(422),
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }


@cache
def validator_for(schema_name: str) -> Draft202012Validator:
    """A validator for one component schema, resolving refs within the document."""
    document = {**openapi_document(), "$ref": f"#/components/schemas/{schema_name}"}
    return Draft202012Validator(document)

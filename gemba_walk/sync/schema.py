"""The sync batch's contract: what a phone may send to /api/v1/sync and what it is answered.

The API's OpenAPI document includes these schemas, so the documentation and the check that
apply_sync_batch makes cannot disagree.
"""

from __future__ import annotations

from functools import cache

from jsonschema import Draft202012Validator

from gemba_walk.core.ids import MAX_ID
from gemba_walk.core.json_schema import ID, NO_NUL, READING, TEXT, TIMESTAMP, UUID
from gemba_walk.lean import (
    SCORE_MAX,
    SCORE_MIN,
    SEVERITIES,
    TEMPLATE_KINDS,
    TICKET_STATUSES,
    keys,
)

MAX_AUDITS_PER_BATCH = 25
MAX_FINDINGS_PER_BATCH = 200
MAX_RESPONSES_PER_AUDIT = 300
MAX_PHOTOS_PER_FINDING = 12


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


SYNC_SCHEMAS: dict = {
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


@cache
def sync_validator(schema_name: str) -> Draft202012Validator:
    """A validator for one sync schema, resolving refs among the sync schemas."""
    document = {
        "components": {"schemas": SYNC_SCHEMAS},
        "$ref": f"#/components/schemas/{schema_name}",
    }
    return Draft202012Validator(document)

"""Build sync batches the way the phone does, from the field pack."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta


def new_id() -> str:
    return str(uuid.uuid4())


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def template(pack: dict, key: str) -> dict:
    return next(t for t in pack["templates"] if t["key"] == key)


def five_s_audit(pack: dict, area: dict, scores: list[int], scanned=True) -> dict:
    """A 5S audit of ``area`` with the scores given item by item (cycled)."""
    tpl = template(pack, "5s-audit")
    now = datetime.now(UTC)
    return {
        "uuid": new_id(),
        "area_id": area["id"],
        "template_version_id": tpl["version_id"],
        "started_at": iso(now - timedelta(minutes=20)),
        "submitted_at": iso(now),
        "scanned_at": iso(now - timedelta(minutes=21)) if scanned else None,
        "note": "",
        "responses": [
            {"uuid": new_id(), "item_id": item["id"], "score": scores[i % len(scores)], "note": ""}
            for i, item in enumerate(tpl["items"])
        ],
    }


def finding(area: dict, audit: dict | None = None, photos=(), **fields) -> dict:
    record = {
        "uuid": new_id(),
        "audit_uuid": audit["uuid"] if audit else None,
        "area_id": area["id"],
        "item_id": None,
        "kind": "abnormality",
        "category": "safety",
        "severity": "high",
        "description": "Oil on the floor next to press P2",
        "observed_at": iso(datetime.now(UTC)),
        "photo_uuids": list(photos),
    }
    record.update(fields)
    return record


def batch(audits=(), findings=(), **extra) -> dict:
    return {
        "batch_id": new_id(),
        "device_id": "test-phone",
        "audits": list(audits),
        "findings": list(findings),
        **extra,
    }

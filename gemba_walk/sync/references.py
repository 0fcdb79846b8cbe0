"""What a batch refers to (areas, checklists, photos, audits, tickets), read once before it is
checked, and which of its records are stored already."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

import sqlalchemy as sa

from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit, Finding, Photo
from gemba_walk.checklists.models import ChecklistItem, ChecklistTemplateVersion
from gemba_walk.core.i18n import gettext as _
from gemba_walk.extensions import db
from gemba_walk.sync.received import SyncError
from gemba_walk.sync.schema import SyncAudit, SyncFinding
from gemba_walk.tickets.models import KaizenTicket

_Row = TypeVar("_Row", Area, ChecklistTemplateVersion, ChecklistItem)


@dataclass
class References:
    areas: dict[int, Area]
    versions: dict[int, ChecklistTemplateVersion]
    items: dict[int, ChecklistItem]
    photos: dict[str, Photo]
    stored_audits: dict[str, Audit]
    same_as: dict[str, KaizenTicket]
    # audit uuid → (PNG, SHA-256) of its signature, checked before anything is stored
    signatures: dict[str, tuple[bytes, str]] = field(default_factory=dict)


def _by_id(model: type[_Row], ids: set[int]) -> dict[int, _Row]:
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(model).where(model.id.in_(ids)))
    return {row.id: row for row in rows}


def load_references(audits: list[SyncAudit], findings: list[SyncFinding]) -> References:
    area_ids = {a.area_id for a in audits} | {f.area_id for f in findings}
    version_ids = {a.template_version_id for a in audits}
    item_ids = {r.item_id for a in audits for r in a.responses}
    item_ids |= {f.item_id for f in findings if f.item_id is not None}
    photo_uuids = {p for f in findings for p in f.photo_uuids}
    photo_uuids |= {p for f in findings for p in f.photo_originals.values()}
    audit_refs = {f.audit_uuid for f in findings if f.audit_uuid}

    photos = {}
    if photo_uuids:
        photos = {
            p.uuid: p
            for p in db.session.scalars(sa.select(Photo).where(Photo.uuid.in_(photo_uuids)))
        }
    stored_audits = {}
    if audit_refs:
        stored_audits = {
            a.uuid: a
            for a in db.session.scalars(sa.select(Audit).where(Audit.uuid.in_(audit_refs)))
        }
    numbers = {int(f.same_as_ticket.removeprefix("KZ-")) for f in findings if f.same_as_ticket}
    same_as = {}
    if numbers:
        same_as = {
            t.display_number: t
            for t in db.session.scalars(
                sa.select(KaizenTicket).where(KaizenTicket.number.in_(numbers))
            )
        }
    return References(
        same_as=same_as,
        areas=_by_id(Area, area_ids),
        versions=_by_id(ChecklistTemplateVersion, version_ids),
        items=_by_id(ChecklistItem, item_ids),
        photos=photos,
        stored_audits=stored_audits,
    )


def existing_records(audits: list[SyncAudit], findings: list[SyncFinding]) -> set[str]:
    """UUIDs already stored with the same content; a changed resend is refused outright."""
    checks: list[tuple[type[Audit] | type[Finding], dict[str, str]]] = [
        (Audit, {a.uuid: a.sha256 for a in audits}),
        (Finding, {f.uuid: f.sha256 for f in findings}),
    ]
    duplicates: set[str] = set()
    changed: list[str] = []
    for model, hashes in checks:
        if not hashes:
            continue
        rows = db.session.execute(
            sa.select(model.uuid, model.payload_sha256).where(model.uuid.in_(hashes))
        )
        for uuid, stored_hash in rows:
            (duplicates.add if stored_hash == hashes[uuid] else changed.append)(uuid)
    if changed:
        raise SyncError(
            409,
            "record_changed",
            _(
                "These records were already synced with different content; "
                "a synced record cannot be changed."
            ),
            {"uuids": sorted(changed)},
        )
    return duplicates

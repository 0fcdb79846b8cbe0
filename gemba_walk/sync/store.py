"""Storing a checked batch: each group (an audit with its responses and findings, or a finding
on its own) in one transaction; a ticket note once, by its uuid. A record stored before with
the same content is answered as a duplicate and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gemba_walk.audits.models import Audit, Finding, Response
from gemba_walk.audits.scoring import five_s_scores
from gemba_walk.auth.models import User
from gemba_walk.core import hooks
from gemba_walk.core.database import write_transaction
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.findings.operations import NewFinding, record_finding
from gemba_walk.sync import answer
from gemba_walk.sync.past_limits import findings_for_answers_past_limits
from gemba_walk.sync.received import SyncError, trusted_timestamp
from gemba_walk.sync.references import References
from gemba_walk.sync.schema import (
    AuditResult,
    FindingResult,
    SyncAudit,
    SyncFinding,
    SyncTicketNote,
    TicketNoteResult,
)
from gemba_walk.tickets import workflow
from gemba_walk.tickets.models import KaizenTicket, TicketEvent
from gemba_walk.walks.planning import link_audit


@dataclass(frozen=True)
class Storing:
    """A checked batch being stored: who sent it, from which device, what its records refer
    to, and which of them are stored already (duplicates)."""

    user: User
    device_id: str | None
    refs: References
    duplicates: set[str]


def store_group(
    batch: Storing,
    audit: SyncAudit | None,
    findings: list[SyncFinding],
    results: answer.Results,
) -> None:
    """An audit with its findings, or findings on their own, in one transaction."""
    group = answer.Results()  # merged into the answer only once committed
    try:
        with write_transaction():
            stored_audit = None
            new_audit = audit is not None and audit.uuid not in batch.duplicates
            if audit is not None:
                stored_audit = _store_audit(batch, audit, group)
                if new_audit:
                    link_audit(stored_audit)  # the planned walk it did, if any (walks/)
            for finding in findings:
                _store_finding(batch, finding, stored_audit, group)
            if audit is not None and stored_audit is not None and new_audit:
                group.findings += findings_for_answers_past_limits(
                    batch.user, audit, findings, stored_audit, batch.refs
                )
        results.merge(group)
    except IntegrityError:
        # The same records arrived at the same moment through another request, which stored
        # them first: this group is a duplicate (its content was checked above) — unless the
        # records are not there at all, and one of their ids belongs to something else.
        uuids = [f.uuid for f in findings] + ([audit.uuid] if audit is not None else [])
        if not _all_stored(audit, findings):
            raise SyncError(
                409,
                "ids_taken",
                _(
                    "Some ids in these records already belong to other records; nothing of them "
                    "was stored. Send them again with new ids."
                ),
                {"uuids": uuids},
            ) from None
        if audit is not None:
            results.audits.append(AuditResult(uuid=audit.uuid, status="duplicate"))
        for finding in findings:
            results.findings.append(FindingResult(uuid=finding.uuid, status="duplicate"))


def _all_stored(audit: SyncAudit | None, findings: list[SyncFinding]) -> bool:
    """Whether these records are stored (by the request that won a race with this one)."""
    if audit is not None and not db.session.scalar(
        sa.select(Audit.id).where(Audit.uuid == audit.uuid)
    ):
        return False
    wanted = {f.uuid for f in findings}
    stored = set(db.session.scalars(sa.select(Finding.uuid).where(Finding.uuid.in_(wanted))))
    return stored == wanted


def _store_audit(batch: Storing, data: SyncAudit, results: answer.Results) -> Audit:
    if data.uuid in batch.duplicates:
        existing = db.session.scalars(sa.select(Audit).where(Audit.uuid == data.uuid)).one()
        results.audits.append(answer.duplicate_audit(existing))
        return existing
    user, refs = batch.user, batch.refs
    version = refs.versions[data.template_version_id]
    received = utcnow()
    submitted_at, phone_submitted_at = trusted_timestamp(data.submitted_at, received)
    started_at, phone_started_at = trusted_timestamp(data.started_at, received)
    scanned_at = trusted_timestamp(data.scanned_at, received)[0] if data.scanned_at else None
    audit = Audit(
        uuid=data.uuid,
        area_id=data.area_id,
        template_version_id=version.id,
        auditor_id=user.id,
        kind=version.template.kind,
        started_at=min(started_at, submitted_at),
        submitted_at=submitted_at,
        phone_started_at=phone_started_at,
        phone_submitted_at=phone_submitted_at,
        scanned_at=scanned_at,
        received_at=received,
        note=data.note,
        device_id=batch.device_id,
        payload_sha256=data.sha256,
    )
    if data.uuid in refs.signatures:
        audit.signature_png, audit.signature_sha256 = refs.signatures[data.uuid]
    db.session.add(audit)
    _store_responses(audit, data, refs)
    db.session.flush()
    hooks.emit(
        "audit.completed",
        audit=audit,
        actor_id=user.id,
        message=f"{audit.kind} audit of area {audit.area_id} by {user.name}",
    )
    results.audits.append(answer.created_audit(audit))
    return audit


def _store_responses(audit: Audit, data: SyncAudit, refs: References) -> None:
    """The audit's answers; a 5S audit is scored from them."""
    scored = []
    for response in data.responses:
        item = refs.items[response.item_id]
        db.session.add(
            Response(
                uuid=response.uuid,
                audit=audit,
                item_id=item.id,
                score=response.score,
                value_bool=response.value_bool,
                value_number=response.value_number,
                value_text=response.value_text,
                note=response.note,
            )
        )
        if item.response_type == "score":
            scored.append((item.section, response.score))
    if audit.kind == "5s":
        audit.pillar_scores, audit.score_total = five_s_scores(scored)


def _store_finding(
    batch: Storing, data: SyncFinding, stored_audit: Audit | None, results: answer.Results
) -> None:
    if data.uuid in batch.duplicates:
        results.findings.append(answer.duplicate_finding(data.uuid))
        return
    refs = batch.refs
    audit = None
    if data.audit_uuid:
        audit = stored_audit or refs.stored_audits[data.audit_uuid]
    # A marked-up photo keeps its original (the finding's too, though not shown).
    for marked_uuid, original_uuid in data.photo_originals.items():
        refs.photos[marked_uuid].original_id = refs.photos[original_uuid].id
    uuids = [*data.photo_uuids, *data.photo_originals.values()]
    received = utcnow()
    observed_at, phone_observed_at = trusted_timestamp(data.observed_at, received)
    same_as = refs.same_as.get(data.same_as_ticket or "")
    seen = NewFinding(
        uuid=data.uuid,
        audit=audit,
        area_id=data.area_id,
        item=refs.items[data.item_id] if data.item_id is not None else None,
        kind=data.kind,
        category=data.category,
        severity=data.severity,
        description=data.description,
        photos=[refs.photos[uuid] for uuid in uuids],
        same_as=same_as.number if same_as else None,
        observed_at=observed_at,
        phone_observed_at=phone_observed_at,
        received_at=received,
        payload_sha256=data.sha256,
    )
    results.findings.append(answer.created_finding(record_finding(batch.user, seen)))


def store_note(user: User, note: SyncTicketNote, ticket: KaizenTicket) -> TicketNoteResult:
    """A note is append-only and stored once: its uuid is unique in the ticket's history."""
    result = TicketNoteResult(uuid=note.uuid, status="duplicate", ticket=ticket.display_number)
    if db.session.scalar(sa.select(TicketEvent.id).where(TicketEvent.uuid == note.uuid)):
        return result
    try:
        with write_transaction():
            workflow.comment(
                db.session.merge(ticket),
                user,
                note.body,
                kind=note.kind,
                uuid=note.uuid,
                occurred_at=trusted_timestamp(note.occurred_at, utcnow())[0],
            )
        result.status = "created"
    except IntegrityError:
        pass  # the same note arrived at the same moment through another request
    return result

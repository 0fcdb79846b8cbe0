"""apply_sync_batch: store what a phone captured offline, exactly once.

Every record carries the UUID the phone gave it. A batch is checked whole before anything is
stored (shape, references, values, photos); then each group — an audit with its responses and
findings, or a finding on its own — is stored in one transaction. A record sent again with the
same content is a "duplicate" and changes nothing; with other content it is refused (409). The
answer to each batch is kept, so a replayed batch gets the same answer.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid as uuid_module
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from gemba_walk import field_rules
from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit, Finding, Photo, Response
from gemba_walk.audits.scoring import five_s_scores
from gemba_walk.audits.signatures import SignatureRefused, clean_signature
from gemba_walk.auth.models import User
from gemba_walk.checklists.models import ChecklistItem, ChecklistTemplateVersion
from gemba_walk.core import hooks
from gemba_walk.core.contract import problems_of
from gemba_walk.core.database import write_transaction
from gemba_walk.core.errors import DomainError
from gemba_walk.core.i18n import gettext as _
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.field_rules import number_in_range
from gemba_walk.findings.operations import NewFinding, Recorded, record_finding
from gemba_walk.lean import (
    ABNORMALITY_CATEGORIES,
    FIVE_S_PILLARS,
    SCORE_MAX,
    SCORE_MIN,
    WASTES,
    keys,
)
from gemba_walk.sync.models import SyncBatch
from gemba_walk.sync.schema import (
    AuditResult,
    FindingResult,
    FindingTicket,
    SyncAudit,
    SyncFinding,
    SyncRequest,
    SyncResponse,
    SyncResult,
    SyncTicketNote,
    TicketNoteResult,
)
from gemba_walk.tickets import workflow
from gemba_walk.tickets.models import KaizenTicket, TicketEvent
from gemba_walk.walks.operations import link_audit

CATEGORIES_BY_KIND = {
    "5s": set(keys(FIVE_S_PILLARS)),
    "waste": set(keys(WASTES)),
    "abnormality": set(keys(ABNORMALITY_CATEGORIES)),
}


class SyncError(DomainError):
    """The batch cannot be stored; nothing of it was."""


@dataclass
class _Problems:
    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, record: str, message: str) -> None:
        self.items.append({"record": record, "message": message})


@dataclass
class _Results:
    """The answer being built; a group's records join it only once the group is committed."""

    audits: list[AuditResult] = field(default_factory=list)
    findings: list[FindingResult] = field(default_factory=list)
    ticket_notes: list[TicketNoteResult] = field(default_factory=list)

    def merge(self, group: _Results) -> None:
        self.audits.extend(group.audits)
        self.findings.extend(group.findings)


def payload_sha256(record: Any) -> str:
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_timestamp(value: str) -> datetime:
    """An ISO 8601 time from the phone, as naive UTC."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        except OverflowError as error:  # 0001-01-01T00:00+01:00 has no UTC time
            raise ValueError(str(error)) from error
    return moment


def trusted_timestamp(value: str, received: datetime) -> tuple[datetime, datetime | None]:
    """(the time stored, the phone's own time where its clock ran ahead, else None): a time
    more than the field rules' clock.future_minutes past the received time is the received
    time (the phone applies the same rule to what it shows before it syncs)."""
    phone = parse_timestamp(value)
    stored = field_rules.trusted_time(phone, received)
    return stored, (phone if stored != phone else None)


_Record = TypeVar("_Record", SyncAudit, SyncFinding)
_Row = TypeVar("_Row", Area, ChecklistTemplateVersion, ChecklistItem)


def _hashed(records: list[_Record], sent: Any) -> list[_Record]:
    """Each record's hash over the JSON the phone sent, as sent (a resend is compared by it)."""
    for record, raw in zip(records, sent, strict=True):
        record._sha256 = payload_sha256(raw)
    return records


def _checked_batch(payload: Any) -> SyncRequest:
    """The batch as typed records, or a 422 naming every field the contract refuses."""
    try:
        batch = SyncRequest.model_validate(payload)
    except ValidationError as error:
        problems = problems_of(error, "batch")
        raise SyncError(422, "invalid_batch", _("Some records are not valid."), problems) from None
    _hashed(batch.audits, payload.get("audits", []))
    _hashed(batch.findings, payload.get("findings", []))
    return batch


def apply_sync_batch(user: User, payload: Any) -> dict[str, Any]:
    """Store a batch from a phone and return the answer for it (see the module docstring)."""
    batch = _checked_batch(payload)
    author = batch.author_id
    if author is not None and author != user.id:
        raise SyncError(
            409,
            "wrong_author",
            _(
                "These records were made by another person on this device. They are sent when "
                "that person signs in again."
            ),
        )
    request_hash = payload_sha256(payload)
    previous = _claim_batch(user, batch, request_hash)
    if previous is not None:
        return previous
    try:
        results = _store_batch(user, batch).as_json()
    except BaseException:
        _release_claim(batch.batch_id)
        raise
    with write_transaction():
        db.session.execute(
            sa.update(SyncBatch)
            .where(SyncBatch.uuid == batch.batch_id)
            .values(response=results, received_at=utcnow())
        )
    return results


# A claim left by a server killed mid-batch is taken over after this long.
STALE_CLAIM_SECONDS = 120
# How long a request waits for the same batch being stored by another request.
CLAIM_WAIT_SECONDS = 20.0


def _claim_batch(user: User, batch: SyncRequest, request_hash: str) -> dict[str, Any] | None:
    """Claim the batch id for this request, or return the answer already given to it.

    The first request to claim a batch id stores it; the same batch arriving meanwhile (the
    phone retried while the first answer was on its way) waits for that answer and gets the
    same one, byte for byte, instead of a stripped "duplicate"."""
    batch_id = batch.batch_id
    deadline = time.monotonic() + CLAIM_WAIT_SECONDS
    pause = 0.02
    while True:
        try:
            with write_transaction():
                previous = db.session.scalar(sa.select(SyncBatch).where(SyncBatch.uuid == batch_id))
                if previous is None:
                    db.session.add(
                        SyncBatch(
                            uuid=batch_id,
                            user_id=user.id,
                            device_id=batch.device_id,
                            request_sha256=request_hash,
                            response=None,
                        )
                    )
                    return None
                if previous.user_id != user.id or previous.request_sha256 != request_hash:
                    raise SyncError(
                        409,
                        "batch_reused",
                        _("This batch id was already used for different records."),
                    )
                if previous.response is not None:
                    answer: dict[str, Any] = previous.response
                    return answer
                stale = utcnow() - previous.received_at > timedelta(seconds=STALE_CLAIM_SECONDS)
                if stale:  # the request that claimed it died: this one takes the batch over
                    previous.received_at = utcnow()
                    return None
        except IntegrityError:
            pass  # claimed by another request this instant: wait for its answer below
        if time.monotonic() > deadline:
            raise SyncError(
                503,
                "batch_in_progress",
                _("This batch is being stored by another request; try again in a moment."),
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def _release_claim(batch_id: str) -> None:
    """The batch was refused or failed: free its id so a corrected resend is not blocked."""
    db.session.rollback()
    with write_transaction():
        db.session.execute(
            sa.delete(SyncBatch).where(SyncBatch.uuid == batch_id, SyncBatch.response.is_(None))
        )


def _store_batch(user: User, batch: SyncRequest) -> SyncResult:
    audits, findings, notes = batch.audits, batch.findings, batch.ticket_notes
    context = _load_references(audits, findings)
    _check_values(user, audits, findings, context)
    duplicates = _existing_records(audits, findings)
    tickets = _check_notes(notes)
    results = _Results()
    findings_by_audit: dict[str, list[SyncFinding]] = {}
    for finding in findings:
        findings_by_audit.setdefault(finding.audit_uuid or "", []).append(finding)
    for audit in audits:
        group = findings_by_audit.pop(audit.uuid, [])
        _store_group(user, batch.device_id, audit, group, context, duplicates, results)
    for group in findings_by_audit.values():  # findings on their own, or for a stored audit
        for finding in group:
            _store_group(user, None, None, [finding], context, duplicates, results)

    for note in notes:
        results.ticket_notes.append(_store_note(user, note, tickets[note.ticket_number]))
    answer = SyncResult(batch_id=batch.batch_id, audits=results.audits, findings=results.findings)
    if notes:
        answer.ticket_notes = results.ticket_notes
    return answer


@dataclass
class _References:
    areas: dict[int, Area]
    versions: dict[int, ChecklistTemplateVersion]
    items: dict[int, ChecklistItem]
    photos: dict[str, Photo]
    stored_audits: dict[str, Audit]
    same_as: dict[str, KaizenTicket]
    # audit uuid → (PNG, SHA-256) of its signature, checked before anything is stored
    signatures: dict[str, tuple[bytes, str]] = field(default_factory=dict)


def _load_references(audits: list[SyncAudit], findings: list[SyncFinding]) -> _References:
    area_ids = {a.area_id for a in audits} | {f.area_id for f in findings}
    version_ids = {a.template_version_id for a in audits}
    item_ids = {r.item_id for a in audits for r in a.responses}
    item_ids |= {f.item_id for f in findings if f.item_id is not None}
    photo_uuids = {p for f in findings for p in f.photo_uuids}
    photo_uuids |= {p for f in findings for p in f.photo_originals.values()}
    audit_refs = {f.audit_uuid for f in findings if f.audit_uuid}

    def by_id(model: type[_Row], ids: set[int]) -> dict[int, _Row]:
        if not ids:
            return {}
        rows = db.session.scalars(sa.select(model).where(model.id.in_(ids)))
        return {row.id: row for row in rows}

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
    return _References(
        same_as=same_as,
        areas=by_id(Area, area_ids),
        versions=by_id(ChecklistTemplateVersion, version_ids),
        items=by_id(ChecklistItem, item_ids),
        photos=photos,
        stored_audits=stored_audits,
    )


def _check_timestamps(problems: _Problems, record: str, values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            continue
        try:
            parse_timestamp(value)
        except ValueError:
            problems.add(
                record,
                _(
                    "%(name)s is not a date and time (ISO 8601): %(value)s.",
                    name=name,
                    value=repr(value),
                ),
            )


def _check_values(
    user: User, audits: list[SyncAudit], findings: list[SyncFinding], refs: _References
) -> None:
    problems = _Problems()
    seen: set[str] = set()
    for audit in audits:
        _check_audit(problems, seen, audit, refs)
    batch_audits = {a.uuid for a in audits}
    photo_owner: dict[str, str] = {}
    missing: list[str] = []
    for finding in findings:
        record = f"finding {finding.uuid}"
        if finding.uuid in seen:
            problems.add(record, _("The id %(id)s is used twice in this batch.", id=finding.uuid))
        seen.add(finding.uuid)
        if finding.area_id not in refs.areas:
            problems.add(
                record, _("Unknown area %(id)s. Refresh the field data.", id=finding.area_id)
            )
        audit_uuid = finding.audit_uuid
        if audit_uuid and audit_uuid not in batch_audits and audit_uuid not in refs.stored_audits:
            problems.add(record, _("The audit %(id)s of this finding was not sent.", id=audit_uuid))
        allowed = CATEGORIES_BY_KIND.get(finding.kind)
        if allowed is not None and finding.category not in allowed:
            problems.add(
                record,
                _(
                    "%(category)s is not a %(kind)s category.",
                    category=repr(finding.category),
                    kind=finding.kind,
                ),
            )
        if finding.item_id is not None and finding.item_id not in refs.items:
            problems.add(record, _("Unknown checklist item %(id)s.", id=finding.item_id))
        _check_timestamps(problems, record, {"observed_at": finding.observed_at})
        if not finding.description.strip() and not finding.photo_uuids:
            problems.add(
                record, _("This finding is empty: describe what you saw or add a photo of it.")
            )
        if finding.same_as_ticket:
            chosen = refs.same_as.get(finding.same_as_ticket)
            if finding.item_id is not None:
                problems.add(record, _("A finding on a checklist item joins its item's ticket."))
            elif chosen is None or chosen.area_id != finding.area_id:
                problems.add(
                    record,
                    _("%(number)s is not a ticket of this area.", number=finding.same_as_ticket),
                )
        _check_originals(problems, record, finding, refs)
        for photo_uuid in [*finding.photo_uuids, *finding.photo_originals.values()]:
            if photo_uuid in photo_owner and photo_owner[photo_uuid] != finding.uuid:
                problems.add(record, _("Photo %(id)s is attached to two findings.", id=photo_uuid))
            photo_owner[photo_uuid] = finding.uuid
            photo = refs.photos.get(photo_uuid)
            if photo is None:
                missing.append(photo_uuid)
            elif photo.uploaded_by_id != user.id:
                problems.add(record, _("Photo %(id)s belongs to another user.", id=photo_uuid))
            elif photo.finding is not None and photo.finding.uuid != finding.uuid:
                problems.add(
                    record, _("Photo %(id)s already belongs to another finding.", id=photo_uuid)
                )
    if problems.items:
        raise SyncError(422, "invalid_records", _("Some records are not valid."), problems.items)
    if missing:
        raise SyncError(
            409,
            "photos_missing",
            _("Some photos have not reached the server yet; upload them, then send again."),
            {"missing": sorted(set(missing))},
        )


def _check_originals(
    problems: _Problems, record: str, finding: SyncFinding, refs: _References
) -> None:
    """A marked-up photo names its original: both of this finding, each original used once.
    An original not uploaded yet is "missing" like any photo: the phone uploads it and sends
    the same batch again, so nothing is stored without it."""
    sent = set(finding.photo_uuids)
    originals = list(finding.photo_originals.values())
    if len(set(originals)) != len(originals):
        problems.add(record, _("Two marked-up photos name the same original."))
    for marked_uuid, original_uuid in finding.photo_originals.items():
        if marked_uuid not in sent:
            problems.add(
                record,
                _("Photo %(id)s has an original but is not in photo_uuids.", id=marked_uuid),
            )
        if original_uuid in sent or original_uuid == marked_uuid:
            problems.add(
                record,
                _(
                    "Photo %(id)s is an original; it is not listed in photo_uuids.",
                    id=original_uuid,
                ),
            )
        marked, original = refs.photos.get(marked_uuid), refs.photos.get(original_uuid)
        if marked is None or original is None:
            continue
        if marked.original_id is not None and marked.original_id != original.id:
            problems.add(record, _("Photo %(id)s already has another original.", id=marked_uuid))
        if original.original_id is not None:
            problems.add(
                record, _("Photo %(id)s is itself marked up, not an original.", id=original_uuid)
            )


def _check_audit(problems: _Problems, seen: set[str], audit: SyncAudit, refs: _References) -> None:
    record = f"audit {audit.uuid}"
    if audit.signature_png is not None:
        try:
            refs.signatures[audit.uuid] = clean_signature(audit.signature_png)
        except SignatureRefused as refusal:
            problems.add(record, str(refusal))
    for uuid in [audit.uuid] + [r.uuid for r in audit.responses]:
        if uuid in seen:
            problems.add(record, _("The id %(id)s is used twice in this batch.", id=uuid))
        seen.add(uuid)
    if audit.area_id not in refs.areas:
        problems.add(record, _("Unknown area %(id)s. Refresh the field data.", id=audit.area_id))
    version = refs.versions.get(audit.template_version_id)
    if version is None or not version.is_published:
        problems.add(record, _("Unknown checklist version %(id)s.", id=audit.template_version_id))
    _check_timestamps(
        problems,
        record,
        {
            "started_at": audit.started_at,
            "submitted_at": audit.submitted_at,
            "scanned_at": audit.scanned_at,
        },
    )
    answered: set[int] = set()
    for response in audit.responses:
        item = refs.items.get(response.item_id)
        if item is None or version is None or item.version_id != version.id:
            problems.add(
                record, _("Item %(item)s is not in this checklist.", item=response.item_id)
            )
            continue
        if item.id in answered:
            problems.add(record, _("Item %(item)s is answered twice.", item=item.key))
        answered.add(item.id)
        _check_response(problems, record, item, response)


def _check_response(
    problems: _Problems, record: str, item: ChecklistItem, response: SyncResponse
) -> None:
    kind = item.response_type
    if kind == "score":
        score = response.score
        if score is not None and not SCORE_MIN <= score <= SCORE_MAX:
            problems.add(
                record,
                _(
                    "Item %(item)s: score %(score)s is outside %(low)s–%(high)s.",
                    item=item.key,
                    score=score,
                    low=SCORE_MIN,
                    high=SCORE_MAX,
                ),
            )
    elif kind == "number":
        value = response.value_number
        if value is not None and not number_in_range(value):
            problems.add(
                record,
                _(
                    "Item %(item)s: the reading %(value)s is not a usable number.",
                    item=item.key,
                    value=repr(value),
                ),
            )
    elif kind == "choice":
        text = response.value_text
        if text is not None and text not in (item.levels or []):
            problems.add(
                record,
                _(
                    "Item %(item)s: %(value)s is not one of the choices.",
                    item=item.key,
                    value=repr(text),
                ),
            )


def _existing_records(audits: list[SyncAudit], findings: list[SyncFinding]) -> set[str]:
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


def _store_group(
    user: User,
    device_id: str | None,
    audit: SyncAudit | None,
    findings: list[SyncFinding],
    refs: _References,
    duplicates: set[str],
    results: _Results,
) -> None:
    group = _Results()  # merged into the answer only once committed
    try:
        with write_transaction():
            stored_audit = None
            if audit is not None:
                stored_audit = _store_audit(user, device_id, audit, refs, duplicates, group)
                if audit.uuid not in duplicates:
                    link_audit(stored_audit)  # the planned walk it did, if any (walks/)
            for finding in findings:
                _store_finding(user, finding, stored_audit, refs, duplicates, group)
            if audit is not None and stored_audit is not None and audit.uuid not in duplicates:
                _findings_for_answers_past_limits(user, audit, findings, stored_audit, refs, group)
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


def _store_audit(
    user: User,
    device_id: str | None,
    data: SyncAudit,
    refs: _References,
    duplicates: set[str],
    results: _Results,
) -> Audit:
    if data.uuid in duplicates:
        existing = db.session.scalars(sa.select(Audit).where(Audit.uuid == data.uuid)).one()
        results.audits.append(
            AuditResult(uuid=data.uuid, status="duplicate", score_total=existing.score_total)
        )
        return existing
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
        device_id=device_id,
        payload_sha256=data.sha256,
    )
    if data.uuid in refs.signatures:
        audit.signature_png, audit.signature_sha256 = refs.signatures[data.uuid]
    db.session.add(audit)
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
    db.session.flush()
    hooks.emit(
        "audit.completed",
        audit=audit,
        actor_id=user.id,
        message=f"{audit.kind} audit of area {audit.area_id} by {user.name}",
    )
    results.audits.append(
        AuditResult(uuid=audit.uuid, status="created", score_total=audit.score_total)
    )
    return audit


def _store_finding(
    user: User,
    data: SyncFinding,
    stored_audit: Audit | None,
    refs: _References,
    duplicates: set[str],
    results: _Results,
) -> None:
    if data.uuid in duplicates:
        stored = db.session.scalars(sa.select(Finding).where(Finding.uuid == data.uuid)).one()
        ticket = db.session.get(KaizenTicket, stored.ticket_id) if stored.ticket_id else None
        answer = FindingTicket(number=ticket.display_number, outcome="recorded") if ticket else None
        results.findings.append(FindingResult(uuid=data.uuid, status="duplicate", ticket=answer))
        return
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
    results.findings.append(_created(record_finding(user, seen)))


def _created(recorded: Recorded) -> FindingResult:
    ticket = FindingTicket.model_validate(recorded.ticket.as_json())
    return FindingResult(uuid=recorded.finding.uuid, status="created", ticket=ticket)


def _check_notes(notes: list[SyncTicketNote]) -> dict[str, KaizenTicket]:
    """The tickets the notes are about; an unknown ticket or a bad time refuses the batch."""
    if not notes:
        return {}
    numbers = {int(n.ticket_number.removeprefix("KZ-")) for n in notes}
    found = {
        t.display_number: t
        for t in db.session.scalars(sa.select(KaizenTicket).where(KaizenTicket.number.in_(numbers)))
    }
    problems = _Problems()
    for note in notes:
        record = f"ticket note {note.uuid}"
        if note.ticket_number not in found:
            problems.add(record, _("There is no ticket %(number)s.", number=note.ticket_number))
        if not note.body.strip():
            problems.add(record, _("The note is empty."))
        _check_timestamps(problems, record, {"occurred_at": note.occurred_at})
    if problems.items:
        raise SyncError(422, "invalid_records", _("Some records are not valid."), problems.items)
    return found


def _store_note(user: User, note: SyncTicketNote, ticket: KaizenTicket) -> TicketNoteResult:
    """A note is append-only and stored once: its uuid is unique in the ticket's history."""
    answer = TicketNoteResult(uuid=note.uuid, status="duplicate", ticket=ticket.display_number)
    if db.session.scalar(sa.select(TicketEvent.id).where(TicketEvent.uuid == note.uuid)):
        return answer
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
        answer.status = "created"
    except IntegrityError:
        pass  # the same note arrived at the same moment through another request
    return answer


def item_rules(item: ChecklistItem) -> dict[str, Any]:
    """A checklist item as the field rules read it (the field pack's names)."""
    return {
        "response_type": item.response_type,
        "ticket_threshold": item.ticket_threshold,
        "min": item.min_value,
        "max": item.max_value,
    }


def _findings_for_answers_past_limits(
    user: User,
    data: SyncAudit,
    sent_findings: list[SyncFinding],
    audit: Audit,
    refs: _References,
    results: _Results,
) -> None:
    """An answer past its item's limit (low score, failed check, reading out of range) opens a
    ticket even when the phone sent no finding for it: the server makes the finding itself."""
    if audit.kind == "abnormality":
        return  # the report is itself the finding
    covered = {f.item_id for f in sent_findings}
    for response in data.responses:
        item = refs.items[response.item_id]
        problem = field_rules.past_limits(item_rules(item), response.answer())
        if not problem or item.id in covered:
            continue
        note = response.note.strip()
        seen = NewFinding(
            uuid=str(uuid_module.uuid5(uuid_module.UUID(audit.uuid), f"item-{item.id}")),
            audit=audit,
            area_id=audit.area_id,
            item=item,
            kind=audit.kind,
            category=item.section,
            severity=field_rules.default_severity(audit.kind),
            description=f"{item.prompt} — {problem}" + (f": {note}" if note else ""),
            observed_at=audit.submitted_at,
        )
        results.findings.append(_created(record_finding(user, seen)))

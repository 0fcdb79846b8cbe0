"""apply_sync_batch: store what a phone captured offline, exactly once.

Every record carries the UUID the phone gave it. The batch id is claimed first (sync/claim.py:
the same batch sent again gets the answer kept for it). The batch is checked whole before
anything is stored (sync/validate.py: shape, references, values, photos); then each group — an
audit with its responses and findings, or a finding on its own — is stored in one transaction
(sync/store.py; findings through findings.operations.record_finding). A record sent again with
the same content is a "duplicate" and changes nothing; with other content it is refused (409).
The answer to each batch (sync/answer.py) is kept, so a replayed batch gets the same answer.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError

from gemba_walk.auth.models import User
from gemba_walk.core.contract import problems_of
from gemba_walk.core.i18n import gettext as _
from gemba_walk.sync.answer import Results
from gemba_walk.sync.claim import claim_batch, keep_answer, release_claim
from gemba_walk.sync.received import SyncError, payload_sha256
from gemba_walk.sync.references import existing_records, load_references
from gemba_walk.sync.schema import SyncAudit, SyncFinding, SyncRequest, SyncResult
from gemba_walk.sync.store import Storing, store_group, store_note
from gemba_walk.sync.validate import check_notes, check_values

_Record = TypeVar("_Record", SyncAudit, SyncFinding)


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
    previous = claim_batch(user, batch, payload_sha256(payload))
    if previous is not None:
        return previous
    try:
        results = _store_batch(user, batch).as_json()
    except BaseException:
        release_claim(batch.batch_id)
        raise
    keep_answer(batch.batch_id, results)
    return results


def _store_batch(user: User, batch: SyncRequest) -> SyncResult:
    """Check the whole batch, then store it group by group, then its ticket notes."""
    audits, findings, notes = batch.audits, batch.findings, batch.ticket_notes
    refs = load_references(audits, findings)
    check_values(user, audits, findings, refs)
    storing = Storing(user, batch.device_id, refs, existing_records(audits, findings))
    tickets = check_notes(notes)
    results = Results()
    findings_by_audit: dict[str, list[SyncFinding]] = {}
    for finding in findings:
        findings_by_audit.setdefault(finding.audit_uuid or "", []).append(finding)
    for audit in audits:
        store_group(storing, audit, findings_by_audit.pop(audit.uuid, []), results)
    for group in findings_by_audit.values():  # findings on their own, or for a stored audit
        for finding in group:
            store_group(storing, None, [finding], results)
    for note in notes:
        results.ticket_notes.append(store_note(user, note, tickets[note.ticket_number]))
    return results.answer(batch.batch_id, with_notes=bool(notes))

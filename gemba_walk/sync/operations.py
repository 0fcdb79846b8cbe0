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

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gemba_walk import field_rules
from gemba_walk.areas.models import Area
from gemba_walk.audits.models import Audit, Finding, Photo, Response
from gemba_walk.audits.scoring import five_s_scores
from gemba_walk.auth.models import User
from gemba_walk.checklists.models import ChecklistItem, ChecklistTemplateVersion
from gemba_walk.core.database import write_transaction
from gemba_walk.core.errors import DomainError
from gemba_walk.core.ids import utcnow
from gemba_walk.extensions import db
from gemba_walk.field_rules import number_in_range
from gemba_walk.lean import (
    ABNORMALITY_CATEGORIES,
    FIVE_S_PILLARS,
    SCORE_MAX,
    SCORE_MIN,
    WASTES,
    keys,
)
from gemba_walk.sync.models import SyncBatch
from gemba_walk.sync.schema import sync_validator
from gemba_walk.tickets import workflow
from gemba_walk.tickets.models import KaizenTicket, TicketEvent
from gemba_walk.tickets.rules import ticket_for_finding
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
    items: list[dict] = field(default_factory=list)

    def add(self, record: str, message: str) -> None:
        self.items.append({"record": record, "message": message})


def payload_sha256(record: dict) -> str:
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


def _schema_problems(payload) -> list[dict]:
    problems = []
    for error in sorted(sync_validator("SyncRequest").iter_errors(payload), key=str):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        problems.append({"record": where.lstrip(".") or "batch", "message": error.message})
    return problems[:50]


def apply_sync_batch(user: User, payload) -> dict:
    """Store a batch from a phone and return the answer for it (see the module docstring)."""
    problems = _schema_problems(payload)
    if problems:
        raise SyncError(422, "invalid_batch", "Some records are not valid.", problems)
    author = payload.get("author_id")
    if author is not None and author != user.id:
        raise SyncError(
            409,
            "wrong_author",
            "These records were made by another person on this device. They are sent when "
            "that person signs in again.",
        )
    request_hash = payload_sha256(payload)
    previous = _claim_batch(user, payload, request_hash)
    if previous is not None:
        return previous
    try:
        results = _store_batch(user, payload)
    except BaseException:
        _release_claim(payload["batch_id"])
        raise
    with write_transaction():
        db.session.execute(
            sa.update(SyncBatch)
            .where(SyncBatch.uuid == payload["batch_id"])
            .values(response=results, received_at=utcnow())
        )
    return results


# A claim left by a server killed mid-batch is taken over after this long.
STALE_CLAIM_SECONDS = 120
# How long a request waits for the same batch being stored by another request.
CLAIM_WAIT_SECONDS = 20.0


def _claim_batch(user: User, payload: dict, request_hash: str) -> dict | None:
    """Claim the batch id for this request, or return the answer already given to it.

    The first request to claim a batch id stores it; the same batch arriving meanwhile (the
    phone retried while the first answer was on its way) waits for that answer and gets the
    same one, byte for byte, instead of a stripped "duplicate"."""
    batch_id = payload["batch_id"]
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
                            device_id=payload.get("device_id"),
                            request_sha256=request_hash,
                            response=None,
                        )
                    )
                    return None
                if previous.user_id != user.id or previous.request_sha256 != request_hash:
                    raise SyncError(
                        409, "batch_reused", "This batch id was already used for different records."
                    )
                if previous.response is not None:
                    return previous.response
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
                "This batch is being stored by another request; try again in a moment.",
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


def _store_batch(user: User, payload: dict) -> dict:
    audits = payload.get("audits", [])
    findings = payload.get("findings", [])
    context = _load_references(audits, findings)
    _check_values(user, audits, findings, context)
    duplicates = _existing_records(audits, findings)

    notes = payload.get("ticket_notes", [])
    tickets = _check_notes(notes)
    results = {"batch_id": payload["batch_id"], "audits": [], "findings": []}
    if notes:
        results["ticket_notes"] = []
    findings_by_audit: dict[str, list[dict]] = {}
    for finding in findings:
        findings_by_audit.setdefault(finding.get("audit_uuid") or "", []).append(finding)
    for audit in audits:
        group = findings_by_audit.pop(audit["uuid"], [])
        _store_group(user, payload.get("device_id"), audit, group, context, duplicates, results)
    for group in findings_by_audit.values():  # findings on their own, or for a stored audit
        for finding in group:
            _store_group(user, None, None, [finding], context, duplicates, results)

    for note in notes:
        _store_note(user, note, tickets[note["ticket_number"]], results)
    return results


@dataclass
class _References:
    areas: dict[int, Area]
    versions: dict[int, ChecklistTemplateVersion]
    items: dict[int, ChecklistItem]
    photos: dict[str, Photo]
    stored_audits: dict[str, Audit]
    same_as: dict[str, KaizenTicket]


def _load_references(audits: list[dict], findings: list[dict]) -> _References:
    area_ids = {a["area_id"] for a in audits} | {f["area_id"] for f in findings}
    version_ids = {a["template_version_id"] for a in audits}
    item_ids = {r["item_id"] for a in audits for r in a.get("responses", [])}
    item_ids |= {f["item_id"] for f in findings if f.get("item_id") is not None}
    photo_uuids = {p for f in findings for p in f.get("photo_uuids", [])}
    audit_refs = {f["audit_uuid"] for f in findings if f.get("audit_uuid")}

    def by_id(model, ids):
        if not ids:
            return {}
        return {
            row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(ids)))
        }

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
    numbers = {
        int(f["same_as_ticket"].removeprefix("KZ-")) for f in findings if f.get("same_as_ticket")
    }
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


def _check_timestamps(problems: _Problems, record: str, values: dict) -> None:
    for name, value in values.items():
        if value is None:
            continue
        try:
            parse_timestamp(value)
        except ValueError:
            problems.add(record, f"{name} is not a date and time (ISO 8601): {value!r}.")


def _check_values(user: User, audits: list[dict], findings: list[dict], refs: _References) -> None:
    problems = _Problems()
    seen: set[str] = set()
    for audit in audits:
        record = f"audit {audit['uuid']}"
        for uuid in [audit["uuid"]] + [r["uuid"] for r in audit.get("responses", [])]:
            if uuid in seen:
                problems.add(record, f"The id {uuid} is used twice in this batch.")
            seen.add(uuid)
        if audit["area_id"] not in refs.areas:
            problems.add(record, f"Unknown area {audit['area_id']}. Refresh the field data.")
        version = refs.versions.get(audit["template_version_id"])
        if version is None or not version.is_published:
            problems.add(record, f"Unknown checklist version {audit['template_version_id']}.")
        _check_timestamps(
            problems,
            record,
            {k: audit.get(k) for k in ("started_at", "submitted_at", "scanned_at")},
        )
        answered: set[int] = set()
        for response in audit.get("responses", []):
            item = refs.items.get(response["item_id"])
            if item is None or version is None or item.version_id != version.id:
                problems.add(record, f"Item {response['item_id']} is not in this checklist.")
                continue
            if item.id in answered:
                problems.add(record, f"Item {item.key} is answered twice.")
            answered.add(item.id)
            _check_response(problems, record, item, response)
    batch_audits = {a["uuid"] for a in audits}
    photo_owner: dict[str, str] = {}
    missing: list[str] = []
    for finding in findings:
        record = f"finding {finding['uuid']}"
        if finding["uuid"] in seen:
            problems.add(record, f"The id {finding['uuid']} is used twice in this batch.")
        seen.add(finding["uuid"])
        if finding["area_id"] not in refs.areas:
            problems.add(record, f"Unknown area {finding['area_id']}. Refresh the field data.")
        audit_uuid = finding.get("audit_uuid")
        if audit_uuid and audit_uuid not in batch_audits and audit_uuid not in refs.stored_audits:
            problems.add(record, f"The audit {audit_uuid} of this finding was not sent.")
        allowed = CATEGORIES_BY_KIND.get(finding["kind"])
        if allowed is not None and finding["category"] not in allowed:
            problems.add(record, f"{finding['category']!r} is not a {finding['kind']} category.")
        if finding.get("item_id") is not None and finding["item_id"] not in refs.items:
            problems.add(record, f"Unknown checklist item {finding['item_id']}.")
        _check_timestamps(problems, record, {"observed_at": finding["observed_at"]})
        if not finding["description"].strip() and not finding.get("photo_uuids"):
            problems.add(
                record, "This finding is empty: describe what you saw or add a photo of it."
            )
        same_as = finding.get("same_as_ticket")
        if same_as:
            chosen = refs.same_as.get(same_as)
            if finding.get("item_id") is not None:
                problems.add(record, "A finding on a checklist item joins its item's ticket.")
            elif chosen is None or chosen.area_id != finding["area_id"]:
                problems.add(record, f"{same_as} is not a ticket of this area.")
        for photo_uuid in finding.get("photo_uuids", []):
            if photo_uuid in photo_owner and photo_owner[photo_uuid] != finding["uuid"]:
                problems.add(record, f"Photo {photo_uuid} is attached to two findings.")
            photo_owner[photo_uuid] = finding["uuid"]
            photo = refs.photos.get(photo_uuid)
            if photo is None:
                missing.append(photo_uuid)
            elif photo.uploaded_by_id != user.id:
                problems.add(record, f"Photo {photo_uuid} belongs to another user.")
            elif photo.finding_id is not None and photo.finding.uuid != finding["uuid"]:
                problems.add(record, f"Photo {photo_uuid} already belongs to another finding.")
    if problems.items:
        raise SyncError(422, "invalid_records", "Some records are not valid.", problems.items)
    if missing:
        raise SyncError(
            409,
            "photos_missing",
            "Some photos have not reached the server yet; upload them, then send again.",
            {"missing": sorted(set(missing))},
        )


def _check_response(problems: _Problems, record: str, item: ChecklistItem, response: dict) -> None:
    kind = item.response_type
    if kind == "score":
        score = response.get("score")
        if score is not None and not SCORE_MIN <= score <= SCORE_MAX:
            problems.add(
                record, f"Item {item.key}: score {score} is outside {SCORE_MIN}–{SCORE_MAX}."
            )
    elif kind == "number":
        value = response.get("value_number")
        if value is not None and not number_in_range(value):
            problems.add(record, f"Item {item.key}: the reading {value!r} is not a usable number.")
    elif kind == "choice":
        value = response.get("value_text")
        if value is not None and value not in (item.levels or []):
            problems.add(record, f"Item {item.key}: {value!r} is not one of the choices.")


def _existing_records(audits: list[dict], findings: list[dict]) -> set[str]:
    """UUIDs already stored with the same content; a changed resend is refused outright."""
    checks = [(Audit, {a["uuid"]: payload_sha256(a) for a in audits})]
    checks.append((Finding, {f["uuid"]: payload_sha256(f) for f in findings}))
    duplicates, changed = set(), []
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
            "These records were already synced with different content; "
            "a synced record cannot be changed.",
            {"uuids": sorted(changed)},
        )
    return duplicates


def _store_group(user, device_id, audit, findings, refs, duplicates, results) -> None:
    group = {"audits": [], "findings": []}  # merged into the answer only once committed
    try:
        with write_transaction():
            stored_audit = None
            if audit is not None:
                stored_audit = _store_audit(user, device_id, audit, refs, duplicates, group)
                if audit["uuid"] not in duplicates:
                    link_audit(stored_audit)  # the planned walk it did, if any (walks/)
            for finding in findings:
                _store_finding(user, finding, stored_audit, refs, duplicates, group)
            if audit is not None and audit["uuid"] not in duplicates:
                _findings_for_answers_past_limits(user, audit, findings, stored_audit, refs, group)
        results["audits"].extend(group["audits"])
        results["findings"].extend(group["findings"])
    except IntegrityError:
        # The same records arrived at the same moment through another request, which stored
        # them first: this group is a duplicate (its content was checked above) — unless the
        # records are not there at all, and one of their ids belongs to something else.
        uuids = [f["uuid"] for f in findings] + ([audit["uuid"]] if audit is not None else [])
        if not _all_stored(audit, findings):
            raise SyncError(
                409,
                "ids_taken",
                "Some ids in these records already belong to other records; nothing of them "
                "was stored. Send them again with new ids.",
                {"uuids": uuids},
            ) from None
        if audit is not None:
            results["audits"].append({"uuid": audit["uuid"], "status": "duplicate"})
        for finding in findings:
            results["findings"].append({"uuid": finding["uuid"], "status": "duplicate"})


def _all_stored(audit: dict | None, findings: list[dict]) -> bool:
    """Whether these records are stored (by the request that won a race with this one)."""
    if audit is not None and not db.session.scalar(
        sa.select(Audit.id).where(Audit.uuid == audit["uuid"])
    ):
        return False
    wanted = {f["uuid"] for f in findings}
    stored = set(db.session.scalars(sa.select(Finding.uuid).where(Finding.uuid.in_(wanted))))
    return stored == wanted


def _store_audit(user, device_id, data, refs, duplicates, results) -> Audit | None:
    if data["uuid"] in duplicates:
        existing = db.session.scalar(sa.select(Audit).where(Audit.uuid == data["uuid"]))
        results["audits"].append(
            {"uuid": data["uuid"], "status": "duplicate", "score_total": existing.score_total}
        )
        return existing
    version = refs.versions[data["template_version_id"]]
    audit = Audit(
        uuid=data["uuid"],
        area_id=data["area_id"],
        template_version_id=version.id,
        auditor_id=user.id,
        kind=version.template.kind,
        started_at=parse_timestamp(data["started_at"]),
        submitted_at=parse_timestamp(data["submitted_at"]),
        scanned_at=parse_timestamp(data["scanned_at"]) if data.get("scanned_at") else None,
        note=data.get("note", ""),
        device_id=device_id,
        payload_sha256=payload_sha256(data),
    )
    db.session.add(audit)
    scored = []
    for response in data.get("responses", []):
        item = refs.items[response["item_id"]]
        db.session.add(
            Response(
                uuid=response["uuid"],
                audit=audit,
                item_id=item.id,
                score=response.get("score"),
                value_bool=response.get("value_bool"),
                value_number=response.get("value_number"),
                value_text=response.get("value_text"),
                note=response.get("note", ""),
            )
        )
        if item.response_type == "score":
            scored.append((item.section, response.get("score")))
    if audit.kind == "5s":
        audit.pillar_scores, audit.score_total = five_s_scores(scored)
    db.session.flush()
    results["audits"].append(
        {"uuid": audit.uuid, "status": "created", "score_total": audit.score_total}
    )
    return audit


def _store_finding(user, data, stored_audit, refs, duplicates, results) -> None:
    if data["uuid"] in duplicates:
        stored = db.session.scalar(sa.select(Finding).where(Finding.uuid == data["uuid"]))
        ticket = db.session.get(KaizenTicket, stored.ticket_id) if stored.ticket_id else None
        answer = {"number": ticket.display_number, "outcome": "recorded"} if ticket else None
        results["findings"].append({"uuid": data["uuid"], "status": "duplicate", "ticket": answer})
        return
    audit_id = None
    if data.get("audit_uuid"):
        audit = stored_audit or refs.stored_audits.get(data["audit_uuid"])
        audit_id = audit.id
    finding = Finding(
        uuid=data["uuid"],
        audit_id=audit_id,
        area_id=data["area_id"],
        item_id=data.get("item_id"),
        kind=data["kind"],
        category=data["category"],
        severity=data["severity"],
        description=data["description"].strip(),
        reported_by_id=user.id,
        observed_at=parse_timestamp(data["observed_at"]),
        payload_sha256=payload_sha256(data),
    )
    db.session.add(finding)
    db.session.flush()
    for photo_uuid in data.get("photo_uuids", []):
        refs.photos[photo_uuid].finding_id = finding.id
    db.session.flush()
    same_as = refs.same_as.get(data.get("same_as_ticket") or "")
    outcome = ticket_for_finding(finding, same_as=same_as.number if same_as else None)
    results["findings"].append(
        {"uuid": finding.uuid, "status": "created", "ticket": outcome.as_json()}
    )


def _check_notes(notes: list[dict]) -> dict[str, KaizenTicket]:
    """The tickets the notes are about; an unknown ticket or a bad time refuses the batch."""
    if not notes:
        return {}
    numbers = {int(n["ticket_number"].removeprefix("KZ-")) for n in notes}
    found = {
        t.display_number: t
        for t in db.session.scalars(sa.select(KaizenTicket).where(KaizenTicket.number.in_(numbers)))
    }
    problems = _Problems()
    for note in notes:
        record = f"ticket note {note['uuid']}"
        if note["ticket_number"] not in found:
            problems.add(record, f"There is no ticket {note['ticket_number']}.")
        if not note["body"].strip():
            problems.add(record, "The note is empty.")
        _check_timestamps(problems, record, {"occurred_at": note["occurred_at"]})
    if problems.items:
        raise SyncError(422, "invalid_records", "Some records are not valid.", problems.items)
    return found


def _store_note(user, note: dict, ticket: KaizenTicket, results: dict) -> None:
    """A note is append-only and stored once: its uuid is unique in the ticket's history."""
    answer = {"uuid": note["uuid"], "status": "duplicate", "ticket": ticket.display_number}
    if db.session.scalar(sa.select(TicketEvent.id).where(TicketEvent.uuid == note["uuid"])):
        results["ticket_notes"].append(answer)
        return
    try:
        with write_transaction():
            workflow.comment(
                db.session.merge(ticket),
                user,
                note["body"],
                kind=note["kind"],
                uuid=note["uuid"],
                occurred_at=parse_timestamp(note["occurred_at"]),
            )
        answer["status"] = "created"
    except IntegrityError:
        pass  # the same note arrived at the same moment through another request
    results["ticket_notes"].append(answer)


def item_rules(item: ChecklistItem) -> dict:
    """A checklist item as the field rules read it (the field pack's names)."""
    return {
        "response_type": item.response_type,
        "ticket_threshold": item.ticket_threshold,
        "min": item.min_value,
        "max": item.max_value,
    }


def _findings_for_answers_past_limits(user, data, sent_findings, audit, refs, results) -> None:
    """An answer past its item's limit (low score, failed check, reading out of range) opens a
    ticket even when the phone sent no finding for it: the server makes the finding itself."""
    if audit.kind == "abnormality":
        return  # the report is itself the finding
    covered = {f.get("item_id") for f in sent_findings}
    for response in data.get("responses", []):
        item = refs.items[response["item_id"]]
        problem = field_rules.past_limits(item_rules(item), response)
        if not problem or item.id in covered:
            continue
        note = (response.get("note") or "").strip()
        finding = Finding(
            uuid=str(uuid_module.uuid5(uuid_module.UUID(audit.uuid), f"item-{item.id}")),
            audit_id=audit.id,
            area_id=audit.area_id,
            item_id=item.id,
            kind=audit.kind,
            category=item.section,
            severity=field_rules.default_severity(audit.kind),
            description=f"{item.prompt} — {problem}" + (f": {note}" if note else ""),
            reported_by_id=user.id,
            observed_at=audit.submitted_at,
        )
        db.session.add(finding)
        db.session.flush()
        outcome = ticket_for_finding(finding)
        results["findings"].append(
            {"uuid": finding.uuid, "status": "created", "ticket": outcome.as_json()}
        )

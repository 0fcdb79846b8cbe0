"""A batch checked whole before anything of it is stored: every record's references, values,
times and photos. All problems are named at once (422); photos not uploaded yet are a 409 the
phone answers by uploading them and sending the same batch again."""

from __future__ import annotations

import sqlalchemy as sa

from gemba_walk.audits.signatures import SignatureRefused, clean_signature
from gemba_walk.auth.models import User
from gemba_walk.checklists.models import ChecklistItem
from gemba_walk.core.i18n import gettext as _
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
from gemba_walk.sync.received import Problems, SyncError, parse_timestamp
from gemba_walk.sync.references import References
from gemba_walk.sync.schema import SyncAudit, SyncFinding, SyncResponse, SyncTicketNote
from gemba_walk.tickets.models import KaizenTicket

CATEGORIES_BY_KIND = {
    "5s": set(keys(FIVE_S_PILLARS)),
    "waste": set(keys(WASTES)),
    "abnormality": set(keys(ABNORMALITY_CATEGORIES)),
}


def check_timestamps(problems: Problems, record: str, values: dict[str, str | None]) -> None:
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


def check_values(
    user: User, audits: list[SyncAudit], findings: list[SyncFinding], refs: References
) -> None:
    """Refuse the batch (SyncError) if any record is wrong or any photo is not uploaded yet."""
    problems = Problems()
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
        _check_finding(problems, record, finding, refs, batch_audits)
        _check_originals(problems, record, finding, refs)
        for photo_uuid in [*finding.photo_uuids, *finding.photo_originals.values()]:
            if photo_uuid in photo_owner and photo_owner[photo_uuid] != finding.uuid:
                problems.add(record, _("Photo %(id)s is attached to two findings.", id=photo_uuid))
            photo_owner[photo_uuid] = finding.uuid
            if photo_uuid not in refs.photos:
                missing.append(photo_uuid)
            _check_photo(problems, record, user, finding, photo_uuid, refs)
    problems.refuse()
    if missing:
        raise SyncError(
            409,
            "photos_missing",
            _("Some photos have not reached the server yet; upload them, then send again."),
            {"missing": sorted(set(missing))},
        )


def _check_finding(
    problems: Problems,
    record: str,
    finding: SyncFinding,
    refs: References,
    batch_audits: set[str],
) -> None:
    if finding.area_id not in refs.areas:
        problems.add(record, _("Unknown area %(id)s. Refresh the field data.", id=finding.area_id))
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
    check_timestamps(problems, record, {"observed_at": finding.observed_at})
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


def _check_photo(
    problems: Problems,
    record: str,
    user: User,
    finding: SyncFinding,
    photo_uuid: str,
    refs: References,
) -> None:
    """An uploaded photo must be the person's own and not another finding's."""
    photo = refs.photos.get(photo_uuid)
    if photo is None:
        return
    if photo.uploaded_by_id != user.id:
        problems.add(record, _("Photo %(id)s belongs to another user.", id=photo_uuid))
    elif photo.finding is not None and photo.finding.uuid != finding.uuid:
        problems.add(record, _("Photo %(id)s already belongs to another finding.", id=photo_uuid))


def _check_originals(
    problems: Problems, record: str, finding: SyncFinding, refs: References
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


def _check_audit(problems: Problems, seen: set[str], audit: SyncAudit, refs: References) -> None:
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
    check_timestamps(
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
    problems: Problems, record: str, item: ChecklistItem, response: SyncResponse
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


def check_notes(notes: list[SyncTicketNote]) -> dict[str, KaizenTicket]:
    """The tickets the notes are about; an unknown ticket or a bad time refuses the batch."""
    if not notes:
        return {}
    numbers = {int(n.ticket_number.removeprefix("KZ-")) for n in notes}
    found = {
        t.display_number: t
        for t in db.session.scalars(sa.select(KaizenTicket).where(KaizenTicket.number.in_(numbers)))
    }
    problems = Problems()
    for note in notes:
        record = f"ticket note {note.uuid}"
        if note.ticket_number not in found:
            problems.add(record, _("There is no ticket %(number)s.", number=note.ticket_number))
        if not note.body.strip():
            problems.add(record, _("The note is empty."))
        check_timestamps(problems, record, {"occurred_at": note.occurred_at})
    problems.refuse()
    return found

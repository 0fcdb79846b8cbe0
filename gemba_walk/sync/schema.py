"""The sync batch's contract: what a phone may send to /api/v1/sync and what it is answered.

Typed models (pydantic v2); the API's OpenAPI document is generated from them, and
apply_sync_batch checks every batch with them, so the documentation and the check cannot
disagree.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr

from gemba_walk.core.contract import (
    NO_NUL,
    Answer,
    Id,
    LongText,
    Reading,
    Request,
    Score,
    Severity,
    TemplateKind,
    Text,
    TicketNumber,
    TicketStatus,
    Timestamp,
    Uuid,
)
from gemba_walk.core.ids import MAX_ID
from gemba_walk.field_rules import limit

# Every bound below is the field rules' (gemba_walk/field_rules.json "limits"), which the phone
# checks at capture time: a record the phone lets through is one the server takes.
MAX_AUDITS_PER_BATCH = limit("batch", "audits")["max_length"]
MAX_FINDINGS_PER_BATCH = limit("batch", "findings")["max_length"]
MAX_RESPONSES_PER_AUDIT = limit("audit", "responses")["max_length"]
MAX_PHOTOS_PER_FINDING = limit("finding", "photo_uuids")["max_length"]


class _Record(Request):
    """A record of the batch; its hash is taken over the JSON the phone sent, as sent."""

    _sha256: str = PrivateAttr(default="")

    @property
    def sha256(self) -> str:
        return self._sha256


class SyncResponse(Request):
    uuid: Uuid
    item_id: Id
    score: Score | None = None
    value_bool: bool | None = None
    value_number: Reading | None = None
    value_text: Text | None = None
    note: Text = ""

    def answer(self) -> dict[str, Any]:
        """The answer as the field rules read it (shared with the phone: field_rules.json)."""
        return self.model_dump(include={"score", "value_bool", "value_number", "value_text"})


class SyncAudit(_Record):
    uuid: Uuid
    area_id: Id
    template_version_id: Id
    started_at: Timestamp
    submitted_at: Timestamp
    scanned_at: Timestamp | None = None
    note: Text = ""
    responses: Annotated[list[SyncResponse], Field(max_length=MAX_RESPONSES_PER_AUDIT)] = []
    signature_png: Annotated[
        str | None,
        Field(
            **limit("audit", "signature_png"),
            pattern=NO_NUL,
            description="The auditor's signature drawn on the phone: a PNG, base64-encoded "
            "(at most 96 kB and 1200 × 600 pixels). Optional.",
        ),
    ] = None


class SyncFinding(_Record):
    uuid: Uuid
    audit_uuid: Uuid | None = None
    area_id: Id
    item_id: Id | None = None
    kind: TemplateKind
    category: Annotated[str, Field(**limit("finding", "category"), pattern=NO_NUL)]
    severity: Severity
    description: LongText
    observed_at: Timestamp
    photo_uuids: Annotated[list[Uuid], Field(max_length=MAX_PHOTOS_PER_FINDING)] = []
    photo_originals: Annotated[dict[Uuid, Uuid], Field(**limit("finding", "photo_originals"))] = (
        Field(
            default={},
            description="For a photo marked up on the phone (one of photo_uuids): the uuid of the "
            "photo as taken, uploaded like any photo and kept beside it.",
        )
    )
    same_as_ticket: TicketNumber | None = Field(
        default=None,
        description="For a finding on no checklist item: the open ticket of the area the "
        "person chose as the same problem; without it a new ticket opens.",
    )


class SyncTicketNote(Request):
    """A comment, or a 'checked at the gemba' note, on a kaizen ticket."""

    uuid: Uuid
    ticket_number: TicketNumber
    kind: Literal["comment", "gemba_check"]
    body: LongText
    occurred_at: Timestamp


class SyncRequest(Request):
    batch_id: Uuid
    device_id: Annotated[str, Field(**limit("batch", "device_id"), pattern=NO_NUL)] | None = None
    author_id: Id | None = Field(
        default=None,
        description="The user who made these records on the phone; a batch of another "
        "person's records is refused (409 wrong_author).",
    )
    audits: Annotated[list[SyncAudit], Field(max_length=MAX_AUDITS_PER_BATCH)] = []
    findings: Annotated[list[SyncFinding], Field(max_length=MAX_FINDINGS_PER_BATCH)] = []
    ticket_notes: Annotated[list[SyncTicketNote], Field(**limit("batch", "ticket_notes"))] = []


RecordStatus = Literal["created", "duplicate"]


class AuditResult(Answer):
    uuid: Uuid
    status: RecordStatus
    score_total: float | None = None


class FindingTicket(Answer):
    number: Annotated[str, Field(pattern="^KZ-[0-9]{4,}$")]
    outcome: Literal["opened", "joined", "reopened", "recorded"]
    occurrences: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    status: TicketStatus | None = None


class FindingResult(Answer):
    uuid: Uuid
    status: RecordStatus
    ticket: FindingTicket | None = Field(
        default=None,
        description="The kaizen ticket the finding opened, joined or reopened (recurred); "
        "'recorded' for a finding sent again.",
    )


class TicketNoteResult(Answer):
    uuid: Uuid
    status: RecordStatus
    ticket: str


class SyncResult(Answer):
    batch_id: Uuid
    audits: list[AuditResult]
    findings: list[FindingResult]
    ticket_notes: list[TicketNoteResult] | None = None


SYNC_MODELS: tuple[type[Request] | type[Answer], ...] = (SyncRequest, SyncResult)

"""The field API's requests and answers as typed models (pydantic v2). The views build their
answers from these, the scan request is checked by one, and api/openapi.py generates the
OpenAPI document from them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from gemba_walk.core.contract import (
    NO_NUL,
    Answer,
    Count,
    Id,
    Request,
    ResponseType,
    Role,
    TemplateKind,
    Text,
    Timestamp,
    Uuid,
    one_of,
)
from gemba_walk.tickets.history import KINDS


class ErrorBody(Answer):
    code: str
    message: str
    details: Any = None


class Error(Answer):
    """Every error: a stable code, a message a person understands, and details (per field)."""

    error: ErrorBody


class MeUser(Answer):
    id: Id
    email: str | None  # operators may have only a username
    name: str
    role: Role
    # Account → Display: the capture shell applies it (it carries no user data of its own).
    theme: Literal["auto", "light", "dark"]
    large_text: bool


class Me(Answer):
    user: MeUser
    csrf_token: str


class PackUser(Answer):
    id: Id
    name: str
    role: Role


class PackSite(Answer):
    id: Id
    name: str
    timezone: str = Field(description="IANA time zone")


class PackWalk(Answer):
    """A planned walk of the signed-in person: today's, tomorrow's or overdue."""

    id: Id
    area_id: Id
    template_key: str
    template_name: str
    local_date: str = Field(json_schema_extra={"format": "date"})
    shift: str | None
    window_start: str
    window_end: str
    late_until: str
    state: Literal["due", "overdue", "done", "findings", "late", "missed"]
    done_at: str | None
    scanned: bool | None
    findings: Count


class PackTicket(Answer):
    number: str
    title: str
    status: str
    due: str | None
    occurrences: Count


class LastFiveS(Answer):
    score: float | None
    at: str | None


class PackArea(Answer):
    id: Id
    site_id: Id
    token: str
    name: str
    code: str
    description: str
    owner: str | None
    last_five_s: LastFiveS | None
    open_tickets: list[PackTicket]
    andon: bool  # the label offers "Report a problem" to people not signed in
    # Keys of the pack's checklists that apply here: the area screen offers only these (a walk
    # plan may still start another, and an audit made with one that stopped applying syncs).
    checklists: list[str]


class RetiredToken(Answer):
    token: str
    area_id: Id


class PackItem(Answer):
    id: Id
    key: str
    section: str
    prompt: str
    help: str
    response_type: ResponseType
    levels: list[str] | None
    min: float | None
    max: float | None
    photo_required: bool
    ticket_threshold: int | None


class PackTemplate(Answer):
    key: str
    name: str
    kind: TemplateKind
    version_id: Id
    version: Id
    items: list[PackItem]


class Pack(Answer):
    """Everything a phone needs to audit with no network."""

    user: PackUser
    vocabulary: dict[str, Any]
    sites: list[PackSite]
    timezone: str = Field(
        description="The plant's IANA time zone: every date and time is shown in it"
    )
    walks: list[PackWalk]
    areas: list[PackArea]
    retired_tokens: list[RetiredToken]
    templates: list[PackTemplate]
    inactive_people: list[int] = Field(
        default_factory=list,
        description="Ids of people whose account is turned off: their unsent records on a device "
        "can never be sent, so anyone may download them and a leader may discard them",
    )
    # The capture shell's words in the person's language (msgid → text; empty for English),
    # so a phone offline still speaks it.
    language: str
    messages: dict[str, str]


class Photo(Answer):
    uuid: Uuid
    sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    width: Annotated[int, Field(ge=1, le=1600)]
    height: Annotated[int, Field(ge=1, le=1600)]
    bytes: Count
    content_type: Literal["image/jpeg"]


ScanMethod = Literal["label", "in_app"]


class ScanRequest(Request):
    uuid: Uuid
    area_id: Id
    method: ScanMethod
    scanned_at: Timestamp


class ScanResult(Answer):
    uuid: Uuid
    area_id: Id
    method: ScanMethod


# --- REST reads and ticket updates (API tokens or the phone's session) --------------------


class Ticket(Answer):
    id: Id
    number: Id
    display_number: str
    area_id: Id
    site_id: Id
    kind: str
    category: str
    title: str
    severity: str
    status: str
    owner_id: Id | None
    due_date: str | None
    problem: str
    whys: list[str]
    root_cause: str
    countermeasure: str
    check_result: str
    standardize: str
    no_change_reason: str
    occurrences: Count
    recurred: bool
    opened_at: str | None
    done_at: str | None
    verified_at: str | None
    verified_how: Annotated[
        Literal["scan", "no_scan"] | None,
        Field(
            description="How the verifier checked: 'scan' — verified at the gemba, their label "
            "scan of the area at verified_scan_at; 'no_scan' — verified without a label scan; "
            "null — not verified, or verified before this was recorded."
        ),
    ]
    verified_scan_at: str | None
    verification: Annotated[
        str, Field(description="The same in words: 'verified at the gemba (label scanned …)'.")
    ]
    updated_at: str | None


class TicketPage(Answer):
    items: list[Ticket]
    next_after: Id | None


if TYPE_CHECKING:  # a string to the type checker; one of the history's kinds at run time
    HistoryKind = str
else:
    HistoryKind = one_of(list(KINDS))


class TicketHistoryEvent(Answer):
    """One event of a ticket's history: its kind, its values, and the sentence they make."""

    id: Id
    kind: Annotated[
        HistoryKind, Field(description="A stable id of what happened (see data for its values).")
    ]
    data: Annotated[
        dict[str, Any],
        Field(
            description="The event's values by kind (statuses and severities as keys, days "
            "YYYY-MM-DD, moments YYYY-MM-DDTHH:MM:SS in UTC). "
            + "; ".join(f"{kind} — {keeps}" for kind, keeps in KINDS.items())
        ),
    ]
    sentence: Annotated[str, Field(description="The event in words, in the request's language.")]
    actor_id: Id | None
    actor_name: str | None
    occurred_at: Annotated[
        str | None, Field(description="When it happened on a phone that was offline.")
    ]
    created_at: str | None


class TicketHistory(Answer):
    """A ticket's whole history, oldest first."""

    number: str
    items: list[TicketHistoryEvent]


class WalkResult(Answer):
    """An audit of any kind (5S audit, waste walk, abnormality report, custom checklist)."""

    id: Id
    uuid: Uuid
    area_id: Id
    site_id: Id
    kind: str
    auditor_id: Id
    started_at: str | None
    submitted_at: str | None
    scanned_at: str | None
    score_total: float | None
    pillar_scores: dict[str, Any] | None
    findings: Count


class WalkResultPage(Answer):
    items: list[WalkResult]
    next_after: Id | None


class FindingRecord(Answer):
    id: Id
    uuid: Uuid
    audit_id: Id | None
    area_id: Id
    site_id: Id
    kind: str
    category: str
    severity: str
    description: str
    reported_by_id: Id
    observed_at: str | None
    ticket_id: Id | None


class FindingPage(Answer):
    items: list[FindingRecord]
    next_after: Id | None


class AreaRecord(Answer):
    id: Id
    site_id: Id
    site: str
    code: str
    name: str
    owner_id: Id | None
    active: bool
    created_at: str | None


class AreaPage(Answer):
    items: list[AreaRecord]
    next_after: Id | None


TicketAction = Literal["start", "done", "verify", "send_back", "reject", "reopen"]


class PdcaUpdate(Request):
    title: Annotated[str, Field(min_length=1, max_length=120, pattern=NO_NUL)] | None = None
    problem: Text | None = None
    whys: (
        Annotated[list[Annotated[str, Field(max_length=1000, pattern=NO_NUL)]], Field(max_length=5)]
        | None
    ) = None
    root_cause: Text | None = None
    countermeasure: Text | None = None
    due_date: Annotated[str, Field(pattern="^[0-9]{4}-[0-9]{2}-[0-9]{2}$")] | None = None
    check_result: Text | None = None
    standardize: Text | None = None
    no_change_reason: Annotated[
        Text | None,
        Field(description="Act when no standard changed: why none needed to (or standardize)."),
    ] = None


class TicketUpdate(Request):
    """A step (with its reason or result), PDCA fields, a comment: applied all or nothing."""

    action: TicketAction | None = None
    reason: Text = ""
    result: Text = ""
    comment: Text = ""
    pdca: PdcaUpdate | None = None


API_MODELS: tuple[type[Request] | type[Answer], ...] = (
    Error,
    Me,
    Pack,
    Photo,
    ScanRequest,
    ScanResult,
    Ticket,
    TicketPage,
    TicketHistory,
    WalkResultPage,
    FindingPage,
    AreaPage,
    TicketUpdate,
)

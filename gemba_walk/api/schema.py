"""The field API's requests and answers as typed models (pydantic v2). The views build their
answers from these, the scan request is checked by one, and api/openapi.py generates the
OpenAPI document from them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from gemba_walk.core.contract import Answer, Count, Id, Request, Timestamp, Uuid, one_of
from gemba_walk.lean import RESPONSE_TYPES, ROLES, TEMPLATE_KINDS, keys

if TYPE_CHECKING:  # strings to the type checker; checked against lean.py's keys at run time
    Role = str
    ResponseType = str
    TemplateKind = str
else:
    Role = one_of(keys(ROLES))
    ResponseType = one_of(keys(RESPONSE_TYPES))
    TemplateKind = one_of(keys(TEMPLATE_KINDS))


class ErrorBody(Answer):
    code: str
    message: str
    details: Any = None


class Error(Answer):
    """Every error: a stable code, a message a person understands, and details (per field)."""

    error: ErrorBody


class MeUser(Answer):
    id: Id
    email: str
    name: str
    role: Role


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


API_MODELS: tuple[type[Request] | type[Answer], ...] = (
    Error,
    Me,
    Pack,
    Photo,
    ScanRequest,
    ScanResult,
)

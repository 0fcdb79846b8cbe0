"""Building blocks of the field API's typed contract (pydantic v2): ids, UUIDs, times and text a
database can store. The API's request and answer models are made of these; the OpenAPI
document is generated from the models, so the documentation and the checks cannot disagree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from gemba_walk.core.ids import MAX_ID
from gemba_walk.field_rules import limit_type
from gemba_walk.lean import RESPONSE_TYPES, ROLES, SEVERITIES, TEMPLATE_KINDS, TICKET_STATUSES, keys

NIL_UUID = "00000000-0000-0000-0000-000000000000"
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# Text PostgreSQL can store: no NUL character (refused with 422 naming the field).
NO_NUL = "^[^\\x00]*$"
TICKET_NUMBER = "^KZ-[0-9]{4,9}$"


def _not_nil(value: str) -> str:
    if value == NIL_UUID:
        raise ValueError("the nil UUID is not an id")
    return value


# Checked as a UUID, not as 36 characters: a batch id of 36 dashes (or zeros) is refused, and
# so is the nil UUID, which no phone makes.
Uuid = Annotated[
    str,
    Field(pattern=UUID_PATTERN, json_schema_extra={"format": "uuid", "not": {"const": NIL_UUID}}),
    AfterValidator(_not_nil),
]
# The bounds of the shared types come from the field rules (gemba_walk/field_rules.json), which
# the phone checks before it sends a record.
Timestamp = Annotated[
    str,
    Field(
        **limit_type("timestamp"),
        pattern="^[0-9]{4}-[0-9]{2}-[0-9]{2}",
        json_schema_extra={"format": "date-time"},
    ),
]
Text = Annotated[str, Field(**limit_type("text"), pattern=NO_NUL)]
LongText = Annotated[str, Field(**limit_type("long_text"), pattern=NO_NUL)]
# Every id, number and count column is an INTEGER (PostgreSQL: up to 2^31 - 1).
Id = Annotated[int, Field(**limit_type("id"))]
Count = Annotated[int, Field(ge=0, le=MAX_ID)]
# A reading on a checklist (bar, °C, mm...): far past any gauge, still a finite double.
Reading = Annotated[float, Field(**limit_type("reading"), allow_inf_nan=False)]
Score = Annotated[int, Field(**limit_type("score"))]
TicketNumber = Annotated[str, Field(pattern=TICKET_NUMBER)]


def one_of(choices: list[str]) -> Any:
    """A string that is one of the vocabulary's keys (lean.py stays the one list of them)."""

    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
        return value

    return Annotated[str, AfterValidator(check), WithJsonSchema({"enum": list(choices)})]


if TYPE_CHECKING:  # strings to the type checker; checked against lean.py's keys at run time
    Role = str
    ResponseType = str
    TemplateKind = str
    Severity = str
    TicketStatus = str
else:
    Role = one_of(keys(ROLES))
    ResponseType = one_of(keys(RESPONSE_TYPES))
    TemplateKind = one_of(keys(TEMPLATE_KINDS))
    Severity = one_of(keys(SEVERITIES))
    TicketStatus = one_of(keys(TICKET_STATUSES))


class Request(BaseModel):
    """What a phone sends: exact JSON types (no "3" for 3), no fields we do not know."""

    model_config = ConfigDict(strict=True, extra="forbid")


class Answer(BaseModel):
    """What the server answers (a client ignores keys it does not know: answers may grow)."""

    def as_json(self) -> dict[str, Any]:
        """The answer as JSON, leaving out optional parts that were never set."""
        return self.model_dump(mode="json", exclude_unset=True)


def where(location: tuple[int | str, ...], top: str) -> str:
    """A pydantic error location as a record path: ('audits', 0, 'uuid') -> 'audits[0].uuid'."""
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in location)
    return path.lstrip(".") or top


_PATTERN_MEANS = {
    UUID_PATTERN: "is not a UUID",
    NO_NUL: "contains a NUL character",
    TICKET_NUMBER: "is not a ticket number such as KZ-0001",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}": "is not a date and time (ISO 8601)",
}


def _message(error: Any) -> str:
    if error["type"] == "string_pattern_mismatch":
        return _PATTERN_MEANS.get(error["ctx"]["pattern"], error["msg"])
    return str(error["msg"]).removeprefix("Value error, ")


def problems_of(error: ValidationError, top: str, limit: int = 50) -> list[dict[str, str]]:
    """What a refused request is told: one line per field, named by its path."""
    return [
        {"record": where(e["loc"], top), "message": _message(e)}
        for e in error.errors(include_url=False)[:limit]
    ]

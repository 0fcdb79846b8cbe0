"""A checklist as the builder page sends it, and the typed models (pydantic v2) that check it.

``TemplateSpec`` and ``ItemSpec`` hold the form as typed (strings, so a refused form is shown
back exactly as written). ``ChecklistSpec`` checks one — as the form sends it or as JSON — and
gives the items as model fields. Its errors carry a type and a place, never a sentence:
``checklists/problems.py`` says each in the person's language, at the item they recognise.

Every rule on one field is that field's type or validator. A key used twice is found as each
key is checked (items are checked in order, the keys seen so far in the validation context);
what a kind's phone screen needs from the items together is checked once every item is right.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError, PydanticKnownError

from gemba_walk.checklists.models import ChecklistItem
from gemba_walk.core.contract import NO_NUL, ResponseType, TemplateKind
from gemba_walk.lean import (
    ABNORMALITY_CATEGORIES,
    FIVE_S_PILLARS,
    SCORE_LEVELS,
    SCORE_MAX,
    SCORE_MIN,
    SEVERITIES,
    WASTES,
    keys,
)

KEY_PATTERN = "^[a-z0-9][a-z0-9_-]{0,63}$"
MAX_ITEMS = 200
MAX_CHOICES = 30
SECTIONS_BY_KIND = {"5s": FIVE_S_PILLARS, "waste": WASTES}
# The phone builds an abnormality report's finding from these three answers.
ABNORMALITY_ITEMS = {
    "category": ("choice", set(keys(ABNORMALITY_CATEGORIES))),
    "severity": ("choice", set(keys(SEVERITIES))),
    "description": ("text", None),
}


@dataclass
class ItemSpec:
    """One checklist item as the builder form holds it (strings as typed, before checks)."""

    key: str = ""
    section: str = ""
    prompt: str = ""
    help_text: str = ""
    response_type: str = "score"
    levels: str = ""  # one per line: score level descriptions or the choices
    min_value: str = ""
    max_value: str = ""
    photo_required: bool = False
    ticket_threshold: str = ""

    @classmethod
    def from_item(cls, item: ChecklistItem) -> ItemSpec:
        return cls(
            key=item.key,
            section=item.section,
            prompt=item.prompt,
            help_text=item.help_text or "",
            response_type=item.response_type,
            levels="\n".join(item.levels or []),
            min_value=_number_text(item.min_value),
            max_value=_number_text(item.max_value),
            photo_required=item.photo_required,
            ticket_threshold="" if item.ticket_threshold is None else str(item.ticket_threshold),
        )


@dataclass
class TemplateSpec:
    name: str = ""
    kind: str = "custom"
    description: str = ""
    items: list[ItemSpec] = field(default_factory=list)


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:48]


def refused(rule: str, /, **context: Any) -> PydanticCustomError:
    """A broken rule: its type names the message problems.py says, its context fills it in."""
    return PydanticCustomError(rule, rule.replace("_", " "), context)


# --- one field at a time ------------------------------------------------------------------


def _lines(value: Any) -> Any:
    """Levels or choices: one per line as typed (a list as JSON sends it), blank lines dropped."""
    if isinstance(value, str):
        value = value.splitlines()
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return [line.strip() for line in value if line.strip()]
    return value


def _number(value: Any) -> Any:
    """A number as people type it: "8,5" is 8.5; empty is none."""
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
        return value or None
    return value


def _score_levels(lines: list[str]) -> list[str]:
    if not lines:
        return list(SCORE_LEVELS)
    if len(lines) != SCORE_MAX - SCORE_MIN + 1:
        raise refused("score_levels", given=len(lines))
    return lines


def _choices(lines: list[str]) -> list[str]:
    if len(set(lines)) != len(lines):
        raise refused("choice_twice")
    if any(len(line) > 120 for line in lines):
        raise refused("choice_too_long")
    return lines


def _kind(info: ValidationInfo) -> str | None:
    """The checklist's kind: the item rules that depend on it read it from the context."""
    return (info.context or {}).get("kind")


def _numbered(sent: Any) -> Any:
    """Each item knows its place: its row's position (the person counts from 1). Too many
    items are refused before any is read (pydantic counts only the items that pass)."""
    if not isinstance(sent, list):
        return sent
    if len(sent) > MAX_ITEMS:
        context = {"field_type": "List", "max_length": MAX_ITEMS, "actual_length": len(sent)}
        raise PydanticKnownError("too_long", context)
    return [
        {**item, "position": index} if isinstance(item, dict) else item
        for index, item in enumerate(sent)
    ]


Stripped = Annotated[str, StringConstraints(strip_whitespace=True, pattern=NO_NUL)]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=NO_NUL)
]
Prompt = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=NO_NUL)
]
Key = Annotated[str, Field(min_length=1, pattern=KEY_PATTERN)]
Limit = Annotated[Annotated[float, Field(allow_inf_nan=False)] | None, BeforeValidator(_number)]
Threshold = Annotated[
    Annotated[int, Field(ge=SCORE_MIN, le=SCORE_MAX)] | None, BeforeValidator(_number)
]
Lines = Annotated[list[Annotated[str, Field(pattern=NO_NUL)]], BeforeValidator(_lines)]


class Item(BaseModel):
    """An item whose way of being answered is not known: only its common fields are checked
    (its response type is refused). The answer kinds below add their own fields; fields that
    do not fit the kind (a hidden limit of a score item) are ignored, as the page hides them."""

    # A field left out is checked as its default is (a 5S item without a pillar is refused).
    model_config = ConfigDict(validate_default=True)
    # A written answer has no finding to photograph.
    written: ClassVar[bool] = False

    position: int = 0
    prompt: Prompt
    key: Key
    section: Stripped = ""
    response_type: ResponseType
    help_text: Stripped = ""
    photo_required: bool = False

    @model_validator(mode="before")
    @classmethod
    def _key_from_prompt(cls, sent: Any) -> Any:
        """An empty key is made from the question (it keeps an item's trend across versions)."""
        if not isinstance(sent, dict):
            return sent
        key, prompt = sent.get("key", ""), sent.get("prompt", "")
        if isinstance(key, str) and isinstance(prompt, str):
            return {**sent, "key": (key.strip().lower() or slugify(prompt.strip()))[:64]}
        return sent

    @field_validator("key")
    @classmethod
    def _one_item_per_key(cls, key: str, info: ValidationInfo) -> str:
        seen = (info.context or {}).get("keys")  # key -> the number of the first item with it
        number = info.data.get("position", 0) + 1
        if seen is not None and seen.setdefault(key, number) != number:
            raise refused("key_taken", key=key, other=seen[key])
        return key

    @field_validator("section")
    @classmethod
    def _section_of_kind(cls, section: str, info: ValidationInfo) -> str:
        kind = _kind(info)
        allowed = SECTIONS_BY_KIND.get(kind or "")
        if allowed is not None:
            if section not in keys(allowed):
                raise refused("section_unknown", kind=kind)
            return section
        if not section:
            return "report" if kind == "abnormality" else "checklist"
        if len(section) > 64:
            raise refused("section_too_long")
        return section

    @field_validator("photo_required")
    @classmethod
    def _photo_of_a_finding(cls, wanted: bool, info: ValidationInfo) -> bool:
        if not wanted:
            return wanted
        if _kind(info) == "abnormality":
            if info.data.get("key") != "description":
                raise refused("photo_not_with_description")
        elif cls.written:
            raise refused("photo_of_text")
        return wanted


class PlainItem(Item):
    response_type: Literal["yes_no", "pass_fail"]


class TextItem(Item):
    written: ClassVar[bool] = True
    response_type: Literal["text"]


class ScoreItem(Item):
    response_type: Literal["score"]
    # Empty (or left out) is the standard levels.
    levels: Annotated[Lines, AfterValidator(_score_levels)] = []
    ticket_threshold: Threshold = None


class ChoiceItem(Item):
    response_type: Literal["choice"]
    levels: Annotated[
        Lines,
        Field(min_length=2, max_length=MAX_CHOICES),
        AfterValidator(_choices),
    ] = []


class NumberItem(Item):
    response_type: Literal["number"]
    min_value: Limit = None
    max_value: Limit = None

    @field_validator("max_value")
    @classmethod
    def _above_the_lower(cls, highest: float | None, info: ValidationInfo) -> float | None:
        lowest = info.data.get("min_value")
        if lowest is not None and highest is not None and lowest > highest:
            raise refused("limits_reversed")
        return highest


_MODEL_OF = {"yes_no": "plain", "pass_fail": "plain", "text": "text", "score": "score"}
_MODEL_OF |= {"choice": "choice", "number": "number"}


def _answered_as(sent: Any) -> str:
    """Which model checks an item: the one of its response type."""
    response_type = sent.get("response_type") if isinstance(sent, dict) else None
    return _MODEL_OF.get(response_type, "unknown") if isinstance(response_type, str) else "unknown"


AnyItem = Annotated[
    Annotated[PlainItem, Tag("plain")]
    | Annotated[TextItem, Tag("text")]
    | Annotated[ScoreItem, Tag("score")]
    | Annotated[ChoiceItem, Tag("choice")]
    | Annotated[NumberItem, Tag("number")]
    | Annotated[Item, Tag("unknown")],
    Discriminator(_answered_as),
]
# An item as a row of checklist_items has every answer field; a kind fills in its own.
_NO_ANSWER_FIELDS = {"levels": None, "min_value": None, "max_value": None, "ticket_threshold": None}


# --- the whole checklist ------------------------------------------------------------------


class ChecklistSpec(BaseModel):
    """A checklist as sent: its name, kind, description and items, each item checked by the
    model of its response type."""

    name: Name
    kind: TemplateKind
    description: Stripped = ""
    items: Annotated[
        list[AnyItem], BeforeValidator(_numbered), Field(min_length=1, max_length=MAX_ITEMS)
    ]

    @classmethod
    def check(cls, sent: Any) -> ChecklistSpec:
        """Check a spec as sent (raises ValidationError)."""
        kind = sent.get("kind") if isinstance(sent, dict) else None
        context = {"kind": kind if isinstance(kind, str) else None, "keys": {}}
        return cls.model_validate(sent, context=context)

    @field_validator("items")
    @classmethod
    def _what_the_kind_needs(cls, items: list[Item], info: ValidationInfo) -> list[Item]:
        broken = _missing_for_kind(items, _kind(info))
        if broken:
            # Every broken rule at once (a validator may only raise one error otherwise).
            raise ValidationError.from_exception_data(cls.__name__, broken)
        return items

    def rows(self) -> list[dict[str, Any]]:
        """The items as ChecklistItem fields, in order."""
        return [_NO_ANSWER_FIELDS | item.model_dump() for item in self.items]


def _missing_for_kind(items: list[Item], kind: str | None) -> list[InitErrorDetails]:
    """What the kind's phone screen and dashboard need from the items as a whole."""
    broken: list[InitErrorDetails] = []
    if kind == "5s" and not any(item.response_type == "score" for item in items):
        broken.append({"type": refused("five_s_needs_a_score"), "loc": (), "input": None})
    if kind != "abnormality":
        return broken
    by_key = {item.key: item for item in items}
    for key, (response_type, allowed) in ABNORMALITY_ITEMS.items():
        item = by_key.get(key)
        if item is None or item.response_type != response_type:
            error = refused("abnormality_item_missing", key=key, response_type=response_type)
        elif allowed is not None and not set(getattr(item, "levels", [])) <= allowed:
            error = refused("abnormality_choices", key=key, allowed=", ".join(sorted(allowed)))
        else:
            continue
        broken.append({"type": error, "loc": (), "input": key})
    return broken

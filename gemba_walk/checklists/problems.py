"""What is wrong with a checklist as sent, in the person's language, where they look for it.

``ChecklistSpec`` (checklists/spec.py) refuses a spec with pydantic errors: a type and a place
(``("items", 2, "score", "levels")``). Here each becomes the sentence the builder page shows, in
the reader's language, under the field it is about ("item-2-levels"), with the item's number as
the person counts (Item 3). The sentences are the catalogs' (their msgids stay as written).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from gemba_walk.checklists.spec import SECTIONS_BY_KIND, ChecklistSpec, TemplateSpec
from gemba_walk.core.contract import NO_NUL
from gemba_walk.core.i18n import gettext
from gemba_walk.lean import N_, RESPONSE_TYPES, SCORE_MAX, SCORE_MIN, label_of

# An item's fields in the order the page shows them (and lists what to fix).
ITEM_FIELDS = (
    "prompt",
    "key",
    "section",
    "response_type",
    "levels",
    "ticket_threshold",
    "min_value",
    "max_value",
    "photo_required",
    "help_text",
)
TEMPLATE_FIELDS = ("name", "kind", "description")

# (field, error type) -> what the person reads. (field, None): that field's message for any
# other error on it; (None, type): a rule of spec.py, wherever it is broken.
SAID: dict[tuple[str | None, str | None], str] = {
    ("name", "string_too_long"): N_("Keep the name under 120 characters."),
    ("name", None): N_("Give the checklist a name."),
    ("kind", None): N_("Choose what kind of checklist this is."),
    ("items", "too_short"): N_("A checklist needs at least one item. Add an item, then save."),
    ("items", "too_long"): N_("A checklist holds at most %(most)s items."),
    ("prompt", "string_too_long"): N_("Item %(number)s: keep the question under 300 characters."),
    ("prompt", None): N_("Item %(number)s: write the question to answer."),
    ("key", "string_too_short"): N_("Item %(number)s: give it a key (letters and digits)."),
    ("key", "string_type"): N_("Item %(number)s: give it a key (letters and digits)."),
    ("key", None): N_("Item %(number)s: the key “%(key)s” may hold only a–z, 0–9, - and _."),
    ("response_type", None): N_("Item %(number)s: choose how it is answered."),
    ("levels", "too_short"): N_("Item %(number)s: list at least two choices, one per line."),
    ("levels", "too_long"): N_("Item %(number)s: at most %(most)s choices."),
    ("ticket_threshold", None): N_(
        "Item %(number)s: the ticket threshold must be a whole score from %(low)s to %(high)s "
        "(or empty for no ticket)."
    ),
    ("min_value", None): N_("“%(text)s” is not a number."),
    ("max_value", None): N_("“%(text)s” is not a number."),
    (None, "key_taken"): N_(
        "Item %(number)s: the key “%(key)s” is already used by item %(other)s. "
        "Each item needs its own key."
    ),
    (None, "section_unknown"): N_("Item %(number)s: choose one of %(names)s."),
    (None, "section_too_long"): N_("Item %(number)s: keep the section under 64 characters."),
    (None, "score_levels"): N_(
        "Item %(number)s: describe each score %(low)s to %(high)s, one per line "
        "(%(needed)s lines; you gave %(given)s), or leave it empty for the standard levels."
    ),
    (None, "choice_twice"): N_("Item %(number)s: a choice is listed twice."),
    (None, "choice_too_long"): N_("Item %(number)s: keep each choice under 120 characters."),
    (None, "limits_reversed"): N_("Item %(number)s: the upper limit is below the lower limit."),
    (None, "photo_of_text"): N_(
        "Item %(number)s: a written answer has no finding to photograph; ask for the "
        "photo on a check, score or reading instead."
    ),
    (None, "photo_not_with_description"): N_(
        "Item %(number)s: in an abnormality report the photo goes with the description."
    ),
    (None, "five_s_needs_a_score"): N_("A 5S audit needs at least one item scored 0–5."),
    (None, "abnormality_item_missing"): N_(
        "An abnormality report needs an item with the key “%(key)s” answered as "
        "%(type)s: the phone turns it into the ticket."
    ),
    (None, "abnormality_choices"): N_("The “%(key)s” choices must be among: %(allowed)s."),
}
# Text a database cannot store: the words the edge check (core/input_guard.py) says for a form.
NUL_SAID = N_(
    "The field “%(name)s” contains a NUL character (\\0), which cannot be stored. "
    "Remove it and send again."
)
# What the page never sends (a wrong type, a missing part): a client's fault, not the person's.
DAMAGED = N_("The form is damaged (%(field)s). Reload the page.")
ITEM_DAMAGED = N_("Item %(number)s: the form is damaged (%(field)s). Reload the page.")


@dataclass
class Problems:
    """What is wrong with a spec: messages for the whole template and per item field."""

    general: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # "name", "item-3-key", ...

    def __bool__(self) -> bool:
        return bool(self.general or self.fields)

    def add(self, where: str, message: str) -> None:
        self.fields.setdefault(where, message)

    def messages(self) -> list[str]:
        return self.general + list(self.fields.values())


def check_spec(sent: TemplateSpec | dict[str, Any]) -> tuple[ChecklistSpec | None, Problems]:
    """Check a checklist as sent (the form's spec, or JSON): the checked spec, or None and the
    problems found. Every rule an admin can break has a message that says what to do."""
    data = dataclasses.asdict(sent) if isinstance(sent, TemplateSpec) else sent
    try:
        return ChecklistSpec.check(data), Problems()
    except ValidationError as error:
        return None, problems_of(error)


@dataclass(frozen=True)
class _Place:
    """Where an error is, as the page names it."""

    where: str | None  # the form field ("item-2-key"), or None for the checklist as a whole
    field: str  # the field's name ("key"), or what is broken when no field is
    number: int | None  # the item's number as the person counts, from 1

    @property
    def order(self) -> tuple[int, int, int]:
        if self.number is None:
            rank = TEMPLATE_FIELDS.index(self.field) if self.field in TEMPLATE_FIELDS else 0
            return (0, rank, 0)
        rank = ITEM_FIELDS.index(self.field) if self.field in ITEM_FIELDS else -1
        return (1, self.number, rank)


def _place(location: tuple[int | str, ...]) -> _Place:
    """('items', 2, 'score', 'levels', 0) -> item-2-levels of item 3; ('name',) -> name."""
    if len(location) < 2 or location[0] != "items" or not isinstance(location[1], int):
        name = str(location[0]) if location else "spec"
        return _Place(None if name in ("items", "spec") else name, name, None)
    index = location[1]
    name = next((str(part) for part in location[2:] if part in ITEM_FIELDS), None)
    if name is None:  # the item itself is not an item (a number, a list...)
        return _Place(None, "item", index + 1)
    return _Place(f"item-{index}-{name}", name, index + 1)


def problems_of(error: ValidationError) -> Problems:
    """The pydantic errors of a refused spec as the page lists them."""
    said = [(_place(e["loc"]), e) for e in error.errors(include_url=False)]
    said.sort(key=lambda pair: pair[0].order)  # stable: a field's first error stays first
    problems = Problems()
    for place, details in said:
        message = _said(details, place)
        if place.where is None:
            problems.general.append(message)
        else:
            problems.add(place.where, message)
    return problems


def _shown(value: Any, most: int = 40) -> str:
    """A value as typed, short enough to quote."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= most else text[: most - 1] + "…"


def _said(details: Any, place: _Place) -> str:
    """One pydantic error as the person reads it."""
    kind, context = details["type"], details.get("ctx") or {}
    params = {
        "number": place.number,
        "field": place.field,
        "name": place.where or place.field,
        "text": _shown(details["input"]),
        "key": _shown(details["input"], 64),  # a key is at most 64 characters: all of it
        "low": SCORE_MIN,
        "high": SCORE_MAX,
        "needed": SCORE_MAX - SCORE_MIN + 1,
        "most": context.get("max_length"),
    } | context
    if kind == "string_pattern_mismatch" and context.get("pattern") == NO_NUL:
        return gettext(NUL_SAID, **params)
    if kind == "section_unknown":
        allowed = SECTIONS_BY_KIND.get(context["kind"] or "", ())
        params["names"] = ", ".join(gettext(term.label) for term in allowed)
    if kind == "abnormality_item_missing":
        params["type"] = label_of(RESPONSE_TYPES, context["response_type"]).lower()
    message = SAID.get((None, kind)) or SAID.get((place.field, kind))
    message = message or SAID.get((place.field, None))
    if message is None:
        message = DAMAGED if place.number is None else ITEM_DAMAGED
    return gettext(message, **params)

"""The rules the phone and the server must apply alike, read from one data file.

``field_rules.json`` beside this module is the single source: the phone's
``static/js/shared/rules.js`` imports the same file at build time, and
``tests/field_rules_cases.json`` is one table of cases run by pytest against these functions
and by ``node --test`` against the phone's, so the two sides cannot drift apart (which answer
opens a ticket, default severities, scores and their rounding, how a number is written, the
order of the start buttons, photo sizes).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

RULES: dict[str, Any] = json.loads((Path(__file__).with_name("field_rules.json")).read_text())


def round_half_up(value: float, decimals: int) -> Decimal:
    """The exact binary value rounded half away from zero, as JavaScript's toFixed does."""
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(value: float | int | None) -> str:
    """A reading as people write it: 1234567, 8.5, 0.3 — never 1.23457e+06 or 6.0."""
    if value is None:
        return ""
    text = format(round_half_up(value, RULES["number"]["max_decimals"]), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def number_in_range(value: float) -> bool:
    return math.isfinite(value) and abs(value) < RULES["number"]["max_abs"]


def format_score(value: float | None) -> str:
    """A 5S score as shown on every page and on the phone: one decimal, half up."""
    if value is None:
        return "–"
    return format(round_half_up(value, RULES["score"]["shown_decimals"]), "f")


def score_change(latest: float | None, previous: float | None) -> float | None:
    """Latest minus previous 5S score, rounded as it is shown (one decimal, half up): the one
    number a card both shows (▼ 0.3) and compares with a threshold ("fell by 0.3 or more"),
    so what is counted is what is read. None when either is missing."""
    if latest is None or previous is None:
        return None
    return float(round_half_up(latest - previous, RULES["score"]["shown_decimals"]))


def _stored(value: float) -> float:
    return float(round_half_up(value, RULES["score"]["stored_decimals"]))


def five_s_scores(
    scored: Iterable[tuple[str, int | None]], pillars: Iterable[str]
) -> tuple[dict[str, float], float | None]:
    """Pillar means (rounded) and the total as the mean of the rounded pillars; unscored items
    are left out. ``pillars`` gives the order of the pillars."""
    by_pillar: dict[str, list[int]] = {}
    for pillar, score in scored:
        if score is not None:
            by_pillar.setdefault(pillar, []).append(score)
    means = {
        pillar: _stored(sum(values) / len(values))
        for pillar in pillars
        if (values := by_pillar.get(pillar))
    }
    if not means:
        return {}, None
    return means, _stored(sum(means.values()) / len(means))


def default_severity(kind: str) -> str:
    return RULES["default_severity"].get(kind, "medium")


def severity_rank(severity: str) -> int:
    return RULES["severity_rank"][severity]


def _range(low: float | None, high: float | None) -> str:
    def end(value: float | None) -> str:
        return "…" if value is None else format_number(value)

    return f"{end(low)} to {end(high)}"


def past_limits(item: Mapping[str, Any], answer: Mapping[str, Any]) -> str:
    """Why an answer is a problem worth a ticket, or '': a score at or below the item's
    threshold, a failed check, a reading outside the item's normal range.

    ``item`` has response_type, ticket_threshold, min and max (the field pack's names)."""
    kind = item.get("response_type")
    if kind == "score":
        score, threshold = answer.get("score"), item.get("ticket_threshold")
        if isinstance(score, int) and threshold is not None and score <= threshold:
            return f"scored {score}"
    elif kind == "pass_fail":
        if answer.get("value_bool") is False:
            return "failed"
    elif kind == "number":
        value, low, high = answer.get("value_number"), item.get("min"), item.get("max")
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and ((low is not None and value < low) or (high is not None and value > high)):
            return f"reading {format_number(value)} is outside the normal range {_range(low, high)}"
    return ""


def start_order(templates: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(key, label) of the start buttons: the standard walks first in their usual words, then
    every other checklist by name."""
    templates = list(templates)
    present = {t["key"] for t in templates}
    standard = [(k, RULES["start_labels"][k]) for k in RULES["start_order"] if k in present]
    others = sorted(
        ((t["key"], t["name"]) for t in templates if t["key"] not in RULES["start_order"]),
        key=lambda pair: (pair[1].lower(), pair[1]),
    )
    return standard + others


def area_code_key(typed: str) -> str:
    """An area code as compared: any case, with or without hyphens or spaces ('a11' = 'A-11')."""
    return re.sub(r"[^0-9A-Z]", "", typed.upper())


# --- limits of the records the phone sends (the server's contract reads them from here) -------

LIMITS: dict[str, Any] = RULES["limits"]


def limit_type(name: str) -> dict[str, Any]:
    """The bounds of a shared type of field ('text', 'id', 'timestamp'...)."""
    return dict(LIMITS["types"][name])


def limit(record: str, field: str) -> dict[str, Any]:
    """The bounds of one field of a record ('finding', 'photo_uuids') as pydantic's Field
    arguments: min_length/max_length, ge/le."""
    bounds = LIMITS["records"][record][field]
    return limit_type(bounds) if isinstance(bounds, str) else dict(bounds)


def max_photos_per_finding() -> int:
    return int(limit("finding", "photo_uuids")["max_length"])


def record_problems(record: str, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The limits a record's own fields are past, as the phone checks them before sending:
    [{'field', 'limit' (min_length, max_length, ge, le), 'bound'}]."""
    problems = []
    for field, value in values.items():
        if field not in LIMITS["records"][record] or value is None:
            continue
        for name, bound in limit(record, field).items():
            if isinstance(value, bool):
                continue
            if name in ("min_length", "max_length") and isinstance(value, str | list | dict):
                size = len(value)
                past = size < bound if name == "min_length" else size > bound
            elif name in ("ge", "le") and isinstance(value, int | float):
                past = value < bound if name == "ge" else value > bound
            else:
                continue
            if past:
                problems.append({"field": field, "limit": name, "bound": bound})
    return problems


# --- the server's clock, not the phone's --------------------------------------------------------


def trusted_time(phone: datetime, received: datetime) -> datetime:
    """A capture time as stored: the phone's, unless it is more than ``clock.future_minutes``
    ahead of when the server (or, on the phone, the server's clock as last seen) received it;
    then the received time (a phone clock running ahead)."""
    if phone - received > timedelta(minutes=RULES["clock"]["future_minutes"]):
        return received
    return phone

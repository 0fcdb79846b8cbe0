"""The phone and the server apply the same field rules: one table of cases, run here against
the server's functions and by `node --test` (tests/js/field_rules.test.mjs) against the
phone's, inside `make test`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from gemba_walk import field_rules
from gemba_walk.api.schema import ScanRequest
from gemba_walk.lean import FIVE_S_PILLARS, keys
from gemba_walk.sync.schema import SyncAudit, SyncFinding, SyncRequest, SyncResponse, SyncTicketNote

CASES = json.loads((Path(__file__).with_name("field_rules_cases.json")).read_text())


@pytest.mark.parametrize(("value", "expected"), CASES["format_number"])
def test_numbers_are_written_the_same_on_both_sides(value, expected):
    assert field_rules.format_number(value) == expected


@pytest.mark.parametrize(("value", "expected"), CASES["format_score"])
def test_scores_are_shown_the_same_on_both_sides(value, expected):
    assert field_rules.format_score(value) == expected


@pytest.mark.parametrize("case", CASES["five_s_scores"])
def test_5s_scores_are_rounded_the_same_on_both_sides(case):
    scored = [tuple(pair) for pair in case["scored"]]
    assert field_rules.five_s_scores(scored, keys(FIVE_S_PILLARS)) == (
        case["pillars"],
        case["total"],
    )


@pytest.mark.parametrize("case", CASES["past_limits"])
def test_the_same_answers_open_a_ticket_on_both_sides(case):
    assert field_rules.past_limits(case["item"], case["answer"]) == case["expect"]


@pytest.mark.parametrize(("kind", "expected"), CASES["default_severity"])
def test_default_severities_are_the_same_on_both_sides(kind, expected):
    assert field_rules.default_severity(kind) == expected


@pytest.mark.parametrize("case", CASES["start_order"])
def test_start_buttons_come_in_the_same_order_on_both_sides(case):
    assert field_rules.start_order(case["templates"]) == [tuple(p) for p in case["expect"]]


@pytest.mark.parametrize(("typed", "expected"), CASES["area_code_key"])
def test_typed_area_codes_match_the_same_on_both_sides(typed, expected):
    assert field_rules.area_code_key(typed) == expected


def test_the_phone_passes_the_same_table_of_cases():
    """node --test runs the phone's rules module (static/js/shared/rules.js) against the table."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (make test installs the npm packages with it)")
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [node, "--test", str(root / "tests" / "js")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    passed = re.search(r"^# pass (\d+)$", result.stdout, re.MULTILINE)
    assert passed and int(passed.group(1)) >= 10, result.stdout  # one test per rule, none lost
    assert "# fail 0" in result.stdout


# --- one limit, both sides: every limit of the sync contract is a field rule the phone checks ---

LIMIT_CASES = CASES["record_limits"]
# The contract's model of each record the phone sends, by its name in the field rules.
RECORD_MODELS = {
    "batch": SyncRequest,
    "audit": SyncAudit,
    "response": SyncResponse,
    "finding": SyncFinding,
    "ticket_note": SyncTicketNote,
    "scan": ScanRequest,
}
_SCHEMA_BOUNDS = {
    "minLength": "min_length",
    "minItems": "min_length",
    "minProperties": "min_length",
    "maxLength": "max_length",
    "maxItems": "max_length",
    "maxProperties": "max_length",
    "minimum": "ge",
    "maximum": "le",
}


def _bounds_in_schema(schema: dict) -> dict:
    """The length and number bounds of one property of a JSON schema, optional or not."""
    found = {_SCHEMA_BOUNDS[k]: v for k, v in schema.items() if k in _SCHEMA_BOUNDS}
    for member in schema.get("anyOf", []):
        found.update(_bounds_in_schema(member))
    return found


def _contract_limits() -> dict[str, dict[str, dict]]:
    """Every bound the server's contract enforces on a record the phone sends, read from the
    models' own JSON schema (so a limit added to a model shows here without naming it)."""
    found: dict[str, dict[str, dict]] = {}
    for record, model in RECORD_MODELS.items():
        schema = model.model_json_schema()
        for field, prop in schema["properties"].items():
            if bounds := _bounds_in_schema(prop):
                found.setdefault(record, {})[field] = bounds
            items = prop.get("items") or next(
                (m["items"] for m in prop.get("anyOf", []) if "items" in m), {}
            )
            if item_bounds := _bounds_in_schema(items):
                found.setdefault(record, {})[f"{field}[]"] = item_bounds
    return found


def test_every_record_the_phone_sends_has_its_limits_in_the_field_rules():
    """A model of the sync contract nested in the batch is named in RECORD_MODELS, so a new
    kind of record cannot slip past the walk below."""
    nested = set(SyncRequest.model_json_schema()["$defs"])
    assert nested <= {m.__name__ for m in RECORD_MODELS.values()}


def test_every_limit_the_server_enforces_is_a_field_rule():
    """Walks the contract: each bound the server checks is in field_rules.json with the same
    value, and the rules name no field the contract lacks."""
    contract = _contract_limits()
    rules = {
        record: {field: field_rules.limit(record, field) for field in fields}
        for record, fields in field_rules.LIMITS["records"].items()
    }
    assert contract == rules


def _uuid(number: int) -> str:
    return f"6f1c2a8e-1d2b-4c3d-8e4f-{number:012d}"


def _sized(record: str, field: str, size: int):
    """A value of the field with `size` characters, items or entries."""
    bounds = field_rules.LIMITS["records"][record][field]
    item = LIMIT_CASES["list_items"].get(field)
    if item == "uuid":
        return [_uuid(i + 1) for i in range(size)]
    if item:
        return [LIMIT_CASES["records"][item]] * size
    if field == "photo_originals":
        return {_uuid(i + 1): _uuid(100 + i) for i in range(size)}
    prefix = LIMIT_CASES["timestamp_prefix"] if bounds == "timestamp" else ""
    return (prefix + "x" * size)[:size]


def _at_and_past(record: str, field: str, name: str, bound):
    if name in ("ge", "le"):
        number = float if field_rules.LIMITS["records"][record][field] == "reading" else int
        step = -1 if name == "ge" else 1
        return number(bound), number(bound + step)
    step = -1 if name == "min_length" else 1
    return _sized(record, field, bound), _sized(record, field, bound + step)


LIMIT_POINTS = [
    (record, field, name, bound)
    for record, fields in field_rules.LIMITS["records"].items()
    for field in fields
    for name, bound in field_rules.limit(record, field).items()
]


@pytest.mark.parametrize(("record", "field", "name", "bound"), LIMIT_POINTS)
def test_the_server_takes_a_record_at_each_limit_and_refuses_it_one_past(
    record, field, name, bound
):
    at, past = _at_and_past(record, field, name, bound)
    model = RECORD_MODELS[record]
    model.model_validate_json(json.dumps({**LIMIT_CASES["records"][record], field: at}))
    with pytest.raises(ValidationError) as refused:
        model.model_validate_json(json.dumps({**LIMIT_CASES["records"][record], field: past}))
    assert [e["loc"][0] for e in refused.value.errors()] == [field]
    assert field_rules.record_problems(record, {field: at}) == []
    assert field_rules.record_problems(record, {field: past}) == [
        {"field": field, "limit": name, "bound": bound}
    ]


@pytest.mark.parametrize("case", LIMIT_CASES["cases"])
def test_the_same_records_are_past_a_limit_on_both_sides(case):
    values = {
        field: _sized(case["record"], field, value) if field in LIMIT_CASES["list_items"] else value
        for field, value in case["values"].items()
    }
    assert field_rules.record_problems(case["record"], values) == case["expect"]


@pytest.mark.parametrize("case", CASES["trusted_time"])
def test_a_capture_time_from_a_clock_running_ahead_is_the_received_time(case):
    def moment(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    trusted = field_rules.trusted_time(moment(case["phone"]), moment(case["received"]))
    assert trusted == moment(case["expect"])

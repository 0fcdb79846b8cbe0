"""The phone and the server apply the same field rules: one table of cases, run here against
the server's functions and by `node --test` (tests/js/field_rules.test.mjs) against the
phone's, inside `make test`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gemba_walk import field_rules
from gemba_walk.lean import FIVE_S_PILLARS, keys

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
    """node --test runs the phone's rules module (static/js/rules.js) against the table."""
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
    assert passed and int(passed.group(1)) >= 7, result.stdout  # one test per rule, none lost
    assert "# fail 0" in result.stdout

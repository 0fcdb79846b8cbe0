"""House rules the code keeps, checked on the source itself."""

from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import Path

from gemba_walk import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "gemba_walk"


def _imports_inside_functions(package: Path = PACKAGE) -> list[str]:
    """Every ``import`` written inside a function or method, as ``path:line module``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    names = ", ".join(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom):
                    names = node.module or "."
                else:
                    continue
                found.append(f"{path.relative_to(package.parent)}:{node.lineno} {names}")
    return sorted(set(found))


def test_imports_are_at_module_level_only():
    """An import inside a function hides a dependency from the import-linter contracts (and
    once hid an import loop); every module says what it needs at its top."""
    offenders = _imports_inside_functions()
    assert offenders == [], "imports inside functions:\n" + "\n".join(offenders)


def test_the_import_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "gemba_walk" / "sample.py"
    module.parent.mkdir()
    module.write_text(
        "import os\n\n\nclass Late:\n    def dumps(self):\n        from json import dumps\n"
        "        return dumps\n"
    )
    assert _imports_inside_functions(module.parent) == ["gemba_walk/sample.py:6 json"]


def test_the_import_contracts_make_no_exception():
    """Pages sit on top (``gemba_walk.web``), so no layer needs an ``ignore_imports`` entry."""
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = pyproject["tool"]["importlinter"]["contracts"]
    assert [c["name"] for c in contracts if c.get("ignore_imports")] == []
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    assert "web" in layers[0].split(" | "), "the pages are the top layer"


MODULE_LINES = 400
FUNCTION_LINES = 80


def _too_long(package: Path = PACKAGE) -> list[str]:
    """Modules over MODULE_LINES lines and functions over FUNCTION_LINES, as ``path: what``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(package.parent)
        if (lines := len(text.splitlines())) > MODULE_LINES:
            found.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > FUNCTION_LINES:
                    found.append(f"{name}: {node.name}() is {length} lines")
    return found


def test_no_module_and_no_function_grows_past_its_size():
    """A module over 400 lines or a function over 80 holds more than one idea: split it by
    meaning before adding to it."""
    offenders = _too_long()
    assert offenders == [], "too long:\n" + "\n".join(offenders)


def test_the_size_check_sees_a_long_function_and_a_long_module(tmp_path):
    module = tmp_path / "gemba_walk" / "sample.py"
    module.parent.mkdir()
    body = "".join(f"    x{n} = {n}\n" for n in range(FUNCTION_LINES))
    module.write_text("def long():\n" + body + "\n" * MODULE_LINES)
    assert _too_long(module.parent) == [
        f"gemba_walk/sample.py: {FUNCTION_LINES + 1 + MODULE_LINES} lines",
        f"gemba_walk/sample.py: long() is {FUNCTION_LINES + 1} lines",
    ]


def test_biome_holds_javascript_functions_to_the_same_size():
    """static/js keeps the same 80 lines, checked by Biome in ``make lint-js``. Biome counts only
    the lines between a function's braces, so its limit is two fewer than the whole function."""
    biome = json.loads((PROJECT_ROOT / "biome.json").read_text(encoding="utf-8"))
    rule = biome["linter"]["rules"]["complexity"]["noExcessiveLinesPerFunction"]
    assert rule == {"level": "error", "options": {"maxLines": FUNCTION_LINES - 2}}


# A number on a tracker the repository does not hold tells a reader nothing; the rule does.
TRACKER_REFERENCE = re.compile(r"\bissues? ?#?\d+|\bobs(?:ervation)?s?\.? \d+", re.IGNORECASE)
SOURCES = ("gemba_walk", "static/js", "static/css", "tests", "bench", "templates")


def test_the_code_says_the_rule_not_a_tracker_number():
    found = []
    for folder in SOURCES:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.suffix not in {".py", ".js", ".mjs", ".css", ".html"} or "dist" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if TRACKER_REFERENCE.search(line) and path.name != "test_house_rules.py":
                    found.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}")
    assert found == [], "tracker numbers instead of rules:\n" + "\n".join(found)

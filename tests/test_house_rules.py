"""House rules the code keeps, checked on the source itself."""

from __future__ import annotations

import ast
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

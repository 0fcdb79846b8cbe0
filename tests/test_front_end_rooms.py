"""The phone's code lives in rooms by role, every module is type-checked, and a screen keeps no
state between screens: these hold the layout the build, tsc and the screens rely on."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "static" / "js"
ROOMS = {"entries", "screens", "offline", "shared", "sw", "workers"}


def modules() -> list[Path]:
    return sorted(JS.rglob("*.js"))


def test_every_module_lives_in_a_room():
    loose = [path.name for path in JS.iterdir() if path.is_file()]
    assert loose == []
    assert {path.name for path in JS.iterdir() if path.is_dir()} == ROOMS


def test_every_module_is_type_checked():
    unchecked = [
        str(path.relative_to(ROOT))
        for path in modules()
        if not path.read_text().startswith("// @ts-check")
    ]
    assert unchecked == []
    config = json.loads((ROOT / "jsconfig.json").read_text())
    assert config["include"] == ["static/js"]
    assert config["exclude"] == ["static/js/sw"]  # checked on its own, with the webworker library
    worker = json.loads((JS / "sw" / "jsconfig.json").read_text())
    assert "webworker" in worker["compilerOptions"]["lib"]


def test_a_screen_keeps_no_state_in_its_module():
    """A screen's state is made when the screen is drawn (screens/checklist/context.js), never a
    module-level variable one screen leaves behind for the next."""
    # a `let` at the top, or an object or collection exported for other modules to change
    top_level = re.compile(
        r"^(?:(?:export\s+)?(?:let|var)\s|export\s+const\s+\w+\s*=\s*(?:\{|\[|new\s))", re.MULTILINE
    )
    kept = [
        str(path.relative_to(ROOT))
        for path in sorted((JS / "screens").rglob("*.js"))
        if top_level.search(path.read_text())
    ]
    assert kept == []

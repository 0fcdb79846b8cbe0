"""A missing `}` in the style sheet made every rule after it phone-only for
a whole round while the build only warned. Now the CSS is linted (Biome, in `make lint`) and any
build warning fails the build, so that fault cannot ship again."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gemba_walk import PROJECT_ROOT

BIOME = PROJECT_ROOT / "node_modules" / ".bin" / "biome"
CSS = PROJECT_ROOT / "static" / "css"


def lint(tree: Path) -> subprocess.CompletedProcess:
    """Biome's check of the style sheets as `make lint` runs it, on a copy of the tree."""
    return subprocess.run(
        [str(BIOME), "check", "--error-on-warnings", "--vcs-enabled=false", "static/css"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def tree(tmp_path) -> Path:
    if not BIOME.exists():
        pytest.fail("Biome is missing: `make install` installs it (npm ci)")
    shutil.copy(PROJECT_ROOT / "biome.json", tmp_path / "biome.json")
    shutil.copytree(CSS, tmp_path / "static" / "css")
    return tmp_path


def test_the_style_sheets_as_committed_pass_the_lint(tree):
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unclosed_media_block_fails_the_lint(tree):
    """The round-two fault, put back: the large-text block for phones loses its closing brace."""
    nav = tree / "static" / "css" / "nav.css"
    text = nav.read_text()
    closing = '  :root[data-text="large"] .stats { grid-template-columns: 1fr; }\n}\n'
    assert closing in text
    nav.write_text(text.replace(closing, closing[:-2], 1))
    result = lint(tree)
    assert result.returncode != 0
    assert "expected `}`" in result.stdout + result.stderr


def test_every_part_of_the_style_sheet_is_imported_once_in_cascade_order():
    """app.css is the list of parts; a part left out would silently style nothing. The tokens
    come first, the ground next, paper last."""
    imported = [
        line.split('"./')[1].split('"')[0]
        for line in (CSS / "app.css").read_text().splitlines()
        if line.startswith("@import")
    ]
    parts = sorted(
        path.relative_to(CSS).as_posix() for path in CSS.rglob("*.css") if path.name != "app.css"
    )
    assert sorted(imported) == parts
    assert len(imported) == len(set(imported))
    assert imported[:2] == ["tokens.css", "base.css"]
    assert imported[-1] == "print.css"


def test_the_palette_light_and_dark_is_written_once():
    """Each colour token is declared once, in tokens.css, with its light and its dark value; no
    other part declares one (the dark palette was written three times, kept in step by hand)."""
    tokens = (CSS / "tokens.css").read_text()
    declared = re.findall(r"^\s*(--[a-z0-9-]+):\s*var\(--light, ", tokens, re.MULTILINE)
    assert "--bg" in declared and "--ink" in declared
    assert len(declared) == len(set(declared))
    for path in CSS.rglob("*.css"):
        if path.name == "tokens.css":
            continue
        for token in declared:
            assert not re.search(rf"{token}\s*:", path.read_text()), f"{path.name} declares {token}"
    assert "@media print" not in "".join(
        path.read_text() for path in CSS.rglob("*.css") if path.name != "print.css"
    )

"""The docs stay true and self-contained: the layer diagram is the import-linter contract, no
link leads out of the repository, no reference to a tracker the repository does not have, and
the commit-msg hook CONTRIBUTING.md asks for refuses a subject over 72 characters."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.docs_layers import ARCHITECTURE, ROOT, contract_layers, diagram, drawn

DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md", ROOT / "CONTRIBUTING.md"]
# [words](target) — the target up to a space (a title may follow) or the closing parenthesis.
MARKDOWN_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")
# A path climbing out of its folder, written as a link or in code: ../shared/DESIGN.md
CLIMBING_PATH = re.compile(r"(?<![\w.])(?:\.\./)+[\w./-]+")
TRACKER_REFERENCE = re.compile(r"\bissues?[ -]#?\d+|\bissue-\d+|\bissues? \d+", re.IGNORECASE)


def doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_layer_diagram_is_the_import_linter_contract():
    layers = contract_layers()
    assert layers, "pyproject.toml has no layers contract"
    assert drawn(ARCHITECTURE.read_text()) == diagram(layers), (
        "docs/ARCHITECTURE.md draws other layers than pyproject.toml's contract: "
        "run `.venv/bin/python -m tests.docs_layers` and check the words around the diagram"
    )


def test_every_layer_of_the_contract_is_named_in_the_words_about_it():
    text = ARCHITECTURE.read_text()
    words = text[text.index("## Layers") : text.index("## The typed contract")]
    prose = words[words.index("End of the drawn diagram") :]
    for layer in contract_layers():
        for name in re.split(r"\s*[|:]\s*", layer):
            assert f"`{name}`" in prose, f"the Layers section says nothing of `{name}`"


@pytest.mark.parametrize("path", DOCS, ids=doc_id)
def test_every_link_stays_inside_the_repository(path):
    text = path.read_text()
    for target in MARKDOWN_LINK.findall(text):
        assert ":" not in target.split("#")[0], f"{doc_id(path)} links out: {target}"
        file_part = target.split("#")[0]
        if not file_part:
            continue  # a heading of the same page
        resolved = (path.parent / file_part).resolve()
        assert resolved.is_relative_to(ROOT), f"{doc_id(path)} links outside: {target}"
        assert resolved.exists(), f"{doc_id(path)} links to a missing file: {target}"
    for climbing in CLIMBING_PATH.findall(text):
        resolved = (path.parent / climbing).resolve()
        assert resolved.is_relative_to(ROOT), f"{doc_id(path)} points outside: {climbing}"


@pytest.mark.parametrize("path", DOCS, ids=doc_id)
def test_docs_say_the_rule_not_a_tracker_number(path):
    found = TRACKER_REFERENCE.findall(path.read_text())
    assert not found, f"{doc_id(path)} refers to a tracker the repository has not: {found}"


# --- CONTRIBUTING.md's commit rule, held by .githooks/commit-msg -----------------------------

HOOK = ROOT / ".githooks" / "commit-msg"


def run_hook(tmp_path: Path, message: str) -> subprocess.CompletedProcess:
    file = tmp_path / "COMMIT_EDITMSG"
    file.write_text(message)
    return subprocess.run([str(HOOK), str(file)], capture_output=True, text=True, check=False)


def test_the_hook_takes_a_short_subject_with_the_why_in_the_body(tmp_path):
    message = (
        "Benches run in a quick mode inside make test\n\n"
        "A bench that no longer ran went unnoticed for a round; now it fails the suite.\n"
        "# Please enter the commit message for your changes. Lines starting\n"
    )
    answer = run_hook(tmp_path, message)
    assert answer.returncode == 0, answer.stderr


def test_the_hook_refuses_a_subject_over_72_characters_and_says_why(tmp_path):
    subject = "Benches run in a quick mode inside make test, and the docs say what is true now"
    assert len(subject) > 72
    answer = run_hook(tmp_path, f"{subject}\n\nThe body.\n")
    assert answer.returncode == 1
    assert f"{len(subject)} characters" in answer.stderr
    assert "72" in answer.stderr


def test_the_hook_refuses_a_body_glued_to_the_subject(tmp_path):
    answer = run_hook(tmp_path, "Short subject\nThe why, without a blank line before it.\n")
    assert answer.returncode == 1
    assert "blank line" in answer.stderr


def test_the_hook_lets_git_made_messages_through(tmp_path):
    long = "Merge branch 'docs' of a server far away into a branch with a long, long name"
    assert len(long) > 72
    assert run_hook(tmp_path, f"{long}\n").returncode == 0
    assert run_hook(tmp_path, f"fixup! {long}\n").returncode == 0

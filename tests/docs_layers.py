"""The layer diagram in docs/ARCHITECTURE.md, drawn from the import-linter layers contract.

The contract in pyproject.toml ([tool.importlinter]) is what `lint-imports` holds; the diagram
is drawn from it, so the picture a reader sees is the rule the code keeps. After changing the
contract, redraw it:

    .venv/bin/python -m tests.docs_layers

tests/test_docs.py fails while the diagram and the contract differ.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
BEGIN = (
    "<!-- The diagram below is drawn from the layers contract in pyproject.toml by "
    "`.venv/bin/python -m tests.docs_layers`: change the contract, then redraw it. -->"
)
END = "<!-- End of the drawn diagram. -->"


def contract_layers(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The layers of the (one) layers contract, top first, as import-linter reads them."""
    settings = tomllib.loads(pyproject.read_text())["tool"]["importlinter"]
    [contract] = [c for c in settings["contracts"] if c["type"] == "layers"]
    return [" ".join(layer.split()) for layer in contract["layers"]]


def diagram(layers: list[str]) -> str:
    """Top to bottom, one layer a line, an arrow down between them (may import what is below)."""
    lines = ["```"]
    for index, layer in enumerate(layers):
        if index:
            lines.append("  ↓")
        lines.append(layer)
    lines.append("```")
    return "\n".join(lines)


def drawn(text: str) -> str:
    """The diagram between the markers of ARCHITECTURE.md's text."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:end].strip()


def redraw(text: str, layers: list[str]) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return f"{text[:start]}\n{diagram(layers)}\n{text[end:]}"


if __name__ == "__main__":
    ARCHITECTURE.write_text(redraw(ARCHITECTURE.read_text(), contract_layers()))
    print(f"Redrew the layers in {ARCHITECTURE.relative_to(ROOT)} from pyproject.toml.")

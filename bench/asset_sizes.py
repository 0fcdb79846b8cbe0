"""What the built front end weighs: each entry point of static/dist (the file and every chunk it
imports statically, as a browser loads it before the page works) and each stylesheet, raw and
gzip -9, as served.

Run: `make assets && .venv/bin/python bench/asset_sizes.py` — prints a Markdown table for
docs/PERFORMANCE.md; `--write` puts it there too, with today's date. It reads
static/dist/manifest.json (the names esbuild gave the files); a manifest entry whose file is
missing fails. --quick is accepted for `make bench-smoke` (the bench is quick already).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "static" / "dist"
PERFORMANCE = ROOT / "docs" / "PERFORMANCE.md"
# The table's place in docs/PERFORMANCE.md, between these two lines.
BEGIN, END = "<!-- bench/asset_sizes.py --write: begin -->", "<!-- bench/asset_sizes.py: end -->"
# `import … from "./chunk.js"` and `import "./chunk.js"`; dynamic import() loads later, on demand.
STATIC_IMPORT = re.compile(rb'(?:^|[;}\s])import\s*(?:[\w{}$,\s*]+from\s*)?"\./([\w.-]+\.js)"')


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def manifest() -> dict[str, str]:
    return json.loads((DIST / "manifest.json").read_text())


def loaded_up_front(entry: str) -> dict:
    """An entry point and the chunks it imports statically: files, raw bytes, gzip bytes."""
    seen, queue, raw, gzipped = set(), [manifest()[entry]], 0, 0
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        code = (DIST / name).read_bytes()
        raw += len(code)
        gzipped += gz(code)
        queue += [found.decode() for found in STATIC_IMPORT.findall(code)]
    return {"files": len(seen), "raw": raw, "gzip": gzipped}


def shell_critical_bytes() -> dict:
    """JS the capture shell loads before it can render (its entry and static imports), and CSS."""
    shell = loaded_up_front("shell.js")
    css = sum(
        gz((DIST / name).read_bytes()) for key, name in manifest().items() if key.endswith(".css")
    )
    return {"js_files": shell["files"], "js_gzip": shell["gzip"], "css_gzip": css}


def scanner_initial_bytes() -> dict:
    """JS the Scan page loads up front (its entry and static imports), raw and gzip."""
    return loaded_up_front("scanner.js")


def table() -> list[str]:
    lines = [
        "| built file (with its static imports) | files | raw | gzip -9 |",
        "| --- | --- | --- | --- |",
    ]
    for key in sorted(manifest()):
        if key.endswith(".js"):
            sizes = loaded_up_front(key)
        else:
            data = (DIST / manifest()[key]).read_bytes()
            sizes = {"files": 1, "raw": len(data), "gzip": gz(data)}
        assert sizes["gzip"] > 0, key
        lines.append(
            f"| {key} | {sizes['files']} | {sizes['raw'] / 1024:.1f} KiB "
            f"| {sizes['gzip'] / 1024:.1f} KiB |"
        )
    return lines


def write(lines: list[str]) -> None:
    """Replace the table in docs/PERFORMANCE.md (between BEGIN and END) and date it."""
    text = PERFORMANCE.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    body = [f"Measured on {date.today().isoformat()}.", "", *lines]
    PERFORMANCE.write_text(text[:start] + "\n" + "\n".join(body) + "\n" + text[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the same (it is quick already)")
    parser.add_argument("--write", action="store_true", help="also into docs/PERFORMANCE.md")
    args = parser.parse_args()
    lines = table()
    print("\n".join(lines))
    if args.write:
        write(lines)


if __name__ == "__main__":
    main()

"""The phone's API types (static/js/shared/api-types.d.ts) are generated from the OpenAPI
document, itself generated from the pydantic models: a changed field in a model without
regenerated types fails here, so the phone and the contract cannot drift apart."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from gemba_walk.api.openapi import openapi_document

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "static" / "js" / "shared" / "api-types.d.ts"


def test_the_phones_api_types_are_the_ones_the_openapi_document_gives(tmp_path):
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "openapi-typescript").is_dir():
        pytest.skip("Node.js and the npm packages are not installed (make install installs them)")
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(openapi_document()))
    generated = tmp_path / "api-types.d.ts"
    result = subprocess.run(
        [node, str(ROOT / "static" / "api-types.mjs"), str(document), str(generated)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert generated.read_text() == COMMITTED.read_text(), (
        "static/js/shared/api-types.d.ts is not what /api/v1/openapi.json gives: "
        "run `npm run api-types` and commit the file"
    )


def test_the_api_types_name_what_the_phone_sends_and_reads():
    """The hand-kept types only import the wire shapes: none is written twice."""
    kept = (ROOT / "static" / "js" / "shared" / "types.d.ts").read_text()
    wire = ("SyncAudit", "SyncFinding", "SyncTicketNote", "SyncResult", "PackArea", "PackTemplate")
    for schema in wire:
        assert f"Schemas['{schema}']" in kept
    for written_by_hand in ("interface AuditRecord", "interface FindingRecord", "interface Area "):
        assert written_by_hand not in kept

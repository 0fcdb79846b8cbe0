"""The API fuzzed from its own document, /api/v1/openapi.json, with schemathesis.

A leader is signed in (session cookie, X-CSRFToken from /api/v1/me) on a plant with one area
and the default checklists, and every operation gets valid and invalid requests: random JSON,
ids at and past the column ranges, broken uuids, odd bytes for photos. Whatever arrives, the
server answers no 5xx, only status codes the document lists, and bodies that match it.

The seed is fixed (Hypothesis ``derandomize``) and the cases per operation are bounded, so the
run is the same every time and takes seconds; ``bench/fuzz_bench.py`` is the larger run.
"""

from __future__ import annotations

import os

from gemba_walk.checklists.defaults import ensure_default_templates
from tests.factories import AreaFactory
from tests.fuzzing import fuzz_api

CASES_PER_OPERATION = int(os.environ.get("GEMBA_FUZZ_CASES", "20"))


def test_the_api_answers_every_fuzzed_request_as_its_document_says(app, client, auth):
    ensure_default_templates()
    AreaFactory()
    auth.login_as("leader")
    report = fuzz_api(app, client, CASES_PER_OPERATION)
    assert report.failures == []
    assert report.cases >= 100  # every operation was reached, valid and invalid
    assert set(report.statuses) - {200, 201, 304, 400, 401, 404, 405, 409, 413, 415, 422} == set()

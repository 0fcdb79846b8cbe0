"""Fuzz the API from its own OpenAPI document with schemathesis (the suite's test and the
larger benchmark share this)."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,  # no 5xx, whatever arrives
    status_code_conformance,  # only status codes the document lists for the operation
    content_type_conformance,  # the content type the document says
    response_schema_conformance,  # bodies that match the document's schemas
    negative_data_rejection,  # what the document says is invalid is refused with a 4xx
]


@dataclass
class FuzzReport:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def fuzz_api(app, client, cases_per_operation: int, derandomize: bool = True) -> FuzzReport:
    """Every operation of /api/v1/openapi.json, valid and invalid requests, sent as the signed-
    in ``client`` (with the CSRF token from /api/v1/me); failures are collected, one a line."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    token = client.get("/api/v1/me").json["csrf_token"]
    report = FuzzReport()
    started = time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # A failure is recorded and the next operation still runs; Unsatisfiable means
            # there is nothing to make invalid (an operation without parameters or body).
            with contextlib.suppress(AssertionError, Unsatisfiable):
                _fuzz_one(operation, mode, client, token, cases_per_operation, derandomize, report)
    report.seconds = time.perf_counter() - started
    return report


def _fuzz_one(operation, mode, client, token, cases, derandomize, report: FuzzReport) -> None:
    label = f"{operation.label} ({mode.value})"

    @settings(
        max_examples=cases,
        derandomize=derandomize,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        report.cases += 1
        try:
            response = case.call_and_validate(
                session=client, headers={"X-CSRFToken": token}, checks=CHECKS
            )
            report.statuses[response.status_code] += 1
        except AssertionError as error:  # schemathesis's FailureGroup is one
            first = str(error).strip().splitlines()[:8]
            report.failures.append(f"{label}: {' | '.join(first)}")
            raise

    run()

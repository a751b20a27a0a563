"""Schemathesis against the running app's /openapi.json: every operation, bounded examples;
no 5xx, every response conforms to the document and the document to the code (D21)."""

from __future__ import annotations

import json
import shutil
from importlib import resources

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service import create_app


def _repeats_an_id(case) -> bool:
    articles = case.body.get("articles") if isinstance(case.body, dict) else None
    ids = [a.get("id") for a in articles or [] if isinstance(a, dict)]
    return len(ids) != len(set(map(repr, ids)))


def accepts_what_the_document_allows(ctx, response, case):
    """positive_data_acceptance, but for the one rule JSON Schema cannot state: a batch's ids
    are unique (its description says so; a repeat is a 400)."""
    if case.path == "/v1/annotate/batch" and _repeats_an_id(case) and response.status_code == 400:
        return None
    return positive_data_acceptance(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    accepts_what_the_document_allows,
    negative_data_rejection,  # what the document forbids, the code refuses
]


@pytest.fixture(scope="module")
def api(tiny_registry_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("schemathesis") / "models"
    shutil.copytree(tiny_registry_template, root)
    app = create_app({"MODEL_DIR": str(root), "RELOAD_INTERVAL": 0})
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


# Every operation the shipped document describes, one test each.
DOC = json.loads(resources.files("framelens").joinpath("static", "openapi.json").read_text())
OPERATIONS = [(path, method.upper()) for path, ops in DOC["paths"].items() for method in ops]


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_every_operation_answers_as_documented(api, path, method):
    operation = api[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case):
        case.call_and_validate(checks=CHECKS)

    answers_as_documented()

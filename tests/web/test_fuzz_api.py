"""The API fuzzed from its own OpenAPI description: no generated request gets a 5xx, and every
answer matches the description (status, content type, schema)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

EXAMPLES = 25  # per operation: bounded, so the run stays a few seconds


@pytest.fixture
def api_schema(server: str):
    return schemathesis.openapi.from_url(server + "/api/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_is_a_server_error(case):
    response = case.call(timeout=30)
    assert response.status_code < 500, (case.path, case.query, response.text[:300])
    # Any text is a schema-valid q, but not every text is a query: a 400 that says why is right.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])

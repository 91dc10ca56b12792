"""Schemathesis against the served OpenAPI schema: no 500s, responses match the schema."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def bearer(issued_key: Any, settings: Any) -> dict[str, str]:
    # Schemathesis probes every operation with wrong keys from one address; the failed-auth
    # limit (tests/hostile/test_rate_limits.py) would turn those probes into 429s.
    settings.LEXICON_AUTH_FAILURE_LIMIT = ""
    return {"Authorization": f"Bearer {issued_key.plaintext}"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db(transaction=True)
def test_every_operation_answers_within_its_schema(case: Any, bearer: dict[str, str]) -> None:
    """No 5xx; every status code, content type and body is documented.

    Schemathesis' data-acceptance checks are left out: rules JSON Schema cannot express (no two
    rules with the same match, a file that parses as its format) make some schema-valid requests
    400s by design.
    """
    case.call_and_validate(
        headers=bearer, excluded_checks=[positive_data_acceptance, negative_data_rejection]
    )

"""Health and readiness, rate limits per key, and request ids in logs."""

import logging
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from orgs.models import Organization
from orgs.services import api_key_create
from tests.conftest import client_with_key

URL = "/v1/pronunciation/dictionaries"


def test_healthz_answers_without_database_or_key() -> None:
    response = Client().get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_readyz_checks_the_database_and_the_broker() -> None:
    response = Client().get("/readyz")

    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "database": "ok", "broker": "ok"},
    )


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.celery import app

    # readyz checks the connection for writes; Celery 5.7 resolves its URL from broker_url, so
    # both are patched, the write URL first (undoing the patch then restores the good one).
    for setting in ("broker_write_url", "broker_url"):
        monkeypatch.setattr(app.conf, setting, "redis://127.0.0.1:9/0")

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["broker"].startswith("error:")


@pytest.mark.django_db
def test_a_key_over_its_rate_gets_429_with_retry_after(
    organization: Organization, settings: Any
) -> None:
    settings.LEXICON_RATE_LIMIT = "3/min"
    cache.clear()
    fast, other = (
        client_with_key(api_key_create(organization=organization, label=label).plaintext)
        for label in ("fast", "other")
    )

    statuses = [fast.get(URL).status_code for _ in range(4)]
    response = fast.get(URL)

    assert statuses == [200, 200, 200, 429]
    assert response.status_code == 429
    body = response.json()
    assert (body["code"], body["error"]) == ("rate_limit", "Too many requests.")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert other.get(URL).status_code == 200  # the limit is per key


@pytest.mark.django_db
def test_log_lines_carry_the_request_id_of_the_error_body(
    api: APIClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)

    response = api.get(f"{URL}/missing")

    request_id = response.json()["slng_request_id"]
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records
    assert all(getattr(r, "request_id", None) == request_id for r in records)

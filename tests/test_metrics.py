"""/metrics in one process: who may scrape, request counters and the scrape-time gauges.

The same code runs in several processes in tests/test_scale.py (gunicorn and Celery workers
adding up their files); here the process's own registry is read through the Django test client.
"""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app
from orgs.models import Organization
from pronunciations.models import ImportJob, JobState
from pronunciations.services import dictionary_delete, dictionary_update
from sync.emulator import EmulatorThread
from sync.models import Channel, SyncState, SyncStatus, SyncTarget
from sync.services import target_create
from sync.tasks import run_target
from tests.conftest import SLNG_KEY_ACME, SLNG_KEY_GLOBEX
from tests.factories import make_dictionary
from tests.prometheus import Samples, labelled, parse, value
from tests.sync.review import approve, proposing

TOKEN = "metrics-token-for-tests-0123456789"
URL = "/v1/pronunciation/dictionaries"


@pytest.fixture
def token(settings: Any) -> str:
    settings.LEXICON_METRICS_TOKEN = TOKEN
    return TOKEN


def _scrape() -> Samples:
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    return parse(response.content.decode())


def test_metrics_answer_404_when_no_token_is_configured(settings: Any) -> None:
    settings.LEXICON_METRICS_TOKEN = ""

    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer anything")

    assert response.status_code == 404
    assert response.json() == {
        "code": "pronunciation_not_found",
        "error": "Not found.",
        "slng_request_id": response["X-Request-Id"],
    }


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}"])
def test_metrics_refuse_a_missing_or_wrong_token(token: str, authorization: str | None) -> None:
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = Client().get("/metrics", **headers)  # type: ignore[arg-type]

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="lexicon-metrics"'
    assert response.json() == {
        "code": "pronunciation_unauthenticated",
        "error": "Missing or invalid metrics token: send Authorization: Bearer <token>.",
        "slng_request_id": response["X-Request-Id"],
    }


def test_metrics_refuse_other_methods(token: str) -> None:
    response = Client().post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert (response.status_code, response.json()["code"]) == (405, "invalid_pronunciation")


@pytest.mark.django_db
def test_a_scrape_by_the_process_address_needs_no_listed_host(token: str) -> None:
    """Prometheus scrapes each process by its own address, which ALLOWED_HOSTS does not list."""
    response = Client().get(
        "/metrics", HTTP_HOST="10.1.2.3:8000", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")


def test_requests_are_counted_by_route_name_and_status_never_by_path(
    api: APIClient, organization: Organization, token: str
) -> None:
    make_dictionary(organization, "brand")
    before = _scrape()

    assert api.get(f"{URL}/brand").status_code == 200
    assert api.get(f"{URL}/secret-customer-name").status_code == 404
    assert api.get("/v1/no/such/path").status_code == 404
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    after = parse(response.content.decode())

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    detail = {"operation": "dictionary-detail", "method": "GET"}
    assert moved("lexicon_http_requests_total", **detail, status="200") == 1
    assert moved("lexicon_http_requests_total", **detail, status="404") == 1
    assert moved("lexicon_http_requests_total", operation="v1-not-found", status="404") == 1
    assert moved("lexicon_http_request_duration_seconds_count", **detail) == 2
    assert moved("lexicon_http_requests_total", operation="metrics", status="200") == 1
    assert "secret-customer-name" not in response.content.decode()
    operations = {labels["operation"] for labels in labelled(after, "lexicon_http_requests_total")}
    assert all("/" not in name for name in operations), operations


def _target(organization: Organization, slng: EmulatorThread, name: str, **extra: Any) -> Any:
    key = SLNG_KEY_ACME if organization.slug == "acme" else SLNG_KEY_GLOBEX
    return target_create(
        organization=organization,
        name=name,
        base_url=slng.base_url,
        ws_url=slng.ws_url,
        api_key=key,
        **extra,
    )


def _labels(target: SyncTarget) -> dict[str, str]:
    return {
        "organization": target.organization.slug,
        "target": target.public_id,
        "target_name": target.name,
    }


def test_backlog_gauges_count_only_each_targets_own_organizations_dictionaries(
    organization: Organization, other_organization: Organization, slng: EmulatorThread, token: str
) -> None:
    verified, failed, waiting = (make_dictionary(organization, n) for n in ("a", "b", "c"))
    make_dictionary(organization, "gone")
    dictionary_delete(organization=organization, name="gone")
    make_dictionary(other_organization, "g")
    production = _target(organization, slng, "production", interval_seconds=120)
    _target(organization, slng, "paused", enabled=False)
    theirs = _target(other_organization, slng, "production")
    SyncState.objects.create(
        target=production,
        dictionary=verified,
        status=SyncStatus.VERIFIED,
        pushed_revision=verified.revision,
    )
    SyncState.objects.create(target=production, dictionary=failed, status=SyncStatus.FAILED)
    SyncState.objects.create(  # verified, but at an older revision: pending again
        target=production, dictionary=waiting, status=SyncStatus.VERIFIED, pushed_revision=0
    )
    type(waiting).objects.filter(pk=waiting.pk).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )

    samples = _scrape()

    ours, other = _labels(production), _labels(theirs)
    assert value(samples, "lexicon_sync_dictionaries_pending", **ours) == 1
    assert value(samples, "lexicon_sync_dictionaries_failed", **ours) == 1
    assert 3600 <= value(samples, "lexicon_sync_oldest_pending_age_seconds", **ours) < 3700
    assert value(samples, "lexicon_sync_target_interval_seconds", **ours) == 120
    assert value(samples, "lexicon_sync_dictionaries_pending", **other) == 1
    assert value(samples, "lexicon_sync_dictionaries_failed", **other) == 0
    assert labelled(samples, "lexicon_sync_dictionaries_pending") == [ours, other]


def test_nothing_pending_reports_zero_and_an_age_of_zero(
    organization: Organization, slng: EmulatorThread, token: str
) -> None:
    target = _target(organization, slng, "production")

    samples = _scrape()

    assert value(samples, "lexicon_sync_dictionaries_pending", **_labels(target)) == 0
    assert value(samples, "lexicon_sync_oldest_pending_age_seconds", **_labels(target)) == 0


def test_a_change_waiting_for_review_is_not_pending_on_production(
    organization: Organization, slng: EmulatorThread, token: str
) -> None:
    """Issue 14: production's backlog counts what its channel makes due, not every revision."""
    production = _target(organization, slng, "production", channel=Channel.APPROVED)
    waiting = make_dictionary(organization, "waiting")
    approved = make_dictionary(organization, "approved")
    for dictionary in (waiting, approved):
        SyncState.objects.create(
            target=production, dictionary=dictionary, status=SyncStatus.VERIFIED, pushed_revision=1
        )
    with proposing(organization):
        for name in ("waiting", "approved"):
            dictionary_update(organization=organization, name=name, metadata={"v": 2}, partial=True)
    written = timezone.now() - timedelta(hours=1)
    approved.revisions.filter(number=2).update(created_at=written)
    approve(approved, 2)  # an hour after it was written

    samples = _scrape()

    # Only the approved change is pending, and its age runs from its approval.
    assert value(samples, "lexicon_sync_dictionaries_pending", **_labels(production)) == 1
    assert value(samples, "lexicon_sync_oldest_pending_age_seconds", **_labels(production)) < 3600


def test_import_jobs_are_counted_by_state_as_the_api_shows_them(
    organization: Organization, token: str, settings: Any
) -> None:
    now = timezone.now()
    silent = now - timedelta(seconds=settings.LEXICON_IMPORT_JOB_STALE_SECONDS + 5)
    for state, heartbeat in [
        (JobState.QUEUED, None),
        (JobState.RUNNING, now),
        (JobState.RUNNING, silent),  # its worker was lost: the API shows it failed
        (JobState.SUCCEEDED, now),
        (JobState.SUCCEEDED, now),
    ]:
        ImportJob.objects.create(
            organization=organization, file_format="csv", state=state, heartbeat_at=heartbeat
        )

    samples = _scrape()

    assert {
        state: value(samples, "lexicon_import_jobs", state=state) for state in JobState.values
    } == {"queued": 1, "running": 1, "succeeded": 2, "failed": 1}


@pytest.mark.django_db
def test_queue_depth_counts_the_messages_waiting_in_the_broker(token: str) -> None:
    app.control.purge()
    try:
        for _ in range(3):
            run_target.apply_async(("tgt_none", "org_none", "manual"))

        samples = _scrape()
    finally:
        app.control.purge()

    assert value(samples, "lexicon_celery_queue_depth", queue="sync") == 3
    assert value(samples, "lexicon_metrics_source_up", source="broker") == 1


@pytest.mark.django_db
def test_a_broker_that_cannot_be_read_is_reported_down(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Celery 5.7 resolves broker_write_url from broker_url: patch it first, so that undoing the
    # patch restores the good URL rather than the bad one it would then resolve to.
    for setting in ("broker_write_url", "broker_url"):
        monkeypatch.setattr(app.conf, setting, "redis://127.0.0.1:9/0")

    samples = _scrape()

    assert value(samples, "lexicon_metrics_source_up", source="broker") == 0
    assert value(samples, "lexicon_metrics_source_up", source="database") == 1
    assert labelled(samples, "lexicon_celery_queue_depth") == []


@pytest.mark.django_db
def test_wrong_metrics_tokens_are_throttled_and_the_right_one_still_served(
    token: str, settings: Any
) -> None:
    """Issue 22: /metrics accepted unlimited token guesses."""
    settings.LEXICON_AUTH_FAILURE_LIMIT = "3/min"
    cache.clear()
    guesses = [
        Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer guess-{i}").status_code
        for i in range(4)
    ]
    refused = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer guess-5")

    assert guesses == [401, 401, 401, 429]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["code"] == "rate_limit"
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    cache.clear()


def test_a_short_metrics_token_stops_the_start() -> None:
    """Issue 22: any token length was accepted."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "LEXICON_METRICS_TOKEN": "short-token"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "LEXICON_METRICS_TOKEN must be at least 32 characters, got 11" in result.stderr

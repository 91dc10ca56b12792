"""Issue 27 item 3: Idempotency-Key on every POST: a retry gets the first answer, once."""

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from core.idempotency import ABANDONED_AFTER, KEPT_FOR
from orgs.models import IdempotencyKey, Organization
from pronunciations.models import Dictionary, Revision
from tests.factories import make_dictionary

URL = "/v1/pronunciation/dictionaries"
BODY = {"name": "brand", "modes": {"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}}}

pytestmark = pytest.mark.django_db


def _post(api: APIClient, path: str, body: Any, key: str) -> Any:
    return api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _views(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            found.append((prefix + str(pattern.pattern), pattern.callback.cls))
    return found


def test_every_post_of_the_api_honours_idempotency_key() -> None:
    posts = [
        (path, view)
        for path, view in _views(get_resolver().url_patterns)
        if path.startswith("v1/") and hasattr(view, "post")
    ]

    assert len(posts) >= 20
    assert [path for path, view in posts if not getattr(view.post, "idempotent", False)] == []


def test_a_retry_gets_the_first_answer_and_creates_nothing_more(api: APIClient) -> None:
    first = _post(api, URL, BODY, "create-brand-1")
    retry = _post(api, URL, BODY, "create-brand-1")

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry["ETag"] == first["ETag"]
    assert retry["Content-Type"] == first["Content-Type"] == "application/json"
    assert retry["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Dictionary.objects.count() == 1
    # without the key, the same request is a new one: SLNG's 409 for a taken name
    assert api.post(URL, BODY, format="json").status_code == 409


def test_the_same_key_with_another_request_is_refused_422(api: APIClient) -> None:
    _post(api, URL, BODY, "k-1")

    other = _post(api, URL, {**BODY, "name": "other"}, "k-1")

    assert other.status_code == 422
    assert other.json() == {
        "code": "pronunciation_idempotency_key_reused",
        "error": "This Idempotency-Key was used for a different request in the last 24 hours; "
        "send a new key for a new request.",
        "slng_request_id": other["X-Request-Id"],
    }
    assert not Dictionary.objects.filter(name="other").exists()


def test_a_key_is_the_organizations_own(
    api: APIClient, other_api: APIClient, other_organization: Organization
) -> None:
    _post(api, URL, BODY, "shared-key")

    theirs = _post(other_api, URL, BODY, "shared-key")

    assert theirs.status_code == 201
    assert not theirs.has_header("Idempotent-Replayed")
    assert Dictionary.objects.filter(organization=other_organization).count() == 1


def test_a_retried_restore_records_one_revision(api: APIClient, organization: Organization) -> None:
    """Issue 27: a restore retried after a lost answer must not record a second revision."""
    make_dictionary(organization, "brand")
    api.patch(f"{URL}/brand", {"metadata": {"v": 2}}, format="json")
    path = f"{URL}/brand/revisions/1/restore"

    first = _post(api, path, {"comment": "back to 1"}, "restore-1")
    retry = _post(api, path, {"comment": "back to 1"}, "restore-1")

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    dictionary = Dictionary.objects.get(name="brand")
    assert Revision.objects.filter(dictionary=dictionary).count() == dictionary.revision == 3


def test_a_refused_request_keeps_nothing_and_may_be_retried(api: APIClient) -> None:
    refused = _post(api, URL, {"name": "brand", "modes": "nope"}, "fix-and-retry")
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()

    assert _post(api, URL, {"name": "brand", "modes": "nope"}, "fix-and-retry").status_code == 400
    assert _post(api, URL, BODY, "fix-and-retry").status_code == 201


def test_a_key_in_progress_is_refused_409(api: APIClient) -> None:
    _post(api, URL, BODY, "busy")
    IdempotencyKey.objects.update(status=None)  # as while the first request still runs

    response = _post(api, URL, BODY, "busy")

    assert response.status_code == 409
    assert response.json()["code"] == "pronunciation_conflict"
    assert "still being processed" in response.json()["error"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_write_once(api: APIClient) -> None:
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def send() -> None:
        barrier.wait()
        try:
            statuses.append(_post(api, URL, BODY, "raced").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(statuses) == 4
    assert set(statuses) <= {201, 409}  # the first, its replays, or "still being processed"
    assert 201 in statuses
    assert Dictionary.objects.count() == 1


def test_an_abandoned_or_expired_key_is_freed(api: APIClient, organization: Organization) -> None:
    old = timezone.now() - ABANDONED_AFTER - timedelta(seconds=1)
    IdempotencyKey.objects.create(
        organization=organization, key="abandoned", fingerprint="x", created_at=old
    )
    IdempotencyKey.objects.create(
        organization=organization,
        key="expired",
        fingerprint="x",
        status=201,
        created_at=timezone.now() - KEPT_FOR - timedelta(seconds=1),
    )

    assert _post(api, URL, BODY, "abandoned").status_code == 201
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["abandoned"]


def test_the_purge_command_deletes_expired_keys(
    organization: Organization, capsys: pytest.CaptureFixture[str]
) -> None:
    expired = timezone.now() - KEPT_FOR - timedelta(minutes=1)
    IdempotencyKey.objects.create(organization=organization, key="old", created_at=expired)
    IdempotencyKey.objects.create(organization=organization, key="new")

    call_command("purge_idempotency_keys")

    assert capsys.readouterr().out == "purged 1 expired idempotency keys\n"
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.parametrize("key", ["", "x" * 256, "spaced key", "é"])
def test_a_bad_key_is_refused_naming_the_header(api: APIClient, key: str) -> None:
    response = _post(api, URL, BODY, key)

    problem = "must be 1 to 255 visible ASCII characters, e.g. a UUID"
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_pronunciation",
        "error": f"Idempotency-Key: {problem}",
        "fieldErrors": {"Idempotency-Key": [problem]},
        "slng_request_id": response["X-Request-Id"],
    }
    assert not Dictionary.objects.exists()


def test_a_quoted_key_is_the_same_key(api: APIClient) -> None:
    _post(api, URL, BODY, "abc")

    assert _post(api, URL, BODY, '"abc"')["Idempotent-Replayed"] == "true"

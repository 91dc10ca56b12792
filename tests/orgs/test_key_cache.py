"""Issue 17: each process reuses the API keys it read for at most LEXICON_KEY_CACHE_SECONDS."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from orgs import key_cache
from orgs.key_cache import ResolvedKeys, resolved_keys
from orgs.models import APIKey, Organization
from orgs.services import IssuedKey
from orgs.throttling import rate_settings_check

URL = "/v1/pronunciation/dictionaries"

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    stopped = Clock()
    monkeypatch.setattr(resolved_keys, "clock", stopped)
    resolved_keys.clear()
    return stopped


def _key_queries(api: APIClient) -> int:
    """How many queries of one request read the api key table."""
    with CaptureQueriesContext(connection) as captured:
        assert api.get(URL).status_code == 200
    return sum('"orgs_apikey"' in query["sql"] for query in captured)


def test_a_key_is_read_once_per_cache_period_and_again_after_it(
    api: APIClient, issued_key: IssuedKey, clock: Clock
) -> None:
    api.get(URL)  # reads the key (and records its first use)
    assert _key_queries(api) == 0

    clock.now += 0.999
    assert _key_queries(api) == 0
    clock.now += 0.001  # one second after the read began: too old
    assert _key_queries(api) == 1


def test_a_key_changed_elsewhere_is_refused_once_its_entry_expired(
    api: APIClient, issued_key: IssuedKey, clock: Clock
) -> None:
    """Another process's revocation (a raw update here: this process's cache is not told)."""
    assert api.get(URL).status_code == 200
    APIKey.objects.filter(pk=issued_key.api_key.pk).update(revoked_at="2026-12-01T00:00:00Z")

    clock.now += 1.0

    assert api.get(URL).status_code == 401


def test_a_zero_period_reads_the_key_on_every_request(
    api: APIClient, issued_key: IssuedKey, settings: Any
) -> None:
    settings.LEXICON_KEY_CACHE_SECONDS = 0
    api.get(URL)

    assert _key_queries(api) == 1


def test_the_cache_holds_at_most_max_keys_and_only_keys_that_exist(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(key_cache, "MAX_KEYS", 2)
    keys = ResolvedKeys()
    for prefix in ("a", "b", "c"):
        keys.put(prefix, APIKey(organization=organization, prefix=prefix), keys.clock())

    assert [keys.get(prefix) is not None for prefix in ("a", "b", "c")] == [False, True, True]


@pytest.mark.parametrize("seconds", [-0.5, 1.5])
def test_a_cache_period_beyond_one_second_stops_the_deploy_checks(
    settings: Any, seconds: float
) -> None:
    """The promise is one second; a longer period would break it, so it cannot be set."""
    settings.LEXICON_KEY_CACHE_SECONDS = seconds

    assert [error.id for error in rate_settings_check()] == ["orgs.E003"]

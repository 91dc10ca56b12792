"""Issue 22: Listen cannot hold the web tier: bounded slots, refused at once in SLNG's body."""

import os
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
from cryptography.fernet import Fernet
from django.core.cache import cache
from rest_framework.test import APIClient

from orgs.models import Organization, Role
from orgs.services import api_key_create, organization_create
from sync.emulator import EmulatorThread
from sync.speak_slots import speak_slot
from tests.factories import make_dictionary
from tests.processes import Gunicorn, production_env, wait_for, web_command
from tests.silent_listener import SilentListener
from tests.sync.test_speak import MODES, TEXT, make_target

URL = "/v1/pronunciation/dictionaries/brand/speak"
CACHE_URL = os.environ.get("LEXICON_TEST_CACHE_URL", "redis://127.0.0.1:6379/13")
ORG_FULL = (
    "Every Listen slot of your org is in use (a text-to-speech call is still running); "
    "try again in a moment."
)


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def silent() -> Iterator[SilentListener]:
    with SilentListener() as listener:
        yield listener


@pytest.mark.django_db
def test_a_full_organization_is_refused_at_once_and_the_tts_is_not_called(
    api: APIClient,
    other_api: APIClient,
    organization: Organization,
    other_organization: Organization,
    silent: SilentListener,
    slng: EmulatorThread,
    settings: Any,
) -> None:
    """Issue 22: with its organization's slot taken, a Listen call is 429 ``rate_limit`` with
    Retry-After at once, its TTS is never reached; another organization is still served."""
    settings.LEXICON_SPEAK_PROCESS_SLOTS = settings.LEXICON_SPEAK_SLOTS = 2
    make_target(organization, silent.url)
    make_dictionary(organization, "brand", modes=MODES)
    make_target(other_organization, slng.base_url)
    make_dictionary(other_organization, "brand", modes=MODES)

    with speak_slot(organization.pk):
        refused = api.post(URL, {"text": TEXT}, format="json")
        other = other_api.post(URL, {"text": TEXT}, format="json")

    assert refused.status_code == 429
    assert refused["Retry-After"] == "8"
    assert refused.json() == {
        "code": "rate_limit",
        "error": ORG_FULL,
        "slng_request_id": refused["X-Request-Id"],
    }
    assert other.status_code == 200
    assert (silent.connections, silent.received) == (0, b"")


@pytest.mark.django_db
def test_slots_are_given_back(
    api: APIClient, organization: Organization, slng: EmulatorThread
) -> None:
    """Issue 22: a finished call (answered or failed) frees its slot for the next one."""
    make_target(organization, slng.base_url)
    make_dictionary(organization, "brand", modes=MODES)

    statuses = [api.post(URL, {"text": f"{TEXT} {n}"}, format="json").status_code for n in range(3)]

    assert statuses == [200, 200, 200]


@pytest.fixture
def slot_cache() -> Iterator[None]:
    client = redis.Redis.from_url(CACHE_URL)
    for key in client.scan_iter("*lexicon:speak-slot:*"):
        client.delete(key)
    yield
    client.close()


@pytest.mark.django_db(transaction=True)
def test_a_tts_that_never_answers_leaves_the_web_tier_answering(
    slot_cache: None, silent: SilentListener, settings: Any
) -> None:
    """Issue 22: a TTS that accepts and never answers holds every Listen slot; further Listen
    calls are refused at once, and /healthz and a dictionary GET are answered meanwhile.

    Real gunicorn with the production settings: three sync workers sharing the Redis cache,
    two Listen slots for the service, one per organization.
    """
    encryption_key = Fernet.generate_key().decode()
    settings.LEXICON_ENCRYPTION_KEY = encryption_key  # the server decrypts the targets' keys
    env = production_env(
        WEB_CONCURRENCY="3",
        LEXICON_CACHE_URL=CACHE_URL,
        LEXICON_ENCRYPTION_KEY=encryption_key,
        LEXICON_PRIVATE_TARGETS="127.0.0.1",
        LEXICON_SPEAK_SLOTS="2",
        LEXICON_SPEAK_ORGANIZATION_SLOTS="1",
        LEXICON_SPEAK_TIMEOUT_SECONDS="25",  # under gunicorn's 30 s worker timeout
    )
    keys = {}
    for slug in ("acme", "globex"):
        org = organization_create(slug=slug)
        make_target(org, silent.url)
        make_dictionary(org, "brand", modes=MODES)
        keys[slug] = api_key_create(organization=org, label="l", role=Role.VIEWER).plaintext
    server = Gunicorn(web_command(), env)
    held: list[httpx.Response] = []

    def listen(slug: str, timeout: float) -> httpx.Response:
        headers = {"Authorization": f"Bearer {keys[slug]}"}
        return httpx.post(server.url + URL, json={"text": TEXT}, headers=headers, timeout=timeout)

    def hold(slug: str) -> threading.Thread:
        thread = threading.Thread(target=lambda: held.append(listen(slug, 60)))
        thread.start()
        return thread

    try:
        threads = [hold("acme")]
        wait_for(lambda: silent.connections == 1, 20, "the first Listen call to reach the TTS")
        same_org = listen("acme", 10)
        threads.append(hold("globex"))
        wait_for(lambda: silent.connections == 2, 20, "the second Listen call to reach the TTS")
        service_full = listen("globex", 10)
        health = httpx.get(server.url + "/healthz", timeout=10)
        read = httpx.get(
            server.url + "/v1/pronunciation/dictionaries/brand",
            headers={"Authorization": f"Bearer {keys['acme']}"},
            timeout=10,
        )
        silent.close()  # the held calls end (503) and give their slots back
        for thread in threads:
            thread.join(30)
        after = listen("acme", 30)
    finally:
        server.stop()

    for refused, what in ((same_org, "your org"), (service_full, "the service")):
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "25"
        assert refused.json() == {
            "code": "rate_limit",
            "error": ORG_FULL.replace("your org", what),
            "slng_request_id": refused.headers["X-Request-Id"],
        }
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (read.status_code, read.json()["name"]) == (200, "brand")
    assert sorted(r.json()["code"] for r in held) == ["pronunciation_unavailable"] * 2
    assert after.json()["code"] == "pronunciation_unavailable"  # slot free, the TTS is gone

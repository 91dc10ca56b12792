"""Issue 11: rate limits are exact under concurrency and key guessing is throttled per address.

Through real gunicorn with the production settings and the compose web command (several
workers sharing a Redis cache, the test settings' LEXICON_TEST_CACHE_URL (database 13 of the local
server, one per pytest-xdist worker), flushed around each test).
"""

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.test import Client

from orgs.models import Organization
from orgs.services import api_key_create
from tests.processes import Gunicorn, free_port, production_env, web_command

URL = "/v1/pronunciation/dictionaries"
CACHE_URL = settings.LEXICON_TEST_CACHE_URL
# Well-formed keys that no organization holds: each costs a lookup, as a guess would.
WRONG_KEY = "lex_zzzzzzzz_" + "x" * 43


Serve = Callable[..., Gunicorn]


@pytest.fixture
def rate_cache() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(CACHE_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def serve(rate_cache: redis.Redis) -> Iterator[Serve]:
    """Start gunicorn (4 workers, the Redis cache) with extra environment; stopped after."""
    servers: list[Gunicorn] = []

    def start(**env: str) -> Gunicorn:
        settings = {"LEXICON_CACHE_URL": CACHE_URL, "WEB_CONCURRENCY": "4", **env}
        servers.append(Gunicorn(web_command(), production_env(**settings)))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def _bearer(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


def _assert_rate_limited(response: httpx.Response, *, window: int) -> None:
    assert response.status_code == 429, response.text
    body = response.json()
    assert (body["code"], body["error"]) == ("rate_limit", "Too many requests.")
    assert body["slng_request_id"] == response.headers["X-Request-Id"]
    assert 1 <= int(response.headers["Retry-After"]) <= window


@pytest.mark.django_db(transaction=True)
def test_sixteen_threads_on_one_key_get_exactly_the_limit(
    serve: Serve, organization: Organization
) -> None:
    """Issue 11: 16 x 200 requests on one key, limit 1,200: exactly 1,200 answers of 200.

    The issue measured 1,200 a minute; the window here is an hour so that a slow, shared
    machine cannot end it in the middle of the run. What is tested is the count.
    """
    server = serve(LEXICON_RATE_LIMIT="1200/hour")
    headers = _bearer(api_key_create(organization=organization, label="busy").plaintext)
    statuses: Counter[int] = Counter()
    refusals: list[httpx.Response] = []
    lock = threading.Lock()

    def hammer() -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            for _ in range(200):
                response = client.get(URL)
                with lock:
                    statuses[response.status_code] += 1
                    if response.status_code != 200:
                        refusals.append(response)

    threads = [threading.Thread(target=hammer) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == {200: 1200, 429: 2000}
    for response in refusals:
        _assert_rate_limited(response, window=3600)


@pytest.mark.django_db(transaction=True)
def test_failed_authentication_is_throttled_per_address_but_never_a_valid_key(
    serve: Serve, organization: Organization
) -> None:
    """Issue 22 (was issue 11): after the configured failures an address's further failures
    get 429, but a valid key is checked first and served, even one never used before.

    A valid key does not reset the address's count: guessing stays throttled.
    """
    server = serve(LEXICON_AUTH_FAILURE_LIMIT="20/min")
    valid = api_key_create(organization=organization, label="valid").plaintext
    unused = api_key_create(organization=organization, label="unused").plaintext
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get(URL, headers=_bearer(valid)).status_code == 200

        failures = [client.get(URL, headers=_bearer(WRONG_KEY)).status_code for _ in range(20)]
        over = client.get(URL, headers=_bearer(WRONG_KEY))
        malformed = client.get(URL, headers={"Authorization": "Basic Zm9vOmJhcg=="})
        still_valid = client.get(URL, headers=_bearer(valid))
        after_valid = client.get(URL, headers=_bearer(WRONG_KEY))
        never_used = client.get(URL, headers=_bearer(unused))

    assert failures == [401] * 20
    _assert_rate_limited(over, window=60)
    _assert_rate_limited(malformed, window=60)
    assert still_valid.status_code == 200
    _assert_rate_limited(after_valid, window=60)
    assert never_used.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_guesses_at_one_keys_secret_are_throttled_from_any_address(
    serve: Serve, organization: Organization
) -> None:
    """Issue 22: failures count per presented key prefix too, so guesses at one key's secret
    spread over many addresses are throttled; the key itself and other prefixes are not."""
    server = serve(LEXICON_AUTH_FAILURE_LIMIT="5/min", LEXICON_TRUSTED_PROXIES="1")
    valid = api_key_create(organization=organization, label="valid").plaintext
    guess = valid[: len("lex_12345678_")] + "x" * 43

    def attempt(client: httpx.Client, key: str, address: str) -> httpx.Response:
        return client.get(URL, headers=_bearer(key, **{"X-Forwarded-For": address}))

    with httpx.Client(base_url=server.url, timeout=10) as client:
        spread = [attempt(client, guess, f"198.51.100.{n}") for n in range(7)]
        other_prefix = attempt(client, WRONG_KEY, "198.51.100.50")
        the_key = attempt(client, valid, "198.51.100.51")

    assert [r.status_code for r in spread] == [401] * 5 + [429] * 2
    _assert_rate_limited(spread[-1], window=60)
    assert (other_prefix.status_code, the_key.status_code) == (401, 200)


@pytest.mark.django_db(transaction=True)
def test_behind_a_trusted_proxy_failures_count_against_the_forwarded_address(
    serve: Serve,
) -> None:
    """Issue 11: with LEXICON_TRUSTED_PROXIES=1 the rightmost X-Forwarded-For hop is the client."""
    server = serve(LEXICON_AUTH_FAILURE_LIMIT="5/min", LEXICON_TRUSTED_PROXIES="1")
    guesses = (f"lex_guess{n:03d}_" + "x" * 43 for n in range(100))  # a prefix each (issue 22)

    def attempt(client: httpx.Client, forwarded: str | None) -> int:
        extra = {"X-Forwarded-For": forwarded} if forwarded else {}
        return client.get(URL, headers=_bearer(next(guesses), **extra)).status_code

    with httpx.Client(base_url=server.url, timeout=10) as client:
        # The client forges hops to the left of what the proxy appended: they are not read.
        failures = [attempt(client, f"10.0.0.{n}, 198.51.100.7") for n in range(5)]
        same_client = attempt(client, "198.51.100.7")
        forged_left = attempt(client, "198.51.100.9, 198.51.100.7")
        other_client = attempt(client, "198.51.100.8")
        no_header = attempt(client, None)

    assert failures == [401] * 5
    assert (same_client, forged_left) == (429, 429)
    assert (other_client, no_header) == (401, 401)


@pytest.mark.django_db(transaction=True)
def test_without_trusted_proxies_a_forged_forwarded_header_changes_nothing(
    serve: Serve,
) -> None:
    """Issue 11: by default the address is REMOTE_ADDR; X-Forwarded-For cannot dodge the limit."""
    server = serve(LEXICON_AUTH_FAILURE_LIMIT="5/min")
    with httpx.Client(base_url=server.url, timeout=10) as client:
        statuses = [
            client.get(URL, headers=_bearer(WRONG_KEY, **{"X-Forwarded-For": f"203.0.113.{n}"}))
            for n in range(7)
        ]

    assert [r.status_code for r in statuses] == [401] * 5 + [429] * 2
    _assert_rate_limited(statuses[-1], window=60)


@pytest.mark.django_db(transaction=True)
def test_with_the_cache_down_requests_are_served_uncounted(
    serve: Serve, organization: Organization
) -> None:
    """Issue 11: a Redis outage fails open (no 500s): valid keys 200, wrong keys 401."""
    closed = f"redis://127.0.0.1:{free_port()}/13"
    server = serve(
        LEXICON_CACHE_URL=closed, LEXICON_RATE_LIMIT="3/min", LEXICON_AUTH_FAILURE_LIMIT="3/min"
    )
    headers = _bearer(api_key_create(organization=organization, label="k").plaintext)
    with httpx.Client(base_url=server.url, timeout=10) as client:
        valid = [client.get(URL, headers=headers).status_code for _ in range(6)]
        wrong = [client.get(URL, headers=_bearer(WRONG_KEY)).status_code for _ in range(6)]

    assert (valid, wrong) == ([200] * 6, [401] * 6)


@pytest.fixture
def cache_down(settings: Any) -> Iterator[None]:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/13",
        }
    }
    yield
    caches["default"].close()


@pytest.mark.django_db
def test_a_cache_outage_is_logged(
    cache_down: None, organization: Organization, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 11: failing open is not silent: the outage is logged (at most once a minute)."""
    from orgs import throttling

    throttling._cache_unavailable.last = float("-inf")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {WRONG_KEY}")

    assert client.get(URL).status_code == 401
    assert client.get(URL).status_code == 401
    outages = [r for r in caplog.records if "rate limit cache unavailable" in r.getMessage()]
    assert len(outages) == 1
    assert WRONG_KEY not in caplog.text


@pytest.mark.django_db
def test_an_address_over_its_failures_still_gets_its_valid_key_served(
    settings: Any, organization: Organization, django_assert_max_num_queries: Any
) -> None:
    """Issue 22: over the limit, a guess is 429 after its one lookup, and a valid key from the
    same address is answered as usual."""
    settings.LEXICON_AUTH_FAILURE_LIMIT = "2/min"
    caches["default"].clear()
    valid = api_key_create(organization=organization, label="valid").plaintext
    guessing = Client(HTTP_AUTHORIZATION=f"Bearer {WRONG_KEY}")
    assert [guessing.get(URL).status_code for _ in range(2)] == [401, 401]

    with django_assert_max_num_queries(1):
        refused = guessing.get(URL)
    served = Client(HTTP_AUTHORIZATION=f"Bearer {valid}").get(URL)

    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limit"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert served.status_code == 200


@pytest.mark.django_db
def test_oversized_or_garbled_authorization_headers_are_401s(organization: Organization) -> None:
    """Issue 11: an Authorization header too long (under the 431 header bound), not ASCII or
    without a scheme is a 401."""
    caches["default"].clear()
    headers = ["Bearer " + "a" * 4_000, "Bearer lex_\u00e9", "Bearer \u2603", "Bearer", "x y z"]
    for header in headers:
        response = Client(HTTP_AUTHORIZATION=header).get(URL)
        assert (response.status_code, response.json()["code"]) == (
            401,
            "pronunciation_unauthenticated",
        ), header


@pytest.mark.parametrize(
    ("name", "value"),
    [("LEXICON_RATE_LIMIT", "1200/fortnight"), ("LEXICON_AUTH_FAILURE_LIMIT", "many/min")],
)
def test_a_malformed_rate_stops_the_deploy_checks(settings: Any, name: str, value: str) -> None:
    """Issue 11: a rate the limiter cannot read is a check error, not a 500 on every request."""
    from orgs.throttling import rate_settings_check

    setattr(settings, name, value)

    assert [error.id for error in rate_settings_check()] == ["orgs.E001"]


@pytest.fixture
def redis_cache(settings: Any, rate_cache: redis.Redis) -> Iterator[None]:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
    yield
    caches["default"].close()


@pytest.mark.django_db
def test_a_successful_request_costs_one_round_trip_per_limit(
    redis_cache: None, organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22 (was issue 11): a successful request costs one Redis round trip, its key's
    limit; the failure limit is counted only for failures."""
    from orgs import throttling

    trips: list[str] = []
    real_redis = throttling._redis

    def counting(cache: Any, key: str, *, write: bool) -> Any:
        client = real_redis(cache, key, write=write)
        real_pipeline = client.pipeline

        def pipeline(**kwargs: Any) -> Any:
            pipe = real_pipeline(**kwargs)
            real_execute = pipe.execute

            def execute() -> Any:
                trips.append(key)
                return real_execute()

            pipe.execute = execute
            return pipe

        client.pipeline = pipeline
        return client

    monkeypatch.setattr(throttling, "_redis", counting)
    key = api_key_create(organization=organization, label="counted").plaintext
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    assert client.get(URL).status_code == 200
    assert [key.split(":")[4] for key in trips] == ["key"]


@pytest.mark.django_db(transaction=True)
def test_every_answer_to_a_key_carries_the_ratelimit_fields(
    serve: Serve, organization: Organization
) -> None:
    """Issue 27 item 3: the IETF RateLimit-Policy and RateLimit fields, from the key's window,
    on answers of 200, 404 and 429 (with Retry-After)."""
    server = serve(LEXICON_RATE_LIMIT="3/hour")
    headers = _bearer(api_key_create(organization=organization, label="counted").plaintext)
    with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
        answers = [client.get(URL), client.get(f"{URL}/missing"), client.get(URL), client.get(URL)]

    assert [a.status_code for a in answers] == [200, 404, 200, 429]
    policy = {a.headers["RateLimit-Policy"] for a in answers}
    assert policy == {'"key";q=3;w=3600'}
    remaining = [a.headers["RateLimit"].split(";")[:2] for a in answers]
    assert remaining == [['"key"', f"r={r}"] for r in (2, 1, 0, 0)]
    resets = [int(a.headers["RateLimit"].rsplit(";t=", 1)[1]) for a in answers]
    assert all(1 <= t <= 3600 for t in resets)
    assert answers[-1].headers["Retry-After"] == str(resets[-1])
    _assert_rate_limited(answers[-1], window=3600)

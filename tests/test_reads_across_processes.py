"""Issue 17: the per-process caches of the hot reads trade no correctness, across real processes.

Two web processes, each its own gunicorn with the production settings and one worker (so each
process's caches are surely the ones warmed), share the test database. Each process caches
rendered bodies (pronunciations.api.bodies) and the API keys it read (orgs.key_cache); neither
may ever show another process's write late, and a revoked key must stop working in both within
LEXICON_KEY_CACHE_SECONDS (1 s).
"""

import time
from collections.abc import Iterator

import httpx
import pytest
from django.db import connection

from orgs.models import APIKey, Organization
from orgs.services import api_key_create, api_key_revoke
from tests.processes import Gunicorn, production_env, wait_for, web_command

URL = "/v1/pronunciation/dictionaries"
RULES = {"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def webs(django_db_setup: None) -> Iterator[tuple[Gunicorn, Gunicorn]]:
    servers = [Gunicorn(web_command(), production_env(WEB_CONCURRENCY="1")) for _ in range(2)]
    yield servers[0], servers[1]
    for server in servers:
        server.stop()


def _client(server: Gunicorn, key: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)


def _listed(client: httpx.Client) -> dict[str, int]:
    response = client.get(URL)
    assert response.status_code == 200, response.text
    return {d["name"]: d["revision"] for d in response.json()["dictionaries"]}


def test_a_write_through_one_process_is_read_next_through_the_other(
    webs: tuple[Gunicorn, Gunicorn], organization: Organization
) -> None:
    key = api_key_create(organization=organization, label="both").plaintext
    with _client(webs[0], key) as a, _client(webs[1], key) as b:
        assert a.post(URL, json={"name": "brand", "modes": RULES}).status_code == 201
        for client in (a, b):  # both processes cache revision 1's body and the list
            assert client.get(f"{URL}/brand").json()["revision"] == 1
            assert _listed(client) == {"brand": 1}

        changed = {"rewrite": {"rules": [{"match": "SLNG", "replace": "s l n g"}]}}
        put = b.put(f"{URL}/brand", json={"name": "brand", "modes": changed})
        assert put.status_code == 200, put.text
        got = a.get(f"{URL}/brand")
        assert (got.json()["revision"], got.json()["modes"]) == (2, changed)
        assert got.headers["ETag"] == put.headers["ETag"]
        assert _listed(a) == {"brand": 2}

        assert a.delete(f"{URL}/brand").status_code == 204
        assert b.get(f"{URL}/brand").status_code == 404
        assert _listed(b) == {}


def test_a_revoked_key_stops_working_in_every_process_within_a_second(
    webs: tuple[Gunicorn, Gunicorn], organization: Organization
) -> None:
    issued = api_key_create(organization=organization, label="leaving")
    with _client(webs[0], issued.plaintext) as a, _client(webs[1], issued.plaintext) as b:
        for client in (a, b):  # both processes now hold the key in their cache
            assert client.get(URL).status_code == 200

        api_key_revoke(api_key=APIKey.objects.get(pk=issued.api_key.pk))  # committed here
        revoked_at = time.monotonic()
        # The promise is a time bound, so the test waits for it: any request that starts one
        # second after the revocation committed (one machine, one monotonic clock) is refused.
        wait_for(lambda: time.monotonic() - revoked_at >= 1.0, 5, "one second to pass")

        for client in (a, b):
            refused = client.get(URL)
            assert refused.status_code == 401, refused.text
            assert refused.json()["code"] == "pronunciation_unauthenticated"


def _backends() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid for (pid,) in cursor.fetchall()}


def test_a_database_connection_ended_by_the_server_costs_no_failed_request(
    webs: tuple[Gunicorn, Gunicorn], organization: Organization
) -> None:
    """What a PostgreSQL restart does to each kept connection, without stopping the server for
    everyone: the health check that replaced ``SELECT 1`` (config.postgresql) must notice it."""
    key = api_key_create(organization=organization, label="kept").plaintext
    with _client(webs[0], key) as a, _client(webs[1], key) as b:
        assert a.post(URL, json={"name": "brand", "modes": RULES}).status_code == 201
        for client in (a, b):
            assert client.get(f"{URL}/brand").status_code == 200
        ended = _backends()
        assert ended, "the web processes keep their connections"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) pid", [list(ended)]
            )
        wait_for(lambda: not (_backends() & ended), 10, "the backends to end")

        for client in (a, b):
            response = client.get(f"{URL}/brand")
            assert response.status_code == 200, response.text

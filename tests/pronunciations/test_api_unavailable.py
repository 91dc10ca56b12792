"""A database that cannot be reached yields 503 pronunciation_unavailable, never a 500."""

from collections.abc import Iterator

import pytest
from django.db import close_old_connections, connection
from rest_framework.test import APIClient

from tests.tcp_proxy import TcpProxy

URL = "/v1/pronunciation/dictionaries"


@pytest.fixture
def database_through_proxy() -> Iterator[TcpProxy]:
    """Route Django's connection through a proxy the test can cut, then restore it."""
    saved = dict(connection.settings_dict)
    proxy = TcpProxy((saved["HOST"] or "127.0.0.1", int(saved["PORT"] or 5432))).start()
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(proxy.port))
    try:
        yield proxy
    finally:
        proxy.stop()
        connection.close()
        connection.settings_dict.update(HOST=saved["HOST"], PORT=saved["PORT"])


@pytest.mark.django_db(transaction=True)
def test_unreachable_database_answers_503_then_recovers(
    api: APIClient, database_through_proxy: TcpProxy
) -> None:
    assert api.get(URL).status_code == 200

    database_through_proxy.stop()
    for method, body in (
        ("get", None),
        ("post", {"name": "x", "modes": {"rewrite": {"rules": []}}}),
    ):
        response = getattr(api, method)(URL, body, format="json")
        assert response.status_code == 503
        payload = response.json()
        assert payload.pop("slng_request_id").startswith("req_")
        assert payload == {
            "code": "pronunciation_unavailable",
            "error": "Pronunciation dictionaries are temporarily unavailable.",
        }

    database_through_proxy.start()
    # A server drops the broken connection when the next request starts; Django's test client
    # disconnects that signal handler, so the test does what the server would.
    close_old_connections()
    assert api.get(URL).status_code == 200

"""Issue 22: a bad Host under /v1/ is SLNG's JSON 400, and the admin answers 503 (not an HTML
500) while the database cannot be reached. Real gunicorn with the production settings, its
database behind a proxy the test can cut."""

from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests import processes
from tests.processes import Gunicorn, production_env, web_command
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def served() -> Iterator[tuple[str, TcpProxy]]:
    url = urlsplit(processes.tests_database_url())
    proxy = TcpProxy((url.hostname or "127.0.0.1", url.port or 5432)).start()
    through = url._replace(netloc=f"{url.username}@127.0.0.1:{proxy.port}")
    env = production_env(WEB_CONCURRENCY="1", DATABASE_URL=urlunsplit(through))
    server = Gunicorn(web_command(), env)
    try:
        yield server.url, proxy
    finally:
        server.stop()
        proxy.stop()


def test_a_bad_host_under_v1_is_slngs_json_400(served: tuple[str, TcpProxy]) -> None:
    url, _ = served

    response = httpx.get(f"{url}/v1/pronunciation/dictionaries", headers={"Host": "evil.example"})
    page = httpx.get(f"{url}/admin/login/", headers={"Host": "evil.example"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "code": "invalid_pronunciation",
        "error": "Invalid Host header: this server does not answer for that host.",
        "slng_request_id": response.headers["x-request-id"],
    }
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")


def test_the_admin_answers_503_while_the_database_is_down(served: tuple[str, TcpProxy]) -> None:
    url, proxy = served
    cookies = {"sessionid": "s" * 32}  # a session to look up: the admin reads the database
    assert httpx.get(f"{url}/admin/", cookies=cookies, timeout=30).status_code == 302

    proxy.stop()
    down = httpx.get(f"{url}/admin/", cookies=cookies, timeout=30)
    api = httpx.get(f"{url}/v1/pronunciation/dictionaries", headers={"Authorization": "Bearer x"})

    assert down.status_code == 503, down.text[:300]
    assert down.headers["retry-after"] == "30"
    assert "The database cannot be reached" in down.text
    assert api.status_code in (401, 503)

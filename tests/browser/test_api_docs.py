"""The API docs pages (Swagger UI, ReDoc) load every asset from this server."""

from typing import Any

import pytest
from playwright.sync_api import Page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "rendered"),
    [("/api/docs/", ".swagger-ui .opblock"), ("/api/redoc/", ".api-content h2")],
)
def test_the_docs_pages_request_nothing_outside_the_server(
    page: Page, live_server: Any, path: str, rendered: str
) -> None:
    """Issue 16 item 3: ReDoc's page loaded Google fonts although every asset is meant to be
    self-hosted. Every request a docs page makes, rendered in full, goes to this server."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}{path}")
    page.wait_for_selector(rendered)
    page.wait_for_load_state("networkidle")

    outside = [
        url for url in requested if not url.startswith((f"{live_server.url}/", "data:", "blob:"))
    ]
    assert outside == []
    assert f"{live_server.url}/api/schema/" in requested
    icon = page.eval_on_selector("link[rel=icon]", "link => link.href")
    assert icon.startswith(f"{live_server.url}/")
    assert page.request.get(icon).ok

"""Issue 22: a Content-Security-Policy on every page, and no page of ours breaks it (no inline
script without the request's nonce). Every violation Chromium reports fails the test."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from orgs.models import Organization
from tests.browser.conftest import login
from tests.factories import make_dictionary

VIOLATIONS = "() => window.__violations || []"
RECORD = """document.addEventListener("securitypolicyviolation", event => {
  window.__violations = window.__violations || [];
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});"""


@pytest.mark.django_db(transaction=True)
def test_every_page_has_a_policy_that_no_page_breaks(
    page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    dictionary = make_dictionary(organization, "brand")
    page.add_init_script(RECORD)
    login(page, live_server, editor.username)
    pages = {
        "/admin/": "#content",
        f"/admin/pronunciations/dictionary/{dictionary.pk}/change/": ".rules-editor, #content",
        "/api/docs/": ".swagger-ui .opblock",
        "/api/redoc/": ".api-content h2",
    }
    seen: dict[str, list[str]] = {}
    for path, rendered in pages.items():
        # The page's own response: a listener's first response may be a late one of the page
        # before (its static files carry no policy).
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None, path
        assert response.ok, path
        policy = response.headers.get("content-security-policy", "")
        page.wait_for_selector(rendered)
        page.wait_for_load_state("networkidle")
        seen[path] = page.evaluate(VIOLATIONS)
        assert "script-src 'self'" in policy, (path, policy)
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]

    assert seen == {path: [] for path in pages}

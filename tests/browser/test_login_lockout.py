"""Issue 22: the admin login locks a username at one address, in a real browser."""

from typing import Any

import pytest
from playwright.sync_api import Page

from orgs.models import Organization, Role
from tests.browser.conftest import PASSWORD, login, member

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, live_server: Any, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def test_wrong_passwords_lock_the_user_but_not_another(
    page: Page, live_server: Any, organization: Organization, settings: Any
) -> None:
    """Issue 22: after the limit the right password shows the lockout page; another user at
    the same address signs in."""
    member("linguist", organization, Role.EDITOR)
    member("reader", organization, Role.VIEWER)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(page, live_server, "linguist", "wrong")
        assert page.locator(".errornote").count() == 1  # the login form's own error

    sign_in(page, live_server, "linguist", "wrong")
    sign_in(page, live_server, "linguist", PASSWORD)

    assert page.locator("h1").inner_text() == "Sign-in locked"
    assert "Too many failed sign-ins for linguist" in page.locator(".errornote").inner_text()
    assert page.locator("#user-tools").count() == 0
    login(page, live_server, "reader")

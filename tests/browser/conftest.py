"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, sync_playwright

from orgs.models import Membership, Organization, Role

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: docs/screenshots/ only with LEXICON_REFRESH_SCREENSHOTS=1.

    A test run leaves tracked files as they were; `LEXICON_REFRESH_SCREENSHOTS=1 bash .ci/run -k
    browser` refreshes the README's pictures on purpose.
    """
    if os.environ.get("LEXICON_REFRESH_SCREENSHOTS") == "1":
        return DOCS_SHOTS
    return tmp_path_factory.mktemp("screenshots")


PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module; Playwright's event loop ends with it.

    Playwright's sync API runs an event loop in the test thread, so Django's async-safety check
    is lifted while it runs: the ORM calls the tests make between page actions stay synchronous.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launch() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def member(username: str, organization: Organization, role: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def login(page: Page, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


@pytest.fixture
def editor(organization: Organization) -> User:
    return member("linguist", organization, Role.EDITOR)


@pytest.fixture
def viewer(organization: Organization) -> User:
    return member("reader", organization, Role.VIEWER)


@pytest.fixture
def outsider(other_organization: Organization) -> User:
    return member("outsider", other_organization, Role.ADMIN)

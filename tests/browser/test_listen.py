"""Issue 13: Listen in the admin's preview panel plays the text before and after the rules."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from playwright.sync_api import Page, expect

from orgs.models import Organization
from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.targets import target_create
from tests.browser.conftest import login
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db(transaction=True)
MODES = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}


def test_listen_loads_both_clips_of_real_speech(
    page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    cache.clear()
    dictionary = make_dictionary(organization, "brand", modes=MODES)
    state = EmulatorState([ApiKey("sk_browser", "org_up")], speech="espeak")
    with EmulatorThread(state) as slng:
        target_create(
            organization=organization,
            name="emulator",
            base_url=slng.base_url,
            ws_url=slng.ws_url,
            api_key="sk_browser",
        )
        login(page, live_server, "linguist")
        page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/")
        page.fill("#preview-text", "Pay with QubePay today")
        expect(page.locator("#listen-players")).to_be_hidden()  # issue 23: no empty players

        page.click("#listen")

        expect(page.locator("#listen-status")).to_have_text(
            "Model receives: Pay with cube pay today"
        )
        expect(page.locator("#listen-players")).to_be_visible()
        for clip in ("#listen-before", "#listen-after"):
            page.wait_for_function(
                f"document.querySelector('{clip}').readyState >= 1"
                f" && document.querySelector('{clip}').duration > 0.5"
            )
        spoken = [s.texts for s in slng.state.sessions()]
    assert spoken == [["Pay with QubePay today"], ["Pay with cube pay today"]]

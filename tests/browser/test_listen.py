"""Issue 13: Listen in the admin's preview panel plays the text before and after the rules."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from playwright.sync_api import Page, expect

from orgs.models import Organization
from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.models import Channel
from sync.services import target_create
from tests.browser.conftest import login
from tests.browser.test_admin import add_rule
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
            "Heard on emulator — deepgram/aura:2. Model receives: Pay with cube pay today"
        )
        expect(page.locator("#listen-players")).to_be_visible()
        for clip in ("#listen-before", "#listen-after"):
            page.wait_for_function(
                f"document.querySelector('{clip}').readyState >= 1"
                f" && document.querySelector('{clip}').duration > 0.5"
            )
        spoken = [s.texts for s in slng.state.sessions()]
    assert spoken == [["Pay with QubePay today"], ["Pay with cube pay today"]]


def test_an_ipa_rule_added_on_the_page_is_heard_on_the_production_targets_model(
    page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    """Issue 25: the IPA rule reaches production's model in its markup; Before is what
    production serves now, and audio is cleared when the rules change."""
    cache.clear()
    dictionary = make_dictionary(organization, "brand", modes=MODES)
    keys = [ApiKey("sk_browser_stage", "org_stage"), ApiKey("sk_browser_prod", "org_prod")]
    with EmulatorThread(EmulatorState(keys, speech="espeak")) as slng:
        for name, key, model, channel in (
            ("a-staging", "sk_browser_stage", "deepgram/aura:2", Channel.LATEST),
            ("production", "sk_browser_prod", "cartesia/sonic:3", Channel.APPROVED),
        ):
            target_create(
                organization=organization,
                name=name,
                base_url=slng.base_url,
                ws_url=slng.ws_url,
                api_key=key,
                model=model,
                voice="thalia",
                channel=channel,
            )
        login(page, live_server, "linguist")
        page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/")
        expect(page.locator("#listen-heard")).to_have_text(
            "Heard on production — cartesia/sonic:3, thalia"
        )
        add_rule(page, "ipa", "Cartesia", "kɑɹˈtiʒə")
        page.fill("#preview-text", "Cartesia")

        page.click("#listen")

        expect(page.locator("#listen-status")).to_have_text(
            "Heard on production — cartesia/sonic:3, thalia. Model receives: <<k|ɑ|ɹ|ˈ|t|i|ʒ|ə>>"
        )
        page.wait_for_function("document.querySelector('#listen-after').duration > 0.2")
        received = [(s.path, s.texts) for s in slng.state.sessions()]
        add_rule(page, "rewrite", "ACME", "ay see em ee")  # the rules change: the audio goes
        expect(page.locator("#listen-status")).to_have_text(
            "The rules changed: press Listen to hear them."
        )
        expect(page.locator("#listen-after")).not_to_have_attribute("src", re.compile("."))
    bridge = "/v1/bridges/unmute/tts/cartesia/sonic:3"
    assert received == [(bridge, ["Cartesia"]), (bridge, ["<<k|ɑ|ɹ|ˈ|t|i|ʒ|ə>>"])]

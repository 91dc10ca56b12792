"""Issue 26 in a real browser: a linguist pastes an agent's script into "Scan texts", reads the
brand names and acronyms first with what the dictionary does with them, adds a suggested rule
in one click, and sees it as a proposal waiting for review."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from playwright.sync_api import Page, expect

from orgs.models import Organization
from pronunciations.models import Dictionary, ReviewState
from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.services import target_create
from tests.browser.conftest import login
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db(transaction=True)
SCAN = "/admin/pronunciations/dictionary/scan/"
SCRIPT = (
    "Thanks for calling QubePay. I can help with your B2B account.\n\n"
    "Please read me the SKU on the box, for example SKU-4471. QubePay never asks for your PIN."
)


def test_paste_a_script_and_propose_a_suggested_rule(
    page: Page, live_server: Any, organization: Organization, editor: User
) -> None:
    organization.review_required = True
    organization.save(update_fields=["review_required"])
    make_dictionary(
        organization,
        "support",
        modes={"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}},
        metadata={"language": "en-US"},
    )
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}{SCAN}")
    page.fill("#id_text", SCRIPT)
    page.click("#scan-submit")

    rows = page.locator("#scan-findings .scan-finding")
    expect(rows.first.locator(".scan-word")).to_have_text("QubePay")
    expect(rows.first).to_contain_text("support: QubePay → cube pay")
    sku = page.locator('.scan-finding[data-key="sku-4471"]')
    expect(sku).to_contain_text("support: no rule")
    expect(sku.locator("input.scan-replace")).to_have_value("S K U 4 4 7 1")
    page.check("#scan-filter-uncovered")
    expect(rows.first).to_be_hidden()
    sku.locator(".scan-add-button").click()

    expect(sku.locator(".scan-added")).to_have_text(
        "SKU-4471 → S K U 4 4 7 1: proposed (waiting for review) in support"
    )
    dictionary = Dictionary.objects.get(name="support")
    revision = dictionary.revisions.order_by("-number").first()
    assert revision is not None
    assert revision.review_state == ReviewState.PROPOSED
    assert revision.comment.startswith("added from scan scan_")
    assert revision.comment.endswith(": SKU-4471")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/review/")
    expect(page.locator("#content-main")).to_contain_text("added from scan scan_")


def test_listen_speaks_a_findings_example_with_the_suggested_rule(
    page: Page, live_server: Any, organization: Organization, editor: User
) -> None:
    """Issue 26: Listen through the organization's target, with the row's rule as edited."""
    cache.clear()
    make_dictionary(organization, "support", modes={"rewrite": {"rules": []}})
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
        page.goto(f"{live_server.url}{SCAN}")
        page.fill("#id_text", "Ask about the B2B plan today.")
        page.click("#scan-submit")
        row = page.locator('.scan-finding[data-key="b2b"]')
        row.locator("input.scan-replace").fill("B to B")

        row.locator(".scan-listen-button").click()

        expect(row.locator(".scan-listen-status")).to_have_text(
            "Heard on emulator — deepgram/aura:2. Model receives: Ask about the B to B plan today."
        )
        spoken = [s.texts for s in slng.state.sessions()]
    assert spoken == [["Ask about the B2B plan today."], ["Ask about the B to B plan today."]]

"""Layers in a real browser: the change page says which layer answers each rule and what it
shadows, and a disabled rule is greyed and switched back on with one button."""

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from orgs.models import Organization
from pronunciations.models import Dictionary
from tests.browser.conftest import login
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_change_page_shows_precedence_and_switches_a_rule_back_on(
    shots: Path, page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    make_dictionary(
        organization,
        "brand",
        modes={"rewrite": {"rules": [{"match": "NAIC", "replace": "nake"}]}},
        layer_only=True,
    )
    support = make_dictionary(
        organization,
        "support-en",
        modes={
            "rewrite": {
                "rules": [
                    {"match": "NAIC", "replace": "N.A.I.C."},
                    {"match": "ACH", "replace": "ay see aitch", "disabled": True},
                ]
            }
        },
        includes=[{"name": "brand"}],
    )
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{support.pk}/change/")

    panel = page.locator("#layers-panel")
    expect(panel.locator("#layer-includes")).to_contain_text("brand")
    naic = panel.locator("#precedence .precedence-row[data-match='NAIC']")
    expect(naic).to_contain_text("this dictionary")
    expect(naic.locator(".shadowed")).to_have_text("brand r1: nake")
    expect(panel.locator("#disabled-rules .rule-disabled")).to_contain_text("ay see aitch")
    # the editor never shows a disabled rule: saving cannot switch it back on by accident
    expect(page.locator("#panel-rewrite")).not_to_contain_text("ay see aitch")
    page.screenshot(path=str(shots / "layers-panel.png"), full_page=True)

    panel.get_by_role("button", name="Switch on").click()
    expect(page.locator(".messagelist")).to_contain_text("Switched on the rewrite rule ACH")
    expect(page.locator("#disabled-rules")).to_have_count(0)
    support = Dictionary.objects.get(pk=support.pk)
    assert support.revision == 2


def test_the_layer_page_names_its_includers(
    page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    brand = make_dictionary(organization, "brand", layer_only=True)
    make_dictionary(organization, "support-en", includes=[{"name": "brand"}])
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{brand.pk}/change/")
    expect(page.locator("#layer-only")).to_contain_text("Layer only")
    expect(page.locator("#layer-includers")).to_contain_text("support-en")

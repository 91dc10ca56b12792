"""A linguist's day in the admin, in a real browser: edit, validate, preview, import, history, sync."""

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from config.celery import app
from orgs.models import Organization
from pronunciations.models import Dictionary
from sync.emulator import EmulatorThread
from sync.models import SyncTarget
from tests.browser.conftest import login
from tests.factories import make_dictionary

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.django_db(transaction=True)


def add_rule(page: Page, index: int, mode: str, match: str, value: str) -> None:
    if page.locator(f"#id_rules-{index}-match").count() == 0:
        page.click(".rules-inline .add-row a")
    page.select_option(f"#id_rules-{index}-mode", mode)
    page.fill(f"#id_rules-{index}-position", str(index))
    page.fill(f"#id_rules-{index}-match", match)
    page.fill(f"#id_rules-{index}-value", value)


def test_an_editor_creates_validates_previews_and_saves_a_dictionary(
    page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/add/")
    page.select_option("#id_organization", str(organization.pk))
    page.fill("#id_name", "brand")
    page.fill("#id_metadata", '{"language": "en-US"}')
    add_rule(page, 0, "rewrite", "NAIC", "en ay eye see")
    add_rule(page, 1, "rewrite", "naic", "duplicate")
    page.click("input[name=_continue]")

    error = page.locator("#rules-1 .errorlist")
    expect(error).to_contain_text("duplicates rules[0].match (matches compare case-insensitively)")
    assert not Dictionary.objects.exists()

    page.fill("#id_rules-1-match", "ACH transfer")
    page.fill("#id_rules-1-value", "ay see aitch transfer")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.fill("#preview-text", "Pay NAIC by ACH transfer")
    expect(page.locator("#preview-output")).to_have_text(
        "Pay en ay eye see by ay see aitch transfer"
    )
    expect(page.locator("#preview-output mark")).to_have_count(2)
    page.fill("#id_rules-0-value", "N.A.I.C. (unsaved)")
    expect(page.locator("#preview-output")).to_contain_text("N.A.I.C. (unsaved)")
    page.screenshot(path=str(SHOTS / "change-page-preview.png"), full_page=True)

    dictionary = Dictionary.objects.get(name="brand")
    assert dictionary.metadata == {"language": "en-US"}
    assert [r.match for r in dictionary.rules.order_by("position")] == ["NAIC", "ACH transfer"]
    assert dictionary.revisions.get().source == "admin"

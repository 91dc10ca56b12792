"""Issue 23 item 6 in a real browser: a failing check on the change page shows what was expected
and what the model gets with the differing words marked, and names the rule that fired there;
saving with a failing check says so."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from orgs.models import Organization
from tests.browser.conftest import login
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db(transaction=True)
MODES = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}


def test_a_failing_check_marks_the_difference_and_names_the_rule(
    page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    dictionary = make_dictionary(organization, "brand", modes=MODES)
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/")

    page.click("#add-check")
    check = page.locator("#check-rows .check-row").last
    check.locator(".check-text").fill("Pay with QubePay")
    check.locator(".check-expect").fill("Pay with queue pay")

    expect(check.locator(".check-verdict")).to_have_text("✗ fails")
    explained = check.locator(".check-explain")
    expect(explained.locator(".check-explain-expected")).to_have_text("Pay with queue pay")
    expect(explained.locator("mark.check-diff-expected")).to_have_text("queue")
    expect(explained.locator("mark.check-diff-got")).to_have_text("cube")
    expect(explained.locator(".check-explain-rules")).to_have_text(
        "Rule that fired there: QubePay → cube pay"
    )

    check.locator(".check-expect").fill("Pay with cube pay")
    expect(check.locator(".check-verdict")).to_have_text("✓ passes")
    expect(explained).to_be_hidden()

    check.locator(".check-expect").fill("Pay with queue pay")
    expect(check.locator(".check-verdict")).to_have_text("✗ fails")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .warning")).to_have_text(
        "Saved brand as revision 2. Its check fails, so it cannot be approved: “Pay with "
        "QubePay” should read “Pay with queue pay” but reads “Pay with cube pay”."
    )

"""Issue 23 item 4: no lost work. Leaving a change page with unsaved edits asks first, by a link
(a breadcrumb) or by closing the tab; a page without edits, and saving, never ask."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Dialog, Page, expect

from orgs.models import Organization
from tests.browser.conftest import login
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db(transaction=True)
MODES = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}


def _dialogs(page: Page, accept: bool) -> list[tuple[str, str]]:
    """Every dialog the page opens (type, message), answered with ``accept``."""
    seen: list[tuple[str, str]] = []

    def answer(dialog: Dialog) -> None:
        seen.append((dialog.type, dialog.message))
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", answer)
    return seen


def test_a_breadcrumb_with_unsaved_edits_asks_and_staying_keeps_them(
    page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    dictionary = make_dictionary(organization, "brand", modes=MODES)
    login(page, live_server, "linguist")
    change = f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/"
    page.goto(change)
    page.wait_for_load_state("load")
    dialogs = _dialogs(page, accept=False)
    value = page.locator("tbody[data-mode=rewrite] .rule-value").first

    page.locator(".breadcrumbs a").last.click()  # no edits yet: leaves without asking
    expect(page).not_to_have_url(change)
    assert dialogs == []

    page.goto(change)
    page.wait_for_load_state("load")
    value.fill("queue pay")
    page.locator(".breadcrumbs a").last.click()

    assert dialogs == [
        ("confirm", "This dictionary has unsaved changes. Leave this page and lose them?")
    ]
    expect(page).to_have_url(change)
    expect(value).to_have_value("queue pay")


def test_leaving_after_confirming_and_closing_the_tab_ask_but_saving_does_not(
    page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    dictionary = make_dictionary(organization, "brand", modes=MODES)
    login(page, live_server, "linguist")
    change = f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/"
    page.goto(change)
    page.wait_for_load_state("load")
    dialogs = _dialogs(page, accept=True)
    value = page.locator("tbody[data-mode=rewrite] .rule-value").first

    value.fill("queue pay")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("Saved brand as revision 2.")
    assert dialogs == []

    page.wait_for_load_state("load")
    value.fill("kyoo pay")
    page.locator("#revisions-link").click()
    expect(page).to_have_url(
        f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/revisions/"
    )
    assert [kind for kind, _ in dialogs] == ["confirm"]

    page.goto(change)
    page.wait_for_load_state("load")
    value.fill("kyoo pay")
    page.close(run_before_unload=True)
    page.wait_for_event("close")
    assert [kind for kind, _ in dialogs] == ["confirm", "beforeunload"]

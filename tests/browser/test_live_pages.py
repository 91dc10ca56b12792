"""Issue 23 item 3 in a real browser, two sessions at once: the editor's open change page follows
a reviewer's approval, the Review page follows a decision made in another session, and the
dictionary list's badges follow a sync (a real worker, the emulator), all without a reload."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from orgs.actors import Actor
from orgs.models import Organization, Role
from orgs.services import organization_configure
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_update
from sync.emulator import EmulatorThread
from sync.models import Channel
from tests.browser.conftest import login, member
from tests.factories import make_dictionary
from tests.processes import Celery
from tests.sync.conftest import emulator_target

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.long]
MODES = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}
REVIEW = "/admin/pronunciations/dictionary/review/"
FOLLOWS = 20_000  # the pages ask every 5 s


@pytest.fixture
def second_page(browser: Browser) -> Iterator[Page]:
    """A second browser session (another person)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _proposed(organization: Organization, editor: User) -> Dictionary:
    """brand, approved with review off (revision 1), then revision 2 proposed by ``editor``."""
    dictionary = make_dictionary(organization, "brand", modes=MODES)
    organization_configure(organization=organization, review_required=True)
    dictionary_update(
        organization=organization,
        name="brand",
        modes={"rewrite": {"rules": [{"match": "QubePay", "replace": "queue pay"}]}},
        author=Actor.for_user(editor),
    )
    dictionary.refresh_from_db()
    return dictionary


def test_an_editors_open_change_page_follows_a_reviewers_approval(
    page: Page,
    second_page: Page,
    live_server: Any,
    editor: User,
    organization: Organization,
    slng: EmulatorThread,
) -> None:
    emulator_target(organization, "production", slng, channel=Channel.APPROVED)
    dictionary = _proposed(organization, editor)
    member("rita", organization, Role.REVIEWER)
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/")
    waiting = page.locator("#sync-panel tr.sync-row[data-target=production] [data-field=waiting]")
    expect(waiting).to_have_text("revision 2 waits for review")
    page.evaluate("window.samePage = true")  # gone if the page reloads

    login(second_page, live_server, "rita")
    second_page.goto(f"{live_server.url}{REVIEW}")
    second_page.locator(f"#proposal-{dictionary.pk}-2 .review-approve").click()
    expect(second_page.locator(".messagelist")).to_have_text("Approved revision 2 of brand.")

    expect(waiting).to_have_text("", timeout=FOLLOWS)
    assert page.evaluate("window.samePage") is True


def test_an_open_review_page_follows_a_decision_made_in_another_session(
    page: Page,
    second_page: Page,
    live_server: Any,
    editor: User,
    organization: Organization,
) -> None:
    dictionary = _proposed(organization, editor)
    member("rita", organization, Role.REVIEWER)
    member("rob", organization, Role.REVIEWER)
    login(page, live_server, "rita")
    page.goto(f"{live_server.url}{REVIEW}")
    proposal = page.locator(f"#proposal-{dictionary.pk}-2")
    expect(proposal.locator(".review-approve")).to_have_count(1)

    login(second_page, live_server, "rob")
    second_page.goto(f"{live_server.url}{REVIEW}")
    second_page.locator(f"#proposal-{dictionary.pk}-2 .review-approve").click()
    expect(second_page.locator(".messagelist")).to_have_text("Approved revision 2 of brand.")

    expect(proposal.locator(".review-gone-note")).to_contain_text(
        "Decided elsewhere", timeout=FOLLOWS
    )
    expect(proposal.locator(".review-approve")).to_have_count(0)
    expect(page.locator("#review-count")).to_have_text("0")
    # A new proposal made meanwhile is announced with a link to show it.
    dictionary_update(
        organization=organization, name="brand", modes=MODES, author=Actor.for_user(editor)
    )
    expect(page.locator("#review-reload")).to_have_text(
        "1 new change waits for review: show it", timeout=FOLLOWS
    )


def test_the_lists_badges_follow_a_sync(
    page: Page,
    second_page: Page,
    live_server: Any,
    editor: User,
    organization: Organization,
    slng: EmulatorThread,
    celery: Celery,
) -> None:
    emulator_target(organization, "production", slng)
    dictionary = make_dictionary(organization, "brand", modes=MODES)
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/")
    badge = page.locator(f".sync-badges[data-dictionary='{dictionary.pk}'] .sync-badge")
    expect(badge).to_have_text("production: pending")
    page.evaluate("window.samePage = true")

    # Another session changes the dictionary; then the worker syncs it.
    login(second_page, live_server, "linguist")
    second_page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/")
    second_page.locator("tbody[data-mode=rewrite] .rule-value").first.fill("queue pay")
    second_page.click("input[name=_continue]")
    expect(second_page.locator(".messagelist")).to_have_text("Saved brand as revision 2.")
    celery.worker()

    expect(badge).to_have_text("production: verified", timeout=60_000)
    assert page.evaluate("window.samePage") is True

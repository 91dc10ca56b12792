"""Issue 15, the linguist's workbench in a real browser: the start page, "Where is this word?",
and IPA help with espeak-ng's suggestion on the change page."""

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from orgs.actors import Actor
from orgs.models import Organization
from pronunciations.services import dictionary_update
from sync.models import SyncState, SyncStatus
from tests.browser.conftest import login
from tests.factories import make_dictionary, make_target

pytestmark = pytest.mark.django_db(transaction=True)

ACH = [
    {"match": "ACH", "replace": "ay see aitch"},
    {"match": "ACH transfer", "replace": "ay see aitch transfer"},
]


def test_the_start_page_shows_what_needs_a_linguist_and_finds_a_word(
    shots: Path, page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    make_dictionary(organization, "payments", modes={"rewrite": {"rules": ACH}})
    dictionary_update(
        organization=organization,
        name="payments",
        modes={"rewrite": {"rules": [*ACH, {"match": "SEPA", "replace": "see pa"}]}},
        author=Actor("asha", "user:asha"),
    )
    support = make_dictionary(organization, "support", modes={"rewrite": {"rules": ACH[:1]}})
    target = make_target(organization)
    SyncState.objects.create(  # raw: only a real sync run writes a failure
        target=target,
        dictionary=support,
        status=SyncStatus.FAILED,
        last_error_code="pronunciation_unauthenticated",
        last_error_message="SLNG refused the key: enter the target's SLNG API key again.",
        last_attempt_at=timezone.now(),
    )
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/")

    expect(page).to_have_title("Start | Lexicon")
    expect(page.locator("#site-name")).to_have_text("Lexicon")
    expect(page.locator("#start-failed-syncs .failed-sync")).to_contain_text("SLNG refused the key")
    changes = page.locator("#start-recent-changes .recent-change")
    expect(changes.filter(has_text="asha")).to_contain_text("payments")
    expect(changes.filter(has_text="asha")).to_contain_text("1 rule added")
    expect(page.locator("#content-related")).to_contain_text("Dictionaries")
    expect(page.locator("#content-related")).not_to_contain_text("API keys")
    expect(page.locator("#content-related")).not_to_contain_text("Sync targets")
    page.screenshot(path=str(shots / "start-page.png"), full_page=True)

    page.fill("#start-find input[name=q]", "Pay by ACH transfer")
    page.click("#start-find input[type=submit]")
    expect(page.locator("#where-summary")).to_contain_text("Found in 2 of 2 dictionaries.")


def test_where_shows_the_winning_and_the_losing_rule_in_each_dictionary(
    shots: Path, page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    payments = make_dictionary(organization, "payments", modes={"rewrite": {"rules": ACH}})
    make_dictionary(organization, "support", modes={"rewrite": {"rules": ACH[:1]}})
    make_dictionary(organization, "hindi-brands", rules=3)
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/where/")
    page.fill("#id_q", "Pay by ACH transfer, and two ACHs")
    page.click("#where-form input[type=submit]")

    block = page.locator(f"#where-{payments.pk}")
    expect(block.locator(".where-sent")).to_have_text("Pay by ay see aitch transfer, and two ACHs")
    expect(block.locator(".where-sent mark")).to_have_text("ay see aitch transfer")
    expect(block.locator(".where-applied")).to_contain_text("ACH transfer → ay see aitch transfer")
    expect(block.locator(".where-longer")).to_contain_text(
        "“ACH transfer” also starts here and is longer: the longest match wins"
    )
    expect(block.locator(".where-boundary").first).to_contain_text("“s” follows it here")
    support = page.locator(".where-answer", has_text="support")
    expect(support.locator(".where-applied")).to_contain_text("ACH → ay see aitch")
    expect(page.locator("#where-not-found")).to_contain_text("1 dictionary has no rule")
    page.screenshot(path=str(shots / "where.png"), full_page=True)

    block.locator(".where-longer a.where-rule").click()
    expect(page).to_have_url(
        f"{live_server.url}/admin/pronunciations/dictionary/{payments.pk}/change/#rule=rewrite%3AACH"
    )
    expect(page.locator("tr.rule-linked .rule-match")).to_have_value("ACH")


def test_where_offers_a_rule_spelled_without_the_space_as_did_you_mean(
    shots: Path, page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    """Issue 23: customers write *Qube Pay*, the rule is ``QubePay``."""
    qube = [{"match": "QubePay", "replace": "kyoob pay"}]
    brands = make_dictionary(organization, "brands", modes={"rewrite": {"rules": qube}})
    make_dictionary(organization, "payments", modes={"rewrite": {"rules": ACH}})
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/where/")
    page.fill("#id_q", "Pay with Qube Pay by ACH")
    page.click("#where-form input[type=submit]")

    expect(page.locator("#where-summary")).to_contain_text("Found in 1 of 2 dictionaries.")
    near = page.locator("#where-near .where-near-rule")
    expect(near).to_have_count(1)
    expect(near).to_contain_text("QubePay → kyoob pay")
    expect(near).to_contain_text("brands")
    expect(near.locator("mark")).to_have_text("Qube Pay")
    page.screenshot(path=str(shots / "where-did-you-mean.png"), full_page=True)

    near.get_by_role("link", name="Find “QubePay”").click()
    expect(page.locator(f"#where-{brands.pk} .where-applied")).to_contain_text(
        "QubePay → kyoob pay"
    )
    expect(page.locator("#where-near")).to_have_count(0)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="Debian's espeak-ng is missing")
def test_ipa_palette_inserts_a_character_hints_and_suggests_with_espeak(
    shots: Path, page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    dictionary = make_dictionary(
        organization,
        "brand",
        modes={
            "rewrite": {"rules": ACH[:1]},
            "ipa": {"rules": [{"match": "tomato", "ipa": "təmeɪ"}]},
        },
        metadata={"language": "en-US"},
    )
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/")
    row = page.locator("tr.rule-row", has=page.locator(".rule-match[value='tomato']"))
    rewrite_row = page.locator("tr.rule-row", has=page.locator(".rule-match[value='ACH']"))
    value = row.locator(".rule-value")
    expect(rewrite_row.locator(".ipa-tools")).to_be_hidden()  # rewrite rules get no IPA tools
    page.click("#tab-ipa")

    value.click()
    value.press("End")
    row.get_by_role("button", name="IPA ⌨").click()
    tap = row.locator(".ipa-key[data-char='ɾ']")
    expect(tap).to_have_attribute("title", "voiced alveolar tap (ɾ)")  # issue 23: not U+027E
    expect(row.locator(".ipa-key[data-char='ˈ']")).to_have_attribute("title", "primary stress (ˈ)")
    tap.click()
    expect(value).to_have_value("təmeɪɾ")
    value.press_sequentially("Q")
    expect(row.locator(".ipa-hint")).to_have_text("Not IPA: “Q” (U+0051)")

    row.get_by_role("button", name="Suggest").click()
    suggestion = row.locator(".ipa-suggestion")
    expect(suggestion.locator(".ipa-suggestion-text")).to_have_text("təmˈeɪɾoʊ")
    expect(suggestion).to_contain_text("Suggestion")
    expect(suggestion).to_contain_text("Suggested by espeak-ng, voice en-us")
    page.screenshot(path=str(shots / "ipa-help.png"), full_page=False)
    suggestion.get_by_role("button", name="Use it").click()
    expect(value).to_have_value("təmˈeɪɾoʊ")
    expect(row.locator(".ipa-hint")).to_have_text("")

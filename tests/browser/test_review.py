"""Issue 14 item 5 in a real browser: an editor proposes a change with a comment and a check,
seeing the check pass or fail live as the (unsaved) rules change; the change page says it is
live on staging and waits for review on production; a reviewer approves it from the Review
page, and production turns verified with it (a real worker, the emulator). A stale Review page
cannot approve a superseded revision (only the newest); one's own change is refused with the
reason; a deleted dictionary is restored after a confirmation."""

from collections.abc import Iterator
from pathlib import Path
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
from sync.models import Channel, SyncState, SyncStatus
from tests.browser.conftest import login, member
from tests.conftest import SLNG_KEY_GLOBEX, UPSTREAM_ORG_GLOBEX
from tests.factories import make_dictionary
from tests.processes import Celery, wait_for
from tests.sync.conftest import emulator_target

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.long]
MODES = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}
REVIEW = "/admin/pronunciations/dictionary/review/"


@pytest.fixture
def reviewer_page(browser: Browser) -> Iterator[Page]:
    """A second browser session, for the reviewer."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _states(dictionary: Dictionary) -> dict[int, str]:
    return dict(dictionary.revisions.values_list("number", "review_state"))


def _channels(organization: Organization, slng: EmulatorThread) -> None:
    """staging on latest and production on approved after staging, each its own SLNG org."""
    staging = emulator_target(organization, "staging", slng, prune=True)
    emulator_target(
        organization,
        "production",
        slng,
        api_key=SLNG_KEY_GLOBEX,
        prune=True,
        channel=Channel.APPROVED,
        after=staging,
    )


def _verified(dictionary: Dictionary, target: str, revision: int) -> bool:
    return SyncState.objects.filter(
        dictionary=dictionary,
        target__name=target,
        status=SyncStatus.VERIFIED,
        pushed_revision=revision,
    ).exists()


def _row(page: Page, target: str) -> Any:
    return page.locator(f"#sync-panel tr.sync-row[data-target={target}]")


def _reviewed_brand(organization: Organization) -> Dictionary:
    """brand, approved with review off (revision 1), then review turned on."""
    dictionary = make_dictionary(organization, "brand", modes=MODES)
    organization_configure(organization=organization, review_required=True)
    return dictionary


def test_an_editor_proposes_with_a_comment_and_a_reviewer_approves_it_from_the_review_page(
    shots: Path,
    page: Page,
    reviewer_page: Page,
    live_server: Any,
    editor: User,
    organization: Organization,
    slng: EmulatorThread,
    celery: Celery,
) -> None:
    _channels(organization, slng)
    dictionary = _reviewed_brand(organization)
    member("rita", organization, Role.REVIEWER)
    celery.worker()
    wait_for(lambda: _verified(dictionary, "production", 1), 60, "revision 1 on production")
    login(page, live_server, "linguist")
    change_page = f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/"
    page.goto(change_page)

    page.click("#add-check")
    check = page.locator("#check-rows .check-row").last
    check.locator(".check-text").fill("Pay with QubePay")
    check.locator(".check-expect").fill("Pay with queue pay")
    expect(check.locator(".check-verdict")).to_have_text("✗ fails")
    expect(check.locator(".check-got")).to_have_text("Pay with cube pay")
    page.locator("tbody[data-mode=rewrite] tr.rule-row .rule-value").first.fill("queue pay")
    expect(check.locator(".check-verdict")).to_have_text("✓ passes")
    expect(page.locator("#checks-summary")).to_have_text("1 of 1 pass")
    page.fill("#id_comment", "Marketing says queue pay")
    page.locator("#checks-panel").screenshot(path=str(shots / "change-page-checks.png"))
    page.click("input[name=_continue]")
    # Issue 23 item 3: the message says the change is only proposed.
    expect(page.locator(".messagelist")).to_contain_text(
        "Saved brand as revision 2. Proposed — waits for review"
    )

    proposed = dictionary.revisions.get(number=2)
    assert (proposed.review_state, proposed.comment, proposed.author) == (
        "proposed",
        "Marketing says queue pay",
        "linguist",
    )
    assert proposed.snapshot["checks"] == [
        {"text": "Pay with QubePay", "expect": "Pay with queue pay"}
    ]
    # Live where: staging serves the proposal at once, production keeps revision 1 and says why.
    staging, production = _row(page, "staging"), _row(page, "production")
    expect(staging.locator("[data-field=revision]")).to_have_text(
        "revision 2 on SLNG", timeout=60_000
    )
    expect(staging.locator(".sync-badge")).to_have_text("verified", timeout=60_000)
    expect(production.locator(".sync-channel")).to_have_text(
        "approved revisions, once verified on staging"
    )
    expect(production.locator(".sync-badge")).to_have_text("verified")
    expect(production.locator("[data-field=revision]")).to_have_text("revision 1 on SLNG")
    expect(production.locator("[data-field=waiting]")).to_have_text("revision 2 waits for review")
    page.locator("#sync-panel").screenshot(path=str(shots / "change-page-live-where.png"))

    login(reviewer_page, live_server, "rita")
    expect(reviewer_page.locator("#waiting-count")).to_have_text("1")
    reviewer_page.screenshot(path=str(shots / "start-page-review.png"), full_page=True)
    reviewer_page.click("#start-review-link")
    proposal = reviewer_page.locator(f"#proposal-{dictionary.pk}-2")
    expect(proposal.locator(".review-author")).to_have_text("linguist")
    expect(proposal.locator(".review-comment")).to_have_text("Marketing says queue pay")
    expect(proposal.locator(".review-diff")).to_contain_text(
        "~ rewrite: QubePay → cube pay ⇒ queue pay"
    )
    expect(proposal.locator(".review-diff")).to_contain_text(
        "+ check: Pay with QubePay ⇒ Pay with queue pay"
    )
    expect(proposal.locator(".review-checks caption")).to_have_text("Checks: 1 of 1 pass")
    proposal.locator(".review-listen-button", has_text="QubePay").click()  # sync's Listen
    expect(proposal.locator(".review-listen-status")).to_have_text(
        "Heard on production — deepgram/aura:2. Model receives: queue pay"
    )
    proposal.locator("textarea[name=comment]").fill("Checked with marketing")
    reviewer_page.screenshot(path=str(shots / "review-page.png"), full_page=True)
    proposal.locator(".review-approve").click()

    expect(reviewer_page.locator(".messagelist")).to_have_text("Approved revision 2 of brand.")
    expect(reviewer_page.locator("#review-intro")).to_contain_text("Nothing waits for review.")
    approved = dictionary.revisions.get(number=2)
    assert (approved.review_state, approved.reviewed_by, approved.review_comment) == (
        "approved",
        "rita",
        "Checked with marketing",
    )

    # Production takes the approved revision and verifies it; the editor's page says so.
    page.goto(change_page)
    expect(production.locator("[data-field=revision]")).to_have_text(
        "revision 2 on SLNG", timeout=60_000
    )
    expect(production.locator(".sync-badge")).to_have_text("verified", timeout=60_000)
    expect(production.locator("[data-field=waiting]")).to_have_text("")
    upstream = {d["name"]: d for d in slng.state.list_dictionaries(UPSTREAM_ORG_GLOBEX)}
    assert upstream["brand"]["modes"] == {
        "rewrite": {"rules": [{"match": "QubePay", "replace": "queue pay"}]}
    }


def test_a_stale_review_page_cannot_approve_a_superseded_revision(
    page: Page, live_server: Any, organization: Organization
) -> None:
    dictionary = _reviewed_brand(organization)

    def propose(replace: str) -> None:
        dictionary_update(
            organization=organization,
            name="brand",
            modes={"rewrite": {"rules": [{"match": "QubePay", "replace": replace}]}},
            author=Actor("asha", "user:asha"),
        )

    propose("queue pay")
    member("rita", organization, Role.REVIEWER)
    login(page, live_server, "rita")
    page.goto(f"{live_server.url}{REVIEW}")
    expect(page.locator("#review-count")).to_have_text("1")

    # Meanwhile the author changes it again: revision 3 supersedes revision 2 (issue 23 item 1).
    propose("kyoo pay")
    page.locator(f"#proposal-{dictionary.pk}-2 .review-approve").click()

    expect(page.locator(".messagelist .error")).to_have_text(
        "Revision 2 of pronunciation dictionary brand is not its newest: revision 3 is. Only the "
        "newest revision can be approved; review revision 3."
    )
    assert _states(dictionary) == {1: "auto", 2: "superseded", 3: "proposed"}


def test_ones_own_change_is_refused_with_the_reason(
    page: Page, live_server: Any, organization: Organization
) -> None:
    boss = member("boss", organization, Role.ADMIN)
    dictionary = _reviewed_brand(organization)
    dictionary_update(
        organization=organization,
        name="brand",
        modes={"rewrite": {"rules": [{"match": "QubePay", "replace": "queue pay"}]}},
        author=Actor.for_user(boss),
    )
    login(page, live_server, "boss")
    page.goto(f"{live_server.url}{REVIEW}")

    proposal = page.locator(f"#proposal-{dictionary.pk}-2")
    expect(proposal.locator(".review-refusal")).to_have_text(
        "Revision 2 of pronunciation dictionary brand is your own change: another reviewer must "
        "approve or reject it."
    )
    expect(proposal.locator(".review-approve")).to_have_count(0)
    expect(proposal.locator(".review-reject")).to_have_count(0)
    expect(proposal.locator(".review-withdraw")).to_have_count(1)
    assert _states(dictionary) == {1: "auto", 2: "proposed"}


def test_a_deleted_dictionary_is_restored_after_a_confirmation_naming_what_comes_back(
    shots: Path, page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    dictionary = make_dictionary(
        organization,
        "brand",
        modes=MODES,
        checks=[{"text": "Pay with QubePay", "expect": "Pay with cube pay"}],
    )
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/delete/")
    expect(page.locator("#delete-truth")).to_contain_text("the dictionary is kept")
    expect(page.locator("#delete-truth")).to_contain_text("Its name becomes free at once")
    page.screenshot(path=str(shots / "delete-confirm.png"))
    page.click("input[type=submit][value='Yes, delete it']")
    expect(page.locator(".messagelist")).to_contain_text(
        "Nothing is lost: “brand” is kept with its rules, checks and history; restore it from "
        "Deleted dictionaries within 30 days."
    )

    page.click("#deleted-link")
    expect(page.locator(f"#deleted-{dictionary.pk}")).to_contain_text("1 rewrite rule, 1 check")
    page.screenshot(path=str(shots / "deleted-dictionaries.png"))
    page.locator(f"#deleted-{dictionary.pk} .restore-button").click()
    expect(page.locator("#undelete-summary")).to_contain_text("1 rewrite rule, 1 check")
    expect(page.locator("#undelete-summary")).to_contain_text("It comes back as revision 3")
    page.screenshot(path=str(shots / "undelete-confirm.png"))
    page.click("#undelete-confirm")

    expect(page.locator(".messagelist")).to_have_text(
        "Restored brand as revision 3, with its rules, checks and history."
    )
    expect(page).to_have_url(
        f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/"
    )
    dictionary.refresh_from_db()
    assert dictionary.deleted_at is None

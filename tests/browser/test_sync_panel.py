"""Issue 15 item 6: the sync panel follows a save and a Sync now until every target settles,
with a real Celery worker pushing to the emulator; and a failure says what to do."""

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from orgs.models import Organization
from sync.emulator import EmulatorThread
from sync.models import RunStatus, SyncRun, SyncStatus
from sync.services import target_create
from tests.browser.conftest import login
from tests.conftest import SLNG_KEY_ACME
from tests.factories import make_dictionary, sync_state
from tests.processes import Celery

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.long]
BADGE = "#sync-panel .sync-badge"


def test_the_panel_turns_verified_after_a_save_and_a_sync_now_without_a_reload(
    shots: Path,
    page: Page,
    live_server: Any,
    editor: User,
    organization: Organization,
    slng: EmulatorThread,
    celery: Celery,
) -> None:
    target_create(
        organization=organization,
        name="emulator",
        base_url=slng.base_url,
        ws_url=slng.ws_url,
        api_key=SLNG_KEY_ACME,
    )
    dictionary = make_dictionary(organization, "brand")
    celery.worker()
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/")
    page.locator("tbody[data-mode=rewrite] .rule-value").first.fill("a new replacement")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("Saved ")
    page.evaluate("window.samePage = true")  # gone if the page reloads

    expect(page.locator(BADGE)).to_have_text("verified", timeout=60_000)
    expect(page.locator("#sync-panel [data-field=revision]")).to_have_text("revision 2 on SLNG")
    ran = SyncRun.objects.filter(finished_at__isnull=False).exclude(status=RunStatus.SUPERSEDED)
    run = ran.latest("pk")
    link = page.locator("#sync-panel a[data-field=run]")
    expect(link).to_have_text(f"run {run.pk}")
    expect(page.locator("#sync-panel [data-field=checked]")).not_to_have_text("not yet")
    page.screenshot(path=str(shots / "change-page-sync.png"))

    page.click("#sync-now")  # an unchanged dictionary: the run checks it and writes nothing
    expect(page.locator("#sync-message")).to_contain_text("Sync queued for 1 target(s).")
    expect(page.locator("#sync-message")).to_have_text("Sync finished.", timeout=60_000)
    checked = ran.latest("pk")
    assert (checked.pk > run.pk, checked.unchanged) == (True, 1)
    expect(link).to_have_text(f"run {checked.pk}")
    assert page.evaluate("window.samePage") is True
    link.click()
    expect(page.locator("#content")).to_contain_text("Every dictionary was checked")


def test_a_failure_says_what_happened_and_what_to_do(
    page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    target = target_create(
        organization=organization,
        name="production",
        base_url="https://slng.invalid",
        ws_url="wss://slng.invalid",
        api_key="sk_unused",
        enabled=False,
    )
    dictionary = make_dictionary(organization, "brand")
    long_reason = "Missing or invalid organization context. " + "(upstream detail) " * 20
    sync_state(
        target,
        dictionary,
        SyncStatus.FAILED,
        last_error_code="pronunciation_unauthenticated",
        last_error_message=long_reason,
    )
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/")

    problem = page.locator("#sync-panel .sync-problem")
    expect(problem).to_contain_text("SLNG refused the target's API key.")
    expect(problem).to_contain_text(
        "What to do: Ask an organization admin to enter a valid SLNG API key on the target"
    )
    expect(problem).not_to_contain_text("pronunciation_unauthenticated")

    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/")
    badge = page.locator("td.field-sync_badges .sync-badge")
    expect(badge).to_have_text("production: failed: key refused")
    expect(badge).to_have_attribute(
        "title",
        "production: failed. SLNG refused the target's API key. Ask an organization admin to "
        "enter a valid SLNG API key on the target, then press Sync now.",
    )
    results = page.locator("#changelist .results")
    assert results.evaluate("e => e.scrollWidth <= e.clientWidth"), "the badge column clips"

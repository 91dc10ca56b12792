"""Issue 11: a large admin import runs in the background; its page follows the job to its report."""

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from orgs.models import Organization
from orgs.services import organization_configure
from pronunciations.models import Rule
from tests.browser.conftest import login
from tests.processes import Celery
from tests.pronunciations import bombs

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.long]


def test_a_large_import_shows_the_jobs_progress_and_its_report(
    page: Page,
    live_server: Any,
    editor: User,
    organization: Organization,
    tmp_path: Path,
    settings: Any,
    worker: Celery,
) -> None:
    """Issue 11: a file over LEXICON_IMPORT_SYNC_MAX_BYTES becomes a job; the page polls it."""
    settings.LEXICON_IMPORT_SYNC_MAX_BYTES = 1000
    source = bombs.write_csv(tmp_path / "large.csv", bombs.rule_rows(2000))
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/import/")
    page.set_input_files("#id_import_file", str(source))
    page.select_option("#id_format", label="csv")
    page.select_option("#id_organization", str(organization.pk))
    page.check("#id_mode_0")  # merge
    page.click("input[type=submit]")

    expect(page.locator("#import-job-state")).to_have_text("succeeded", timeout=60_000)
    expect(page.locator("#import-job-rows")).to_have_text("2000")
    expect(page.locator("#import-job-summary")).to_contain_text(
        "dictionaries 8 created, 0 changed, 0 unchanged; rules 2000 added, 0 changed, 0 removed."
    )
    assert Rule.objects.count() == 2000
    expect(page.locator("#import-job-proposed")).to_have_count(0)  # review is off


def test_a_background_import_with_review_on_says_its_changes_are_only_proposed(
    page: Page,
    live_server: Any,
    editor: User,
    organization: Organization,
    tmp_path: Path,
    settings: Any,
    worker: Celery,
) -> None:
    """Issue 23 item 3: the job's page said "Imported" alone, like changes gone live."""
    organization_configure(organization=organization, review_required=True)
    settings.LEXICON_IMPORT_SYNC_MAX_BYTES = 1000
    source = bombs.write_csv(tmp_path / "large.csv", bombs.rule_rows(100))
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/import/")
    page.set_input_files("#id_import_file", str(source))
    page.select_option("#id_format", label="csv")
    page.select_option("#id_organization", str(organization.pk))
    page.check("#id_mode_0")  # merge
    page.click("input[type=submit]")

    expect(page.locator("#import-job-state")).to_have_text("succeeded", timeout=60_000)
    expect(page.locator("#import-job-proposed")).to_have_text(
        "Every change is proposed — waits for review: a reviewer approves it before it reaches "
        "production (the approved channel)."
    )

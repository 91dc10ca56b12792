"""A linguist's day in the admin, in a real browser: edit, preview, import, history, sync."""

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

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.long]


def add_rule(page: Page, mode: str, match: str, value: str) -> None:
    """Add a row at the end of a mode's tab and fill it in."""
    page.click(f"#tab-{mode}")
    page.click(f".add-rule[data-mode={mode}]")
    row = page.locator(f"tbody[data-mode={mode}] tr.rule-row").last
    row.locator(".rule-match").fill(match)
    row.locator(".rule-value").fill(value)


def test_an_editor_creates_validates_previews_and_saves_a_dictionary(
    shots: Path, page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/add/")
    page.select_option("#id_organization", str(organization.pk))
    page.fill("#id_name", "brand")
    page.fill("#id_language", "en-US")
    page.fill("#id_use_case", "support")
    add_rule(page, "rewrite", "NAIC", "en ay eye see")
    add_rule(page, "rewrite", "naic", "duplicate")
    add_rule(page, "ipa", "tomato", "təˈmɑːtəʊ")
    page.click("input[name=_continue]")

    row = page.locator("tbody[data-mode=rewrite] tr.rule-row").nth(1)
    error = row.locator(".row-problems[data-for=match]")
    expect(error).to_have_text(
        "“naic” appears twice in Rewrite rules: “NAIC” above is the same match (capitals and "
        "spaces do not count)."
    )
    assert not Dictionary.objects.exists()

    row = page.locator("tbody[data-mode=rewrite] tr.rule-row").nth(1)
    row.locator(".rule-match").fill("ACH transfer")
    row.locator(".rule-value").fill("ay see aitch transfer")
    page.fill("#preview-text", "Pay NAIC by ACH transfer")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("Created ")

    # the sentence survived the save; both texts are highlighted, no character offsets shown
    expect(page.locator("#preview-text")).to_have_value("Pay NAIC by ACH transfer")
    expect(page.locator("#preview-output")).to_have_text(
        "Pay en ay eye see by ay see aitch transfer"
    )
    expect(page.locator("#preview-input mark")).to_have_text(["NAIC", "ACH transfer"])
    expect(page.locator("#preview-output mark")).to_have_text(
        ["en ay eye see", "ay see aitch transfer"]
    )
    expect(page.locator("#preview-applied")).not_to_contain_text("characters")
    row = page.locator("tbody[data-mode=rewrite] tr.rule-row").first
    row.locator(".rule-value").fill("N.A.I.C. (unsaved)")
    expect(page.locator("#preview-output")).to_contain_text("N.A.I.C. (unsaved)")
    page.screenshot(path=str(shots / "change-page-preview.png"), full_page=True)

    dictionary = Dictionary.objects.get(name="brand")
    assert dictionary.metadata == {"language": "en-US", "use_case": "support"}
    rewrite = dictionary.rules.filter(mode="rewrite").order_by("position")
    assert [r.match for r in rewrite] == ["NAIC", "ACH transfer"]
    assert [r.value for r in dictionary.rules.filter(mode="ipa")] == ["təˈmɑːtəʊ"]
    assert dictionary.revisions.get().source == "admin"


def test_an_editor_imports_with_a_dry_run_then_confirms_and_exports(
    shots: Path,
    page: Page,
    live_server: Any,
    editor: User,
    organization: Organization,
    tmp_path: Path,
) -> None:
    make_dictionary(organization, "brand", metadata={"language": "en-US"})
    source = tmp_path / "rules.csv"
    source.write_text(
        "dictionary,mode,match,replace,metadata.language\n"
        "brand,rewrite,QubePay,cube pay,\n"
        "support,rewrite,SLNG,slang,en-US\n",
        encoding="utf-8",
    )
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/import/")
    page.set_input_files("#id_import_file", str(source))
    page.select_option("#id_format", label="csv")
    expect(page.locator("#id_organization")).to_have_value(str(organization.pk))  # the only one
    page.check("#id_mode_0")  # merge
    page.click("input[type=submit]")

    expect(page.locator("#plan-1")).to_contain_text("brand — changed")
    expect(page.locator("#plan-1 .plan-added")).to_contain_text("QubePay")
    expect(page.locator("#plan-2")).to_contain_text("support — created")
    expect(page.locator("#plan-2 .plan-added")).to_contain_text("slang")
    expect(page.locator("input[name=confirm]")).to_be_visible()
    assert not Dictionary.objects.filter(name="support").exists()
    page.screenshot(path=str(shots / "import-preview.png"), full_page=True)

    page.click("input[name=confirm]")
    expect(page.locator(".messagelist")).to_contain_text("Import finished")
    assert Dictionary.objects.get(name="support").rules.get().value == "slang"
    assert Dictionary.objects.get(name="brand").rules.filter(match="QubePay").exists()

    page.check("#action-toggle")
    page.select_option("select[name=action]", "export_csv")
    with page.expect_download() as download:
        page.click("button[name=index]")
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "support,rewrite,SLNG,slang" in exported
    assert "brand,rewrite,QubePay,cube pay" in exported


def test_an_import_with_errors_shows_them_by_row_and_writes_nothing(
    shots: Path,
    page: Page,
    live_server: Any,
    editor: User,
    organization: Organization,
    tmp_path: Path,
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("dictionary,mode,match,replace\nd,rewrite,,empty\n", encoding="utf-8")
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/import/")
    page.set_input_files("#id_import_file", str(source))
    page.select_option("#id_format", label="csv")
    page.click("input[type=submit]")

    expect(page.locator("#import-errors")).to_have_text(
        "Row 2, column match: must not be empty or whitespace only"
    )
    expect(page.locator("input[name=confirm]")).to_have_count(0)
    assert not Dictionary.objects.exists()

    # Issue 23: the rows to fix are the first thing on the page, above the fold and above
    # the (neutral, not green) note that the file is kept.
    errors = page.locator("#import-errors").bounding_box()
    kept = page.locator("#import-kept").bounding_box()
    assert errors is not None
    assert kept is not None
    assert errors["y"] + errors["height"] < min(kept["y"], 1000)
    # The file is kept: fixing the mode needs no new upload.
    expect(page.locator("#import-kept")).to_contain_text("Your file bad.csv is kept")
    page.screenshot(path=str(shots / "import-errors.png"), full_page=True)
    page.check("#id_mode_1")  # replace
    page.click("#import-form input[type=submit]")
    expect(page.locator("#import-errors")).to_contain_text("Row 2, column match")


def test_history_shows_diffs_and_restores_with_protection(
    shots: Path, page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    from pronunciations.services import dictionary_update

    dictionary = make_dictionary(organization, "brand")
    dictionary_update(
        organization=organization,
        name="brand",
        modes={"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}},
    )
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/revisions/")
    expect(page.locator("#revision-2 .diff")).to_contain_text("+ rewrite: SLNG → slang")
    expect(page.locator("#revision-2 .diff")).to_contain_text("− rewrite: word0 → replacement 0")
    page.screenshot(path=str(shots / "history.png"), full_page=True)

    # Restore asks first and names what will change; nothing is written before "Yes".
    page.click("#revision-1 .restore-button")
    expect(page.locator("#restore-summary")).to_have_text("2 rules added, 1 removed")
    expect(page.locator("#restore-changes")).to_contain_text("− rewrite: SLNG → slang")
    dictionary.refresh_from_db()
    assert dictionary.revision == 2
    page.screenshot(path=str(shots / "restore-confirm.png"), full_page=True)

    # someone else saves meanwhile: the restore from this (now stale) page is refused
    dictionary_update(
        organization=organization, name="brand", metadata={"by": "someone"}, partial=True
    )
    page.click("#restore-confirm")
    expect(page.locator(".messagelist")).to_contain_text("has changed since you read it")
    dictionary.refresh_from_db()
    assert dictionary.revision == 3

    expect(page.locator("#restore-summary")).to_contain_text("metadata changed")
    page.click("#restore-confirm")
    expect(page.locator(".messagelist")).to_contain_text(
        "Restored revision 1 as revision 4: 2 rules added, 1 removed; metadata changed."
    )
    dictionary.refresh_from_db()
    assert (dictionary.revision, dictionary.rules.count()) == (4, 2)


def test_sync_now_shows_verified(
    shots: Path, page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    from sync.emulator import ApiKey, EmulatorState
    from sync.services import target_create

    dictionary = make_dictionary(organization, "brand")
    with EmulatorThread(EmulatorState([ApiKey("sk_browser", "org_up")])) as slng:
        target_create(
            organization=organization,
            name="emulator",
            base_url=slng.base_url,
            ws_url=slng.ws_url,
            api_key="sk_browser",
        )
        login(page, live_server, "linguist")
        page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/")
        expect(page.locator("#sync-panel .sync-badge")).to_have_text("pending")

        app.conf.task_always_eager = True  # the live server runs the sync in the request
        try:
            page.click("#sync-now")
            expect(page.locator("#sync-message")).to_contain_text("Sync queued for 1 target(s).")
        finally:
            app.conf.task_always_eager = False

        expect(page.locator("#sync-panel .sync-badge")).to_have_text("verified")
        assert SyncTarget.objects.get().states.get().status == "verified"
        page.goto(f"{live_server.url}/admin/pronunciations/dictionary/")
        expect(page.locator("td.field-sync_badges")).to_contain_text("emulator: verified")
        page.screenshot(path=str(shots / "dictionary-list.png"), full_page=True)


def test_a_viewer_can_read_but_change_nothing(
    page: Page, live_server: Any, viewer: User, organization: Organization
) -> None:
    dictionary = make_dictionary(organization, "brand")
    login(page, live_server, "reader")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/")
    expect(page.locator("#result_list")).to_contain_text("brand")
    expect(page.locator("a.addlink")).to_have_count(0)

    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/")
    expect(page.locator("input[name=_save]")).to_have_count(0)
    expect(page.locator(".rule-match")).to_have_count(0)
    expect(page.locator("#rules-editor .rule-match-text").first).to_have_text("word0")

    response = page.goto(f"{live_server.url}/admin/pronunciations/dictionary/add/")
    assert response is not None
    assert response.status == 403
    response = page.goto(f"{live_server.url}/admin/orgs/apikey/")
    assert response is not None
    assert response.status == 403


def test_another_organizations_user_sees_none_of_it_even_by_url(
    page: Page, live_server: Any, outsider: User, organization: Organization
) -> None:
    dictionary = make_dictionary(organization, "secret-brand")
    login(page, live_server, "outsider")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/?q=secret")
    expect(page.locator("#changelist")).not_to_contain_text("secret-brand")

    for url in (f"{dictionary.pk}/change/", f"{dictionary.pk}/revisions/", f"{dictionary.pk}/pls/"):
        page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{url}")
        expect(page.locator("body")).not_to_contain_text("word0")
    page.goto(f"{live_server.url}/admin/orgs/organization/")
    expect(page.locator("#result_list")).not_to_contain_text("Acme")


def test_an_editor_imports_a_pls_lexicon_into_a_dictionary(
    page: Page, live_server: Any, editor: User, organization: Organization, tmp_path: Path
) -> None:
    dictionary = make_dictionary(organization, "brand")
    lexicon = tmp_path / "brand.pls"
    lexicon.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
        'alphabet="ipa" xml:lang="en-GB">\n'
        "  <lexeme><grapheme>W3C</grapheme><alias>World Wide Web Consortium</alias></lexeme>\n"
        '  <lexeme><grapheme>tomato</grapheme><phoneme alphabet="x-sampa">t@mA:t@U</phoneme>'
        "</lexeme>\n</lexicon>\n",
        encoding="utf-8",
    )
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/")
    page.click("#pls-import-link")
    page.set_input_files("#id_file", str(lexicon))
    page.select_option("#id_mode", "replace")
    page.uncheck("#id_dry_run")
    page.click("input[type=submit]")

    # X-SAMPA is converted to IPA (issue 25), and the report says so.
    expect(page.locator("#pls-report")).to_contain_text("2 rules added")
    expect(page.locator("#pls-report")).to_contain_text("x-sampa")
    dictionary.refresh_from_db()
    assert sorted((r.mode, r.match) for r in dictionary.rules.all()) == [
        ("ipa", "tomato"),
        ("rewrite", "W3C"),
    ]
    assert dictionary.metadata == {"language": "en-GB"}

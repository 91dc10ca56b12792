"""Issue 15: the rules editor in a real browser: paste many rules with their conflicts shown
first, order by dragging, problems in plain words on their rows."""

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
REWRITE_ROWS = "tbody[data-mode=rewrite] tr.rule-row"


def _open(page: Page, live_server: Any, dictionary: Dictionary) -> None:
    login(page, live_server, "linguist")
    page.goto(f"{live_server.url}/admin/pronunciations/dictionary/{dictionary.pk}/change/")


def _matches(dictionary: Dictionary) -> list[str]:
    return list(
        dictionary.rules.filter(mode="rewrite").order_by("position").values_list("match", flat=True)
    )


def test_fifty_pasted_rules_show_their_one_conflict_before_anything_changes(
    shots: Path, page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    dictionary = make_dictionary(organization, "brand")  # word0 → replacement 0, word1 → …
    lines = [f"term{i} → say term {i}" for i in range(49)]
    lines.insert(20, "WORD1\tsomething else")  # the same match as a rule already there
    _open(page, live_server, dictionary)

    page.click(".paste-open[data-mode=rewrite]")
    page.fill("#paste-text", "\n".join(lines))
    page.click("#paste-check")

    expect(page.locator("#paste-summary")).to_have_text(
        "50 lines: 49 will be added or changed, 1 flagged and left out."
    )
    flagged = page.locator("#paste-lines tr.paste-change")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text(
        "“WORD1” is already in Rewrite rules, as “word1” → “replacement 1”"
    )
    expect(page.locator("#paste-add")).to_have_text("Add 49 rules")
    expect(page.locator(REWRITE_ROWS)).to_have_count(2)
    page.screenshot(path=str(shots / "change-page-paste.png"))
    dictionary.refresh_from_db()
    assert (dictionary.revision, dictionary.rules.count()) == (1, 2)

    page.click("#paste-add")
    expect(page.locator(REWRITE_ROWS)).to_have_count(51)
    expect(page.locator("[data-count-for=rewrite]")).to_have_text("51")
    assert Dictionary.objects.get(pk=dictionary.pk).rules.count() == 2
    page.click("input[name=_continue]")

    expect(page.locator(".messagelist")).to_contain_text("Saved ")
    assert _matches(dictionary) == ["word0", "word1", *[f"term{i}" for i in range(49)]]
    assert dictionary.rules.get(match="word1").value == "replacement 1"


def test_a_spreadsheet_paste_with_a_header_and_notes_adds_only_what_it_shows(
    shots: Path, page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    """Issue 23: the header is skipped and said so; the notes column is shown as ignored on
    its line and never glued into a replacement."""
    dictionary = make_dictionary(organization, "brand")
    rows = [f"term{i}\tsay term {i}\tnote {i}" for i in range(28)]
    text = "\r\n".join(
        ["Word\tSay it as\tNotes", "OTP\toh tee pee\tnote: one-time password", *rows]
    )
    _open(page, live_server, dictionary)

    page.click(".paste-open[data-mode=rewrite]")
    page.fill("#paste-text", text)
    page.click("#paste-check")

    expect(page.locator("#paste-summary")).to_have_text(
        "Line 1 is a header: skipped. 29 lines: 29 will be added or changed."
    )
    header = page.locator("#paste-lines tr.paste-header")
    expect(header).to_contain_text("Header, skipped")
    otp = page.locator("#paste-lines tr", has_text="OTP")
    expect(otp.locator("td").nth(2)).to_have_text("oh tee pee")
    expect(otp).to_contain_text("Column 3 (“Notes”) ignored: “note: one-time password”")
    page.screenshot(path=str(shots / "change-page-paste-header.png"))

    page.click("#paste-add")
    expect(page.locator(REWRITE_ROWS)).to_have_count(31)
    page.click("input[name=_continue]")

    expect(page.locator(".messagelist")).to_contain_text("Saved brand as revision 2.")
    matches = _matches(dictionary)
    assert "Word" not in matches
    assert matches[2:4] == ["OTP", "term0"]
    assert dictionary.rules.get(match="OTP").value == "oh tee pee"
    assert not dictionary.rules.filter(value__contains="note").exists()


def test_a_dragged_rule_is_saved_where_it_was_dropped(
    page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    rules = [{"match": m, "replace": m.lower()} for m in ("ALPHA", "BRAVO", "CHARLIE")]
    dictionary = make_dictionary(organization, "brand", modes={"rewrite": {"rules": rules}})
    _open(page, live_server, dictionary)
    rows = page.locator(REWRITE_ROWS)

    rows.nth(2).locator(".drag-handle").drag_to(rows.nth(0), target_position={"x": 200, "y": 3})

    for index, match in enumerate(["CHARLIE", "ALPHA", "BRAVO"]):
        expect(rows.nth(index).locator(".rule-match")).to_have_value(match)
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("Saved ")
    assert _matches(dictionary) == ["CHARLIE", "ALPHA", "BRAVO"]
    assert list(dictionary.rules.order_by("position").values_list("position", flat=True)) == [
        0,
        1,
        2,
    ]


def test_a_duplicate_is_shown_on_its_row_in_plain_words_before_and_after_saving(
    shots: Path, page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    modes = {"rewrite": {"rules": [{"match": "ACH", "replace": "ay see aitch"}]}}
    dictionary = make_dictionary(organization, "brand", modes=modes)
    plain = "“ach” appears twice in Rewrite rules: “ACH” above is the same match"
    _open(page, live_server, dictionary)

    page.click(".add-rule[data-mode=rewrite]")
    added = page.locator(REWRITE_ROWS).nth(1)
    count = page.locator("[data-count-for=rewrite]")
    expect(count).to_have_text("1")  # a blank row is no rule yet
    added.locator(".rule-match").press_sequentially("ach")
    expect(count).to_have_text("2")  # issue 23: the tab counts while typing
    added.locator(".rule-value").fill("ach")
    expect(added.locator(".row-problems[data-for=match]")).to_contain_text(plain)  # as you type
    expect(added).to_have_class("rule-row has-error")
    page.click("input[name=_continue]")

    added = page.locator(REWRITE_ROWS).nth(1)
    expect(added.locator(".row-problems[data-for=match]")).to_contain_text(plain)
    expect(page.locator(".errornote, .errorlist.nonfield")).to_contain_text(
        ["1 rule needs fixing: see the row marked in red."]
    )
    expect(page.locator(REWRITE_ROWS).nth(0).locator(".row-problems")).to_have_text(["", ""])
    content = page.locator("#content").inner_text()
    assert "rules[" not in content
    assert "modes." not in content
    page.screenshot(path=str(shots / "change-page-errors.png"), full_page=True)
    dictionary.refresh_from_db()
    assert dictionary.revision == 1

    added.locator(".rule-match").fill("SLNG")  # fixed, but now a warning (lint) on the row
    added.locator(".rule-value").fill("slng")
    expect(added.locator(".row-problems[data-for=value]")).to_have_text(
        "“SLNG” is replaced by itself, so this rule changes nothing."
    )
    expect(added).to_have_class("rule-row has-warning")


def test_filtering_shows_only_the_rules_that_hold_the_text(
    page: Page, live_server: Any, editor: User, organization: Organization
) -> None:
    dictionary = make_dictionary(organization, "brand", rules=30)
    _open(page, live_server, dictionary)

    page.fill("#rule-filter", "word2")

    expect(page.locator(f"{REWRITE_ROWS}:visible")).to_have_count(11)
    visible = page.locator(f"{REWRITE_ROWS}:visible .rule-match")
    assert visible.evaluate_all("inputs => inputs.map(i => i.value)") == [
        "word2",
        *[f"word2{i}" for i in range(10)],
    ]
    expect(page.locator("#rule-filter-count")).to_have_text(
        "11 of 30 rules match (rewrite 11, IPA 0)"
    )

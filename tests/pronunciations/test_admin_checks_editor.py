"""Issue 14 item 5: the change page's checks editor and comment. Checks are shown with their
results, saved with the rules and the comment in one revision, run live by the preview endpoint
against the page's unsaved rules, and their problems are worded on the form."""

from typing import Any

import pytest
from django.test import Client

from orgs.models import Organization, Role
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_update
from tests.factories import make_dictionary, staff_client

pytestmark = pytest.mark.django_db

PREVIEW = "/admin/pronunciations/dictionary/preview/"
MODES = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}
CHECKS = [
    {"text": "Pay with QubePay", "expect": "Pay with cube pay"},
    {"text": "QubePays", "expect": "cube pays", "note": "only whole words match"},
]


@pytest.fixture
def brand(organization: Organization) -> Dictionary:
    return make_dictionary(organization, "brand", modes=MODES, checks=CHECKS)


@pytest.fixture
def linguist(organization: Organization) -> Client:
    return staff_client(organization, Role.EDITOR)


def _url(dictionary: Dictionary) -> str:
    return f"/admin/pronunciations/dictionary/{dictionary.pk}/change/"


def _form(dictionary: Dictionary, **extra: Any) -> dict[str, Any]:
    return {
        "etag": dictionary.etag,
        "metadata": "",
        "rewrite_match": ["QubePay"],
        "rewrite_value": ["cube pay"],
        **extra,
    }


def _checks_form(rows: list[tuple[str, str, str]], **extra: Any) -> dict[str, Any]:
    return {
        "check-present": "1",
        "check-text": [row[0] for row in rows],
        "check-expect": [row[1] for row in rows],
        "check-note": [row[2] for row in rows],
        **extra,
    }


def test_the_change_page_shows_each_check_with_its_result(
    brand: Dictionary, linguist: Client
) -> None:
    page = linguist.get(_url(brand)).content.decode()

    assert 'id="checks-panel"' in page
    assert "1 of 2 pass" in page
    assert 'value="Pay with QubePay"' in page
    assert 'value="only whole words match"' in page
    assert page.count("✓ passes") == 1
    assert page.count("✗ fails") == 1
    assert 'The model receives: <q class="check-got">QubePays</q>' in page
    assert 'name="check-present"' in page
    assert 'name="comment"' in page


def test_a_viewer_sees_the_checks_read_only(brand: Dictionary, organization: Organization) -> None:
    page = staff_client(organization, Role.VIEWER, "reader").get(_url(brand)).content.decode()

    assert '<div class="check-text-read">Pay with QubePay</div>' in page
    assert 'name="check-text"' not in page
    assert 'name="check-present"' not in page
    assert 'name="comment"' not in page


def test_saving_stores_the_checks_and_the_comment_with_the_rules_in_one_revision(
    brand: Dictionary, linguist: Client
) -> None:
    rows = [
        ("QubePays", "QubePays", "plural stays"),
        ("", "", ""),
        ("Hi QubePay", "Hi cube pay", ""),
    ]
    data = _form(brand, **_checks_form(rows), comment="plural is not a brand")
    data["rewrite_value"] = ["cube pay"]

    response = linguist.post(_url(brand), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    revision = brand.revisions.get(number=2)
    assert revision.comment == "plural is not a brand"
    assert revision.author == "linguist"
    assert revision.snapshot["checks"] == [
        {"text": "QubePays", "expect": "QubePays", "note": "plural stays"},
        {"text": "Hi QubePay", "expect": "Hi cube pay"},
    ]
    assert revision.checks_failed == 0


def test_a_form_without_the_checks_editor_keeps_the_checks(
    brand: Dictionary, linguist: Client
) -> None:
    data = _form(brand, comment="rules only")
    data["rewrite_value"] = ["queue pay"]

    assert linguist.post(_url(brand), data).status_code == 302

    revision = brand.revisions.get(number=2)
    assert revision.snapshot["checks"] == CHECKS
    assert revision.checks_failed == 2


def test_removing_every_check_saves_none(brand: Dictionary, linguist: Client) -> None:
    assert linguist.post(_url(brand), _form(brand, **_checks_form([]))).status_code == 302
    assert "checks" not in brand.revisions.get(number=2).snapshot


def test_refused_checks_are_worded_on_the_form_and_nothing_is_saved(
    brand: Dictionary, linguist: Client
) -> None:
    rows = [("Hello", "Hi", ""), ("Hello", "", "")]

    page = linguist.post(_url(brand), _form(brand, **_checks_form(rows))).content.decode()

    assert "1 check needs fixing: see the check marked in red." in page
    assert "Check 2 has the same sentence as check 1: keep one of them." in page
    assert "The expected text of check 2 must not be empty or whitespace only." in page
    assert page.count('value="Hello"') == 2
    brand.refresh_from_db()
    assert brand.revision == 1


def test_a_long_comment_is_refused_next_to_the_field(brand: Dictionary, linguist: Client) -> None:
    page = linguist.post(_url(brand), _form(brand, comment="x" * 501)).content.decode()
    assert "Ensure this value has at most 500 characters (it has 501)." in page
    brand.refresh_from_db()
    assert brand.revision == 1


def _preview(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(PREVIEW, body, content_type="application/json")
    assert response.status_code == 200, response.content
    answer: dict[str, Any] = response.json()
    return answer


def test_the_preview_runs_the_pages_checks_against_the_pages_unsaved_rules(
    linguist: Client,
) -> None:
    modes = {"rewrite": {"rules": [{"match": "QubePay", "replace": "queue pay"}]}}
    checks = [
        {"text": "Pay with QubePay", "expect": "Pay with cube pay"},
        {"text": "QubePay now", "expect": "queue pay now"},
        {"text": "   ", "expect": "x"},
        {"text": "QubePay now", "expect": "queue pay now"},
    ]

    answer = _preview(linguist, {"text": "", "modes": modes, "checks": checks})

    assert answer["checks"] == {
        "results": [
            {
                "got": "Pay with queue pay",
                "passed": False,
                "problems": [],
                # Issue 23 item 6: the difference by word, and the rule that fired there.
                "explain": {
                    "expected": [
                        ["Pay", False],
                        [" ", False],
                        ["with", False],
                        [" ", False],
                        ["cube", True],
                        [" ", False],
                        ["pay", False],
                    ],
                    "got": [
                        ["Pay", False],
                        [" ", False],
                        ["with", False],
                        [" ", False],
                        ["queue", True],
                        [" ", False],
                        ["pay", False],
                    ],
                    "rules": ["QubePay → queue pay"],
                },
            },
            {"got": "queue pay now", "passed": True, "problems": [], "explain": None},
            {
                "got": None,
                "passed": None,
                "problems": ["The sentence of check 3 must not be empty or whitespace only."],
                "explain": None,
            },
            {
                "got": "queue pay now",
                "passed": True,
                "problems": ["Check 4 has the same sentence as check 2: keep one of them."],
                "explain": None,
            },
        ],
        "general": [],
    }


def test_the_preview_runs_no_checks_while_the_rules_need_fixing(linguist: Client) -> None:
    modes = {"rewrite": {"rules": [{"match": "QubePay", "replace": ""}]}}
    answer = _preview(linguist, {"text": "", "modes": modes, "checks": CHECKS})
    assert answer["checks"] is None
    assert answer["left_out"] == 1


def test_an_unfinished_ipa_row_does_not_blank_the_preview(linguist: Client) -> None:
    """Issue 23: the preview runs on the finished rules and says which are left out."""
    modes = {
        "rewrite": {"rules": [{"match": "QubePay", "replace": "kyoob pay"}]},
        "ipa": {"rules": [{"match": "tomato", "ipa": ""}]},
    }
    answer = _preview(linguist, {"text": "Pay with QubePay", "modes": modes})

    assert (answer["text"], answer["left_out"]) == ("Pay with kyoob pay", 1)
    assert [(p["mode"], p["index"], p["level"]) for p in answer["problems"]] == [
        ("ipa", 0, "error")
    ]


def test_rules_that_are_wrong_as_a_whole_still_stop_the_preview(linguist: Client) -> None:
    rules = [{"match": f"w{i}", "replace": "r"} for i in range(257)]
    answer = _preview(linguist, {"text": "w1", "modes": {"rewrite": {"rules": rules}}})

    assert (answer["text"], answer["left_out"]) == (None, 0)
    assert answer["general"]


def test_the_preview_words_checks_that_are_not_a_list(linguist: Client) -> None:
    answer = _preview(linguist, {"text": "", "modes": MODES, "checks": {"text": "x"}})
    assert answer["checks"] == {
        "results": [],
        "general": ["The checks must be an array of checks."],
    }


def test_a_preview_without_checks_answers_none_for_them(linguist: Client) -> None:
    assert _preview(linguist, {"text": "QubePay", "modes": MODES})["checks"] is None


def test_the_change_page_costs_the_same_queries_for_few_or_many_checks(
    organization: Organization, linguist: Client, django_assert_max_num_queries: Any
) -> None:
    few = make_dictionary(organization, "few", modes=MODES, checks=CHECKS)
    many = make_dictionary(organization, "many", modes=MODES)
    dictionary_update(
        organization=organization,
        name="many",
        partial=True,
        checks=[{"text": f"QubePay {i}", "expect": f"cube pay {i}"} for i in range(256)],
    )
    linguist.get(_url(few))  # warm the session
    with django_assert_max_num_queries(40) as first:
        linguist.get(_url(few))
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = linguist.get(_url(many)).content.decode()
    assert "256 of 256 pass" in page

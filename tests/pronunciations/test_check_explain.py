"""Issue 23 item 6: a failing check explains itself: expected and got compared by word, the
differing words marked, and the rules that fired there named (or none: a rule is missing)."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from orgs.actors import Actor
from orgs.models import Organization, Role
from orgs.services import organization_configure
from pronunciations import preview, validation
from pronunciations.check_explain import explain
from tests.factories import make_dictionary, staff_user

RULES = {
    "rewrite": {
        "rules": [
            {"match": "QubePay", "replace": "cube pay"},
            {"match": "NAIC", "replace": "nake"},
        ]
    }
}


def _explained(text: str, expect: str) -> Any:
    modes = validation.validate_modes(RULES)
    return explain(expect, preview.rewrite(modes, text))


def _marked(pieces: list[tuple[str, bool]]) -> list[str]:
    return [text for text, differs in pieces if differs]


def test_the_differing_words_are_marked_and_the_rule_that_fired_there_is_named() -> None:
    why = _explained("QubePay and NAIC, today", "cube pay and N A I C, today")

    assert "".join(text for text, _ in why.got) == "cube pay and nake, today"
    assert _marked(why.expected) == ["N", " ", "A", " ", "I", " ", "C"]
    assert _marked(why.got) == ["nake"]
    assert why.rules == ["NAIC → nake"]  # QubePay fired too, but not where they differ


def test_a_difference_where_no_rule_fired_says_a_rule_may_be_missing() -> None:
    why = _explained("Pay with QP", "Pay with cue pee")

    assert _marked(why.got) == ["QP"]
    assert _marked(why.expected) == ["cue", " ", "pee"]
    assert why.rules == []


def test_missing_words_count_where_they_are_missing() -> None:
    why = _explained("QubePay", "cube pay app")

    assert _marked(why.expected) == [" ", "app"]
    assert _marked(why.got) == []
    assert why.rules == ["QubePay → cube pay"]


@pytest.mark.django_db
def test_the_review_page_marks_the_difference_and_names_the_rule(
    organization: Organization,
) -> None:
    organization_configure(organization=organization, review_required=True)
    author: User = staff_user("asha", organization, Role.EDITOR)
    make_dictionary(
        organization,
        "brand",
        modes=RULES,
        created_by=Actor.for_user(author),
        checks=[{"text": "Pay with QubePay", "expect": "Pay with queue pay"}],
    )
    client = Client()
    client.force_login(staff_user("rita", organization, Role.REVIEWER))

    page = client.get("/admin/pronunciations/dictionary/review/").content.decode()

    assert '<mark class="check-diff-expected">queue</mark>' in page
    assert '<mark class="check-diff-got">cube</mark>' in page
    assert "Rule that fired there: QubePay → cube pay" in page

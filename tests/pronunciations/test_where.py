"""Where is this word? The engine's candidates, each rule's outcome, and the admin page."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from orgs.models import Organization, Role
from pronunciations import engine, where
from pronunciations.models import Mode
from tests.factories import make_dictionary, rewrite_rules, staff_client

URL = "/admin/pronunciations/dictionary/where/"
ACH = [
    {"match": "ACH", "replace": "ay see aitch"},
    {"match": "ACH transfer", "replace": "ay see aitch transfer"},
    {"match": "transfer", "replace": "trans fur"},
]


def _explain(rules: list[dict[str, str]], text: str) -> list[tuple[str, str, str]]:
    rewrite = engine.Matcher([engine.Rule(r["match"], r["replace"]) for r in rules])
    result = rewrite.rewrite(text)
    hits = where.explain(text, result, rewrite, engine.Matcher([]))
    return [(hit.match, text[hit.start : hit.end], hit.outcome) for hit in hits]


def test_the_longest_match_fires_and_the_rules_it_beat_say_why() -> None:
    hits = _explain(ACH, "Pay by ach transfer")

    assert hits == [
        ("ACH", "ach", where.LONGER),
        ("ACH transfer", "ach transfer", where.APPLIED),
        ("transfer", "transfer", where.COVERED),
    ]


def test_a_match_glued_to_a_longer_word_loses_on_the_boundary() -> None:
    rewrite = engine.Matcher([engine.Rule("ACH", "ay see aitch")])
    text = "Two ACHs and one ACH"
    result = rewrite.rewrite(text)

    first, second = where.explain(text, result, rewrite, engine.Matcher([]))

    assert (first.outcome, text[first.end]) == (where.BOUNDARY, "s")
    assert "“s” follows it here" in first.reason
    assert (second.outcome, second.start) == (where.APPLIED, 17)


def test_ipa_rules_are_listed_as_stored_not_applied() -> None:
    ipa = engine.Matcher([engine.Rule("SLNG", "slɪŋ")])
    rewrite = engine.Matcher([])
    text = "I like SLNG"

    [hit] = where.explain(text, rewrite.rewrite(text), rewrite, ipa)

    assert (hit.mode, hit.value, hit.outcome) == (Mode.IPA, "slɪŋ", where.STORED)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "ab", "b a", "ba", "abc", "A B"]), unique=True, max_size=5),
    st.text(alphabet="abcAB -", max_size=30),
)
def test_every_applied_rule_is_a_candidate_on_boundaries(matches: list[str], text: str) -> None:
    matcher = engine.Matcher([engine.Rule(m, f"<{m}>") for m in matches])
    found = {
        (c.index, c.start, c.end)
        for c in matcher.candidates(text, limit=10_000)
        if c.left_ok and c.right_ok
    }
    applied = {(a.index, a.start, a.end) for a in matcher.rewrite(text).applied}
    assert applied <= found
    hits = where.explain(text, matcher.rewrite(text), matcher, engine.Matcher([]))
    assert {h.outcome for h in hits} <= {where.APPLIED, where.LONGER, where.COVERED, where.BOUNDARY}
    assert sum(h.outcome == where.APPLIED for h in hits) == len(applied)


def test_marked_and_snippet_show_spans_as_highlights_not_offsets() -> None:
    assert where.marked("Pay ACH now", [(4, 7)]) == [
        ("Pay ", False),
        ("ACH", True),
        (" now", False),
    ]
    assert where.snippet("x" * 30 + "ACH" + "y" * 30, 30, 33) == (
        "…" + "x" * 24,
        "ACH",
        "y" * 24 + "…",
    )


def _client(organization: Organization, role: str = Role.VIEWER) -> Client:
    return staff_client(organization, role, "reader")


@pytest.mark.django_db
def test_the_page_finds_a_word_in_each_dictionary_of_the_users_organizations_only(
    organization: Organization, other_organization: Organization
) -> None:
    make_dictionary(organization, "payments", modes={"rewrite": {"rules": ACH}})
    make_dictionary(
        organization, "support", modes={"rewrite": {"rules": [ACH[0]]}}, metadata={"x": 1}
    )
    make_dictionary(organization, "unrelated", rules=3)
    make_dictionary(other_organization, "secret-payments", modes={"rewrite": {"rules": ACH}})

    page = _client(organization).get(URL, {"q": "Pay by ACH transfer"}).content.decode()

    assert "Found in 2 of 3 dictionaries." in page
    assert "secret-payments" not in page
    assert "ay see aitch transfer" in page
    assert "also starts here and is longer: the longest match wins" in page
    assert "#rule=rewrite%3AACH%20transfer" in page
    assert "1 dictionary has no rule for this text" in page


@pytest.mark.django_db
def test_the_page_reads_a_fixed_number_of_queries_whatever_the_rule_count(
    organization: Organization,
) -> None:
    client = _client(organization)
    make_dictionary(organization, "small", rules=2)
    engine._cache.clear()  # compiled by no earlier test: both searches read the snapshots
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, {"q": "word1 and word255"}).status_code == 200
    for name in ("big-a", "big-b"):
        make_dictionary(organization, name, modes={"rewrite": {"rules": rewrite_rules(256)}})
    engine._cache.clear()
    with CaptureQueriesContext(connection) as big:
        page = client.get(URL, {"q": "word1 and word255"}).content.decode()

    assert "Found in 3 of 3 dictionaries." in page
    assert len(big) == len(small)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"q": "x" * 1001}, "must be at most 1000 characters, got 1001"),
        ({"q": "   "}, "type a word or a sentence"),
        ({"q": "ACH", "organization": "abc"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_a_message_on_the_form_not_an_error_page(
    organization: Organization, params: dict[str, str], problem: str
) -> None:
    response = _client(organization).get(URL, params)

    assert response.status_code == 200
    assert problem in response.content.decode()


@pytest.mark.django_db
def test_a_user_without_an_organization_may_not_search() -> None:
    user = User.objects.create_user("loner", password="pw-for-tests", is_staff=True)
    client = Client()
    client.force_login(user)

    assert client.get(URL, {"q": "ACH"}).status_code == 403

"""Issue 23: "Where is this word?" offers rules written almost like the text ("did you mean")."""

import pytest
from django.test import Client

from orgs.models import Organization, Role
from pronunciations.near import MAX_FOUND, NearIndex, allowed_distance, spelling_key
from tests.factories import make_dictionary, rewrite_rules, staff_client

URL = "/admin/pronunciations/dictionary/where/"


def _near(matches: list[str], text: str) -> list[tuple[str, str, int]]:
    return [(n.item, n.typed, n.distance) for n in NearIndex((m, m) for m in matches).near(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pay with Qube Pay today", [("QubePay", "Qube Pay", 0)]),
        ("qube-pay", [("QubePay", "qube-pay", 0)]),
        ("QUBEPAY!", [("QubePay", "QUBEPAY", 0)]),
        ("Pay with Qbue Pay", [("QubePay", "Qbue Pay", 1)]),  # two letters swapped
        ("Pay with Kube Pay", [("QubePay", "Kube Pay", 1)]),
        ("Pay with Kub Pey", []),  # three letters apart: too far for seven letters
        ("the NAC report", []),  # three letters: only case, spaces and hyphens may differ
        ("the N.A.I.C. report", [("NAIC", "N.A.I.C.", 0)]),
    ],
)
def test_near_spellings_differ_by_spaces_case_hyphens_or_a_few_letters(
    text: str, expected: list[tuple[str, str, int]]
) -> None:
    assert _near(["QubePay", "NAIC", "unrelated"], text) == expected


def test_the_allowed_distance_grows_with_length() -> None:
    assert [allowed_distance(n) for n in (3, 4, 5, 9, 10, 40)] == [0, 0, 1, 1, 2, 2]
    assert spelling_key("Qube\u2011Pay_v2") == "qubepayv2"


def test_a_word_a_rule_found_as_typed_is_not_offered_its_neighbours() -> None:
    index = NearIndex((m, m) for m in ["word1", "word2", "Word-1"])

    assert [(n.item, n.distance) for n in index.near("word1", frozenset({"word1"}))] == [
        ("word1", 0),
        ("Word-1", 0),
    ]


def test_the_list_is_bounded() -> None:
    index = NearIndex(("QubePay", i) for i in range(100))

    assert len(index.near("qubepay")) == MAX_FOUND


@pytest.mark.django_db
def test_the_page_offers_did_you_mean_for_a_rule_spelled_without_the_space(
    organization: Organization, other_organization: Organization
) -> None:
    make_dictionary(
        organization,
        "brands",
        modes={"rewrite": {"rules": [{"match": "QubePay", "replace": "kyoob pay"}]}},
    )
    make_dictionary(organization, "big", modes={"rewrite": {"rules": rewrite_rules(256)}})
    make_dictionary(
        other_organization,
        "secret",
        modes={"rewrite": {"rules": [{"match": "Qube-Pay", "replace": "secret sound"}]}},
    )
    client: Client = staff_client(organization, Role.VIEWER, "reader")

    page = client.get(URL, {"q": "Customers say Qube Pay"}).content.decode()

    assert "No rule of the 2 dictionaries read matches this text." in page
    assert "Did you mean…" in page
    assert "QubePay → kyoob pay" in page
    assert "the same letters, with other spaces, capitals or hyphens" in page
    assert "#rule=rewrite%3AQubePay" in page
    assert "?q=QubePay" in page
    assert "secret sound" not in page

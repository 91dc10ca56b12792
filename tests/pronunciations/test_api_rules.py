"""Issue 16 item 4: one rule at a time, GET, PUT and DELETE of …/{name}/rules/{mode}/{match}."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.api.bodies import cache
from pronunciations.models import Dictionary, Revision
from tests.factories import make_dictionary

URL = "/v1/pronunciation/dictionaries"
RULES = f"{URL}/brand/rules"
MODES = {
    "rewrite": {
        "rules": [
            {"match": "QubePay", "replace": "cube pay"},
            {"match": "ACH transfer", "replace": "ay see aitch transfer"},
            {"match": "24/7", "replace": "twenty four seven"},
            {"match": "नमस्ते", "replace": "namaste"},
        ]
    },
    "ipa": {"rules": [{"match": "SLNG", "ipa": "slɪŋ"}]},
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand(organization: Organization) -> Dictionary:
    return make_dictionary(organization, "brand", modes=MODES, metadata={"language": "en-US"})


def _error(response: Any, status: int, code: str, error: str, **extra: Any) -> None:
    assert response.status_code == status
    body = response.json()
    assert body.pop("slng_request_id").startswith("req_")
    assert body == {"code": code, "error": error, **extra}


def _rules(api: APIClient, mode: str = "rewrite") -> list[dict[str, str]]:
    return api.get(f"{URL}/brand").json()["modes"].get(mode, {"rules": []})["rules"]


def _revisions(dictionary: Dictionary) -> list[tuple[int, str]]:
    return list(
        Revision.objects.filter(dictionary=dictionary)
        .order_by("number")
        .values_list("number", "comment")
    )


# -- GET ---------------------------------------------------------------------------------------


def test_get_answers_the_rule_its_position_and_the_revision(
    api: APIClient, brand: Dictionary
) -> None:
    response = api.get(f"{RULES}/rewrite/QubePay")

    assert response.status_code == 200
    assert response.json() == {
        "dictionary": "brand",
        "mode": "rewrite",
        "match": "QubePay",
        "replace": "cube pay",
        "position": 0,
        "revision": 1,
    }
    assert response["ETag"] == api.get(f"{URL}/brand")["ETag"]


def test_get_of_an_ipa_rule_answers_its_ipa(api: APIClient, brand: Dictionary) -> None:
    body = api.get(f"{RULES}/ipa/slng").json()

    assert body == {
        "dictionary": "brand",
        "mode": "ipa",
        "match": "SLNG",
        "ipa": "slɪŋ",
        "position": 0,
        "revision": 1,
    }


@pytest.mark.parametrize(
    ("path", "match", "position"),
    [
        ("QUBEPAY", "QubePay", 0),
        ("qubepay", "QubePay", 0),
        ("ach%20%20Transfer", "ACH transfer", 1),
        ("ACH%09transfer", "ACH transfer", 1),
        ("24%2F7", "24/7", 2),
        ("24/7", "24/7", 2),
        ("%E0%A4%A8%E0%A4%AE%E0%A4%B8%E0%A5%8D%E0%A4%A4%E0%A5%87", "नमस्ते", 3),
    ],
)
def test_get_finds_the_match_by_the_key_validation_compares(
    api: APIClient, brand: Dictionary, path: str, match: str, position: int
) -> None:
    """Percent-encoded, case-variant and whitespace-variant spellings find the same rule."""
    body = api.get(f"{RULES}/rewrite/{path}").json()

    assert (body["match"], body["position"]) == (match, position)


def test_get_of_a_rule_the_mode_does_not_have_is_404(api: APIClient, brand: Dictionary) -> None:
    _error(
        api.get(f"{RULES}/ipa/QubePay"),
        404,
        "pronunciation_not_found",
        "Rule not found in the ipa mode of pronunciation dictionary brand: QubePay",
    )


def test_get_in_a_mode_without_rules_is_404(api: APIClient, organization: Organization) -> None:
    make_dictionary(organization, "plain")

    _error(
        api.get(f"{URL}/plain/rules/ipa/word0"),
        404,
        "pronunciation_not_found",
        "Rule not found in the ipa mode of pronunciation dictionary plain: word0",
    )


def test_get_of_an_unknown_dictionary_is_404(api: APIClient) -> None:
    _error(
        api.get(f"{URL}/nope/rules/rewrite/x"),
        404,
        "pronunciation_not_found",
        "Pronunciation dictionary not found: nope",
    )


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_an_unsupported_mode_is_a_400_naming_the_parameter(
    api: APIClient, brand: Dictionary, method: str
) -> None:
    response = getattr(api, method)(f"{RULES}/phoneme/QubePay", {"replace": "x"}, format="json")

    _error(
        response,
        400,
        "invalid_pronunciation",
        "mode: must be one of rewrite, ipa",
        fieldErrors={"mode": ["must be one of rewrite, ipa"]},
    )


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("%20%20", "must not be empty or whitespace only"),
        ("a" * 129, "must be at most 128 characters"),
    ],
)
def test_a_match_that_no_rule_can_have_is_a_400_naming_it(
    api: APIClient, brand: Dictionary, path: str, problem: str
) -> None:
    _error(
        api.get(f"{RULES}/rewrite/{path}"),
        400,
        "invalid_pronunciation",
        f"match: {problem}",
        fieldErrors={"match": [problem]},
    )


# -- PUT ---------------------------------------------------------------------------------------


def test_put_of_a_new_match_adds_it_last_with_201(api: APIClient, brand: Dictionary) -> None:
    response = api.put(f"{RULES}/rewrite/B2B", {"replace": "bee to bee"}, format="json")

    assert response.status_code == 201
    assert response.json() == {
        "dictionary": "brand",
        "mode": "rewrite",
        "match": "B2B",
        "replace": "bee to bee",
        "position": 4,
        "revision": 2,
    }
    assert (
        response["Location"]
        == "http://testserver/v1/pronunciation/dictionaries/brand/rules/rewrite/B2B"
    )
    assert response["ETag"] == api.get(f"{URL}/brand")["ETag"]
    assert response["ETag"].startswith('"r2-')
    assert _rules(api)[-1] == {"match": "B2B", "replace": "bee to bee"}
    assert _revisions(brand) == [(1, ""), (2, "added rewrite rule B2B")]


def test_a_match_with_url_characters_round_trips_through_location(
    api: APIClient, brand: Dictionary
) -> None:
    response = api.put(f"{RULES}/rewrite/50%25%20off%3F%20%231", {"replace": "x"}, format="json")

    assert (response.status_code, response.json()["match"]) == (201, "50% off? #1")
    location = response["Location"]
    assert location.endswith("/brand/rules/rewrite/50%25%20off%3F%20%231")
    assert api.get(location).json()["match"] == "50% off? #1"


def test_put_of_an_existing_match_changes_its_value_in_place_with_200(
    api: APIClient, brand: Dictionary
) -> None:
    response = api.put(
        f"{RULES}/rewrite/ach%20TRANSFER",
        {"replace": "A C H transfer", "comment": "spell it out"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {
        "dictionary": "brand",
        "mode": "rewrite",
        "match": "ACH transfer",
        "replace": "A C H transfer",
        "position": 1,
        "revision": 2,
    }
    assert "Location" not in response
    assert _rules(api)[1] == {"match": "ACH transfer", "replace": "A C H transfer"}
    assert len(_rules(api)) == 4
    assert _revisions(brand)[-1] == (2, "spell it out")
    assert Revision.objects.get(dictionary=brand, number=2).author == "production-key"


def test_put_with_a_body_match_respells_the_rule(api: APIClient, brand: Dictionary) -> None:
    response = api.put(
        f"{RULES}/rewrite/qubepay", {"match": "Qubepay", "replace": "cube pay"}, format="json"
    )

    assert (response.status_code, response.json()["match"]) == (200, "Qubepay")
    assert _rules(api)[0] == {"match": "Qubepay", "replace": "cube pay"}


def test_put_with_a_position_moves_the_rule(api: APIClient, brand: Dictionary) -> None:
    response = api.put(
        f"{RULES}/rewrite/QubePay", {"replace": "cube pay", "position": 3}, format="json"
    )

    assert response.json()["position"] == 3
    assert [rule["match"] for rule in _rules(api)] == ["ACH transfer", "24/7", "नमस्ते", "QubePay"]


def test_put_of_a_new_match_with_a_position_inserts_it_there(
    api: APIClient, brand: Dictionary
) -> None:
    response = api.put(f"{RULES}/rewrite/NAIC", {"replace": "en ay", "position": 0}, format="json")

    assert (response.status_code, response.json()["position"]) == (201, 0)
    assert [rule["match"] for rule in _rules(api)][:2] == ["NAIC", "QubePay"]


def test_put_of_an_ipa_rule_into_a_dictionary_without_ipa_adds_the_mode(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "plain", rules=1)

    response = api.put(f"{URL}/plain/rules/ipa/word0", {"ipa": "wɜːd"}, format="json")

    assert response.status_code == 201
    modes = api.get(f"{URL}/plain").json()["modes"]
    assert modes == {
        "rewrite": {"rules": [{"match": "word0", "replace": "replacement 0"}]},
        "ipa": {"rules": [{"match": "word0", "ipa": "wɜːd"}]},
    }


def test_an_unchanged_put_answers_200_and_records_nothing(
    api: APIClient, brand: Dictionary
) -> None:
    etag = api.get(f"{URL}/brand")["ETag"]

    with_position = api.put(
        f"{RULES}/rewrite/QUBEPAY", {"replace": "cube pay", "position": 0}, format="json"
    )
    without = api.put(f"{RULES}/rewrite/QubePay", {"replace": "cube pay"}, format="json")

    for response in (with_position, without):
        assert response.status_code == 200
        assert response["ETag"] == etag
        assert response.json()["revision"] == 1
    assert _revisions(brand) == [(1, "")]


@pytest.mark.parametrize(
    ("path", "body", "field_errors"),
    [
        ("rewrite/QubePay", {"replace": ""}, {"replace": ["must not be empty or whitespace only"]}),
        (
            "rewrite/QubePay",
            {"ipa": "kjuːb"},
            {"replace": ["is required and must be a string"], "ipa": ["rewrite rules have no ipa"]},
        ),
        (
            "ipa/SLNG",
            {"replace": "slang"},
            {
                "ipa": ["is required and must be a string"],
                "replace": ["ipa rules have no replace"],
            },
        ),
        (
            "rewrite/QubePay",
            {"replace": "x" * 257},
            {"replace": ["must be at most 256 characters"]},
        ),
        (
            "rewrite/QubePay",
            {"replace": "a\x00b"},
            {"replace": ["must not contain control characters or unpaired surrogates (U+0000)"]},
        ),
        (
            "rewrite/%20QubePay",
            {"replace": "x"},
            {"match": ["must not start or end with whitespace"]},
        ),
        (
            "rewrite/QubePay",
            {"replace": "x", "match": "QuickPay"},
            {
                "match": [
                    "must be the path's match, in any case or spacing (to rename a rule, delete it "
                    "and add the new one)"
                ]
            },
        ),
        (
            "rewrite/QubePay",
            {"replace": "x", "position": -1},
            {"position": ["must be a whole number from 0"]},
        ),
        (
            "rewrite/QubePay",
            {"replace": "x", "position": "1"},
            {"position": ["must be a whole number from 0"]},
        ),
        (
            "rewrite/QubePay",
            {"replace": "x", "position": 4},
            {"position": ["must be a whole number from 0 to 3"]},
        ),
        (
            "rewrite/NAIC",
            {"replace": "x", "position": 5},
            {"position": ["must be a whole number from 0 to 4"]},
        ),
        ("rewrite/QubePay", {"replace": "x", "comment": 5}, {"comment": ["must be a string"]}),
    ],
)
def test_put_validates_the_rule_like_a_dictionary_and_changes_nothing(
    api: APIClient,
    brand: Dictionary,
    path: str,
    body: dict[str, Any],
    field_errors: dict[str, list[str]],
) -> None:
    before = api.get(f"{URL}/brand").json()

    response = api.put(f"{RULES}/{path}", body, format="json")

    _error(
        response,
        400,
        "invalid_pronunciation",
        "Invalid pronunciation dictionary.",
        fieldErrors=field_errors,
    )
    assert api.get(f"{URL}/brand").json() == before


def test_put_refuses_a_body_that_is_not_an_object(api: APIClient, brand: Dictionary) -> None:
    response = api.put(f"{RULES}/rewrite/QubePay", ["cube pay"], format="json")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {"body": ["request body must be a JSON object"]}


def test_put_past_the_rule_limit_of_a_mode_is_refused(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "full", rules=256)

    response = api.put(f"{URL}/full/rules/rewrite/one-more", {"replace": "x"}, format="json")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {
        "modes.rewrite.rules": ["must have at most 256 rules, got 257"]
    }


# -- DELETE ------------------------------------------------------------------------------------


def test_delete_removes_the_rule_with_one_revision(api: APIClient, brand: Dictionary) -> None:
    response = api.delete(f"{RULES}/rewrite/24%2F7")

    assert response.status_code == 204
    assert response.content == b""
    assert response["ETag"] == api.get(f"{URL}/brand")["ETag"]
    assert response["ETag"].startswith('"r2-')
    assert [rule["match"] for rule in _rules(api)] == ["QubePay", "ACH transfer", "नमस्ते"]
    assert _revisions(brand) == [(1, ""), (2, "removed rewrite rule 24/7")]
    assert api.get(f"{RULES}/rewrite/24%2F7").status_code == 404


def test_deleting_the_last_ipa_rule_leaves_no_ipa_mode(api: APIClient, brand: Dictionary) -> None:
    assert api.delete(f"{RULES}/ipa/SLNG").status_code == 204

    assert "ipa" not in api.get(f"{URL}/brand").json()["modes"]


def test_delete_of_an_unknown_rule_is_404_and_records_nothing(
    api: APIClient, brand: Dictionary
) -> None:
    _error(
        api.delete(f"{RULES}/rewrite/B2B"),
        404,
        "pronunciation_not_found",
        "Rule not found in the rewrite mode of pronunciation dictionary brand: B2B",
    )
    assert _revisions(brand) == [(1, "")]


# -- If-Match, organizations, the change signal, the cached body -------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("put", "rewrite/QubePay", {"replace": "kube pay"}),
        ("put", "rewrite/B2B", {"replace": "bee to bee"}),
        ("delete", "rewrite/QubePay", None),
    ],
)
def test_a_stale_if_match_is_412_and_changes_nothing(
    api: APIClient, brand: Dictionary, method: str, path: str, body: Any
) -> None:
    stale = api.get(f"{URL}/brand")["ETag"]
    api.patch(f"{URL}/brand", {"metadata": {"by": "someone else"}}, format="json")
    current = api.get(f"{URL}/brand")

    response = getattr(api, method)(f"{RULES}/{path}", body, format="json", HTTP_IF_MATCH=stale)

    _error(
        response,
        412,
        "pronunciation_precondition_failed",
        f"Pronunciation dictionary brand has changed since you read it (current ETag "
        f"{current['ETag']}); reload it and apply your change again.",
    )
    assert api.get(f"{URL}/brand").json() == current.json()


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("put", "rewrite/QubePay", {"replace": "kube pay"}, 200),
        ("delete", "rewrite/QubePay", None, 204),
    ],
)
def test_the_current_etag_or_a_star_in_if_match_lets_the_write_through(
    api: APIClient, brand: Dictionary, method: str, path: str, body: Any, status: int
) -> None:
    etag = api.get(f"{RULES}/rewrite/QubePay")["ETag"]

    response = getattr(api, method)(f"{RULES}/{path}", body, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == status
    assert response["ETag"] != etag
    again = api.put(f"{RULES}/rewrite/NAIC", {"replace": "x"}, format="json", HTTP_IF_MATCH="*")
    assert again.status_code == 201


@pytest.mark.parametrize(
    ("method", "body"),
    [("get", None), ("put", {"replace": "mine now"}), ("delete", None)],
)
def test_another_organizations_dictionary_is_not_found(
    other_api: APIClient, api: APIClient, brand: Dictionary, method: str, body: Any
) -> None:
    before = api.get(f"{URL}/brand").json()

    response = getattr(other_api, method)(f"{RULES}/rewrite/QubePay", body, format="json")

    _error(response, 404, "pronunciation_not_found", "Pronunciation dictionary not found: brand")
    assert api.get(f"{URL}/brand").json() == before


def test_each_rule_write_announces_one_change_after_commit(
    api: APIClient,
    brand: Dictionary,
    django_capture_on_commit_callbacks: Any,
    announced: list[str],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        api.put(f"{RULES}/rewrite/B2B", {"replace": "bee"}, format="json")
        api.put(f"{RULES}/rewrite/B2B", {"replace": "bee"}, format="json")  # unchanged
        api.delete(f"{RULES}/rewrite/B2B")

    assert announced == ["updated", "updated"]


def test_the_cached_dictionary_body_follows_a_rule_write(api: APIClient, brand: Dictionary) -> None:
    """The body cache is keyed by (public_id, revision): a rule write bumps the revision, so
    the next GET and list show the new rule, revision and updated_at, never the cached body."""
    cache.clear()
    before = api.get(f"{URL}/brand").json()
    assert api.get(URL).json()["dictionaries"] == [before]

    api.put(f"{RULES}/rewrite/B2B", {"replace": "bee to bee"}, format="json")

    after = api.get(f"{URL}/brand").json()
    assert (before["revision"], after["revision"]) == (1, 2)
    assert after["updated_at"] > before["updated_at"]
    assert after["created_at"] == before["created_at"]
    assert after["modes"]["rewrite"]["rules"][-1] == {"match": "B2B", "replace": "bee to bee"}
    assert api.get(URL).json()["dictionaries"] == [after]

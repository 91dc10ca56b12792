"""Every status and body of SLNG's four dictionary operations, compared whole."""

import re
from typing import Any

import pytest
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.content import content_hash
from pronunciations.models import Mode
from pronunciations.validation import RuleSpec
from tests.factories import DICTIONARY_BODY_FIELDS, make_dictionary

URL = "/v1/pronunciation/dictionaries"
REQUEST_ID = re.compile(r"^req_[0-9A-Z]{26}$")
CREATED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

SPEC_EXAMPLE = {
    "name": "brand-pronunciations",
    "metadata": {"language": "hi-IN", "providers": ["sarvam", "cartesia"]},
    "modes": {
        "rewrite": {
            "rules": [
                {"match": "NAIC", "replace": "en ay eye see"},
                {"match": "B2B", "replace": "bee to bee"},
            ]
        },
        "ipa": {"rules": [{"match": "SLNG", "ipa": "slɪŋ"}]},
    },
}

pytestmark = pytest.mark.django_db


def _expected_hash(body: dict[str, Any]) -> str:
    modes = {
        Mode.REWRITE: tuple(
            RuleSpec(r["match"], r["replace"]) for r in body["modes"]["rewrite"]["rules"]
        ),
        Mode.IPA: tuple(RuleSpec(r["match"], r["ipa"]) for r in body["modes"]["ipa"]["rules"]),
    }
    return content_hash(modes)


def _without_generated(body: dict[str, Any]) -> dict[str, Any]:
    """Check the generated fields' formats and return the rest for a whole-body comparison."""
    assert re.fullmatch(r"pd_[0-9A-Z]{26}", body.pop("id"))
    assert CREATED_AT.fullmatch(body.pop("created_at"))
    assert CREATED_AT.fullmatch(body.pop("updated_at"))
    return body


def _error(response: Any, status: int, code: str, error: str, **extra: Any) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert REQUEST_ID.fullmatch(body.pop("slng_request_id"))
    assert body == {"code": code, "error": error, **extra}


def test_create_answers_201_with_the_whole_dictionary(
    api: APIClient, organization: Organization
) -> None:
    response = api.post(URL, SPEC_EXAMPLE, format="json")

    assert response.status_code == 201
    assert _without_generated(response.json()) == {
        "org_id": organization.public_id,
        "name": "brand-pronunciations",
        "normalized_name": "brand-pronunciations",
        "modes": SPEC_EXAMPLE["modes"],
        "content_hash": _expected_hash(SPEC_EXAMPLE),
        "metadata": SPEC_EXAMPLE["metadata"],
        "created_by_key_label": "production-key",
        # Lexicon's own fields, after SLNG's (issue 16): SLNG clients ignore them.
        "revision": 1,
    }


def test_create_answers_slngs_fields_first_and_lexicons_after(api: APIClient) -> None:
    """Issue 16 item 4: ``revision`` and ``updated_at`` are extra fields; SLNG's are unchanged."""
    body = api.post(URL, SPEC_EXAMPLE, format="json").json()

    assert list(body) == list(DICTIONARY_BODY_FIELDS)
    assert body["updated_at"] == body["created_at"]


def test_get_returns_what_create_returned(api: APIClient) -> None:
    created = api.post(URL, SPEC_EXAMPLE, format="json").json()

    response = api.get(f"{URL}/brand-pronunciations")

    assert response.status_code == 200
    assert response.json() == created


def test_get_and_delete_find_the_name_case_insensitively(api: APIClient) -> None:
    created = api.post(URL, {**SPEC_EXAMPLE, "name": "Brand.Names"}, format="json").json()

    assert api.get(f"{URL}/BRAND.names").json() == created
    assert created["normalized_name"] == "brand.names"
    assert api.delete(f"{URL}/brand.NAMES").status_code == 204


def test_list_is_ordered_by_name_and_not_paginated(api: APIClient) -> None:
    for name in ["zeta", "Alpha", "mid", "beta"]:
        api.post(URL, {"name": name, "modes": {"rewrite": {"rules": []}}}, format="json")

    response = api.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["dictionaries"]
    assert [d["name"] for d in body["dictionaries"]] == ["Alpha", "beta", "mid", "zeta"]


def test_list_of_an_empty_organization(api: APIClient) -> None:
    response = api.get(URL)

    assert response.status_code == 200
    assert response.json() == {"dictionaries": []}


def test_delete_answers_204_without_body_then_404(api: APIClient) -> None:
    api.post(URL, SPEC_EXAMPLE, format="json")

    response = api.delete(f"{URL}/brand-pronunciations")

    assert response.status_code == 204
    assert response.content == b""
    _error(
        api.delete(f"{URL}/brand-pronunciations"),
        404,
        "pronunciation_not_found",
        "Pronunciation dictionary not found: brand-pronunciations",
    )
    _error(
        api.get(f"{URL}/brand-pronunciations"),
        404,
        "pronunciation_not_found",
        "Pronunciation dictionary not found: brand-pronunciations",
    )


def test_create_conflicts_with_a_name_differing_only_by_case(api: APIClient) -> None:
    api.post(URL, SPEC_EXAMPLE, format="json")

    response = api.post(URL, {**SPEC_EXAMPLE, "name": "Brand-Pronunciations"}, format="json")

    _error(
        response,
        409,
        "pronunciation_conflict",
        "Pronunciation dictionary already exists: Brand-Pronunciations",
    )


def test_create_reports_every_invalid_field(api: APIClient) -> None:
    body = {
        "name": "bad name!",
        "metadata": ["not", "an", "object"],
        "modes": {
            "rewrite": {"rules": [{"match": "", "replace": "x"}, {"match": "ok"}]},
            "phoneme": {"rules": []},
        },
    }

    _error(
        api.post(URL, body, format="json"),
        400,
        "invalid_pronunciation",
        "Invalid pronunciation dictionary.",
        fieldErrors={
            "name": ["may contain only letters, digits, '.', '_' and '-'"],
            "metadata": ["must be an object"],
            "modes": ["unsupported mode: phoneme"],
            "modes.rewrite.rules[0].match": ["must not be empty or whitespace only"],
            "modes.rewrite.rules[1].replace": ["is required and must be a string"],
        },
    )


def test_create_without_rewrite_mode_uses_slngs_message(api: APIClient) -> None:
    body = {"name": "x", "modes": {"ipa": {"rules": [{"match": "a", "ipa": "b"}]}}}

    _error(
        api.post(URL, body, format="json"),
        400,
        "invalid_pronunciation",
        "Invalid pronunciation dictionary.",
        fieldErrors={"modes": ["modes.rewrite is required"]},
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", URL), ("post", URL), ("get", f"{URL}/x"), ("delete", f"{URL}/x")],
)
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-key",
        "Bearer lex_abcdefgh_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "Bearer a b",
    ],
)
def test_every_operation_refuses_a_missing_or_bad_key(
    method: str, path: str, authorization: str | None, db: None
) -> None:
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)

    response = getattr(client, method)(path, SPEC_EXAMPLE, format="json")

    _error(
        response,
        401,
        "pronunciation_unauthenticated",
        "Missing or invalid API key: send Authorization: Bearer <key>.",
    )
    assert response["WWW-Authenticate"] == 'Bearer realm="lexicon"'


@pytest.mark.parametrize("name", ["a" * 129, "bad name", "semi;colon", "ünï"])
def test_get_and_delete_refuse_a_malformed_name_with_400(api: APIClient, name: str) -> None:
    for method in (api.get, api.delete):
        response = method(f"{URL}/{name}")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_pronunciation"
        assert list(response.json()["fieldErrors"]) == ["name"]


def test_malformed_json_gets_the_slng_error_body(api: APIClient) -> None:
    response = api.generic("POST", URL, '{"name": ', content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_pronunciation"
    assert body["error"].startswith("Malformed request body: JSON parse error")


def test_a_body_that_is_not_an_object_is_refused(api: APIClient) -> None:
    _error(
        api.post(URL, ["a", "list"], format="json"),
        400,
        "invalid_pronunciation",
        "Invalid pronunciation dictionary.",
        fieldErrors={"body": ["request body must be a JSON object"]},
    )


def test_wrong_content_type_gets_the_slng_error_body(api: APIClient) -> None:
    _error(
        api.generic("POST", URL, "name=x", content_type="application/x-www-form-urlencoded"),
        400,
        "invalid_pronunciation",
        "Unsupported Content-Type: send application/json.",
    )


def test_oversized_body_is_refused_with_413(api: APIClient, settings: Any) -> None:
    settings.LEXICON_MAX_REQUEST_BYTES = 1000
    body = {"name": "big", "modes": {"rewrite": {"rules": []}}, "metadata": {"x": "y" * 2000}}

    _error(
        api.post(URL, body, format="json"),
        413,
        "invalid_pronunciation",
        "Request body is too large: the limit is 1000 bytes.",
    )


def test_unsupported_method_answers_405_with_allow(api: APIClient) -> None:
    response = api.put(URL, {}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "invalid_pronunciation"
    assert "POST" in response["Allow"]


def test_unknown_api_path_answers_slng_404_body(api: APIClient) -> None:
    _error(api.get("/v1/pronunciation/nothing/here"), 404, "pronunciation_not_found", "Not found.")


def test_request_id_header_matches_the_error_body(api: APIClient) -> None:
    response = api.get(f"{URL}/missing")

    assert response["X-Request-Id"] == response.json()["slng_request_id"]


def test_created_by_key_label_is_omitted_when_unknown(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "from-admin")

    assert "created_by_key_label" not in api.get(f"{URL}/from-admin").json()


def test_an_empty_ipa_mode_is_not_echoed(api: APIClient) -> None:
    body = {"name": "x", "modes": {"rewrite": {"rules": []}, "ipa": {"rules": []}}}

    assert api.post(URL, body, format="json").json()["modes"] == {"rewrite": {"rules": []}}

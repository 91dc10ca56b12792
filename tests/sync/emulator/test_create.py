"""The emulator's create: SLNG's 201 body, its limits and its field errors, over real sockets."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.sync.emulator.helpers import (
    COLLECTION,
    KEY_UNLABELLED,
    RULES,
    ULID,
    auth,
    body_for,
    create,
    error_body,
    expected_hash,
    without_generated,
)


def test_create_returns_201_and_the_whole_dictionary(client: httpx.Client) -> None:
    modes = {"rewrite": {"rules": RULES}, "ipa": {"rules": [{"match": "SLNG", "ipa": "slɪŋ"}]}}
    metadata = {"language": "hi-IN", "providers": ["sarvam", "cartesia"]}
    response = create(
        client, {"name": "Brand-Pronunciations", "modes": modes, "metadata": metadata}
    )
    assert response.status_code == 201
    assert re.fullmatch("req_" + ULID, response.headers["X-Request-Id"])
    assert without_generated(response.json()) == {
        "org_id": "org_alpha",
        "name": "Brand-Pronunciations",
        "normalized_name": "brand-pronunciations",
        "modes": modes,
        "content_hash": expected_hash(modes),
        "metadata": metadata,
        "created_by_key_label": "production-key",
    }


def test_create_omits_metadata_and_label_when_absent(client: httpx.Client) -> None:
    response = create(client, body_for(), key=KEY_UNLABELLED)
    assert response.status_code == 201
    assert without_generated(response.json()) == {
        "org_id": "org_alpha",
        "name": "brand",
        "normalized_name": "brand",
        "modes": {"rewrite": {"rules": RULES}},
        "content_hash": expected_hash({"rewrite": {"rules": RULES}}),
    }


def test_create_accepts_the_documented_limits(client: httpx.Client) -> None:
    rules = [{"match": f"w{i}".ljust(128, "x"), "replace": "r" * 256} for i in range(256)]
    response = create(client, body_for("n" * 128, rules))
    assert response.status_code == 201


def test_create_rejects_name_differing_only_by_case(client: httpx.Client) -> None:
    assert create(client, body_for("Brand")).status_code == 201
    response = create(client, body_for("BRAND"))
    assert response.status_code == 409
    assert error_body(response) == {
        "code": "pronunciation_conflict",
        "error": "Pronunciation dictionary already exists: BRAND",
    }


TOO_MANY_RULES = [{"match": f"m{i}", "replace": "r"} for i in range(257)]


@pytest.mark.parametrize(
    ("body", "field_errors"),
    [
        ({"modes": {"rewrite": {"rules": []}}}, {"name": ["name is required"]}),
        (body_for("bad name"), {"name": ["name must match ^[A-Za-z0-9._-]+$"]}),
        (body_for(""), {"name": ["name must not be empty"]}),
        (body_for("n" * 129), {"name": ["name must be at most 128 characters"]}),
        ({"name": 5, "modes": {"rewrite": {"rules": []}}}, {"name": ["name must be a string"]}),
        ({"name": "x"}, {"modes": ["modes is required"]}),
        ({"name": "x", "modes": []}, {"modes": ["modes must be an object"]}),
        ({"name": "x", "modes": {}}, {"modes": ["modes.rewrite is required"]}),
        (
            {"name": "x", "modes": {"rewrite": {}}},
            {"modes.rewrite": ["modes.rewrite.rules is required"]},
        ),
        (
            {"name": "x", "modes": {"rewrite": {"rules": []}, "phoneme": {}}},
            {"modes.phoneme": ["modes.phoneme is not a supported mode"]},
        ),
        (
            {"name": "x", "modes": {"rewrite": {"rules": {}}}},
            {"modes.rewrite.rules": ["modes.rewrite.rules must be an array"]},
        ),
        (
            body_for("x", TOO_MANY_RULES),
            {"modes.rewrite.rules": ["modes.rewrite.rules must have at most 256 items"]},
        ),
        (
            body_for("x", [RULES[0], RULES[1], RULES[2], {"match": "m" * 129, "replace": "r"}]),
            {
                "modes.rewrite.rules[3].match": [
                    "modes.rewrite.rules[3].match must be at most 128 characters"
                ]
            },
        ),
        (
            body_for("x", [{"match": "m", "replace": "r" * 257}]),
            {
                "modes.rewrite.rules[0].replace": [
                    "modes.rewrite.rules[0].replace must be at most 256 characters"
                ]
            },
        ),
        (
            body_for("x", [{"match": "", "replace": ""}]),
            {
                "modes.rewrite.rules[0].match": ["modes.rewrite.rules[0].match must not be empty"],
                "modes.rewrite.rules[0].replace": [
                    "modes.rewrite.rules[0].replace must not be empty"
                ],
            },
        ),
        (
            body_for("x", [{"match": "m"}, "rule"]),  # type: ignore[list-item]
            {
                "modes.rewrite.rules[0]": ["modes.rewrite.rules[0].replace is required"],
                "modes.rewrite.rules[1]": ["modes.rewrite.rules[1] must be an object"],
            },
        ),
        (
            {
                "name": "x",
                "modes": {
                    "rewrite": {"rules": []},
                    "ipa": {"rules": [{"match": "m", "ipa": "i" * 257}]},
                },
            },
            {"modes.ipa.rules[0].ipa": ["modes.ipa.rules[0].ipa must be at most 256 characters"]},
        ),
        ({**body_for("x"), "metadata": ["a"]}, {"metadata": ["metadata must be an object"]}),
        ({**body_for("x"), "metadata": None}, {"metadata": ["metadata must be an object"]}),
        ([], {"body": ["Request body must be a JSON object."]}),
    ],
)
def test_create_rejects_invalid_bodies_with_field_errors(
    client: httpx.Client, body: object, field_errors: dict[str, list[str]]
) -> None:
    response = create(client, body)
    assert response.status_code == 400
    assert error_body(response) == {
        "code": "invalid_pronunciation",
        "error": "Invalid pronunciation dictionary.",
        "fieldErrors": field_errors,
    }


def test_create_rejects_malformed_json(client: httpx.Client) -> None:
    response = client.post(COLLECTION, content=b'{"name": ', headers=auth())
    assert response.status_code == 400
    assert error_body(response) == {
        "code": "invalid_pronunciation",
        "error": "Invalid pronunciation dictionary.",
        "fieldErrors": {"body": ["Malformed JSON."]},
    }


def test_create_accepts_an_ipa_mode_without_rules(client: httpx.Client) -> None:
    response = create(client, {"name": "x", "modes": {"rewrite": {"rules": []}, "ipa": {}}})
    assert response.status_code == 201
    assert response.json()["modes"] == {"rewrite": {"rules": []}, "ipa": {}}

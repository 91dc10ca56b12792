"""The API's layers: includes through SLNG's endpoints, the flattened view, disabled rules."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

URL = "/v1/pronunciation/dictionaries"


def _create(api: APIClient, name: str, rules: list[dict[str, Any]], **extra: Any) -> Any:
    body = {"name": name, "modes": {"rewrite": {"rules": rules}}, **extra}
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    return response


def test_flattened_says_which_layer_answers_and_what_it_shadows(api: APIClient) -> None:
    _create(api, "brand", [{"match": "NAIC", "replace": "nake"}], layer_only=True)
    _create(
        api,
        "support-en",
        [{"match": "NAIC", "replace": "N.A.I.C."}, {"match": "hi", "replace": "hello"}],
        includes=[{"name": "brand"}],
    )
    response = api.get(f"{URL}/support-en/flattened")
    assert response.status_code == 200
    assert response.json() == {
        "name": "support-en",
        "modes": {
            "rewrite": {
                "rules": [
                    {"match": "NAIC", "replace": "N.A.I.C."},
                    {"match": "hi", "replace": "hello"},
                ]
            }
        },
        "rules": [
            {
                "mode": "rewrite",
                "match": "NAIC",
                "replace": "N.A.I.C.",
                "layer": "support-en",
                "revision": 1,
                "shadows": [{"layer": "brand", "revision": 1, "replace": "nake"}],
            },
            {
                "mode": "rewrite",
                "match": "hi",
                "replace": "hello",
                "layer": "support-en",
                "revision": 1,
                "shadows": [],
            },
        ],
        "layers": [{"name": "brand", "revision": 1}, {"name": "support-en", "revision": 1}],
        "missing": [],
        "over_limit": [],
    }


def test_a_cycle_through_the_api_is_a_400_naming_the_include(api: APIClient) -> None:
    _create(api, "brand", [])
    _create(api, "support", [], includes=[{"name": "brand"}])
    response = api.patch(f"{URL}/brand", {"includes": [{"name": "support"}]}, format="json")
    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {
        "includes[0].name": [
            "support includes brand already (through support < brand): that is a cycle"
        ]
    }


def test_slng_clients_never_see_disabled_rules_and_a_round_trip_keeps_them(
    api: APIClient,
) -> None:
    rules: list[dict[str, Any]] = [
        {"match": "NAIC", "replace": "nake", "disabled": True},
        {"match": "hi", "replace": "hello"},
    ]
    _create(api, "support", rules)
    got = api.get(f"{URL}/support").json()
    assert got["modes"] == {"rewrite": {"rules": [{"match": "hi", "replace": "hello"}]}}

    # a SLNG client puts back what it read, changed: the disabled rule is kept
    got["modes"]["rewrite"]["rules"].append({"match": "bye", "replace": "goodbye"})
    put = api.put(f"{URL}/support", {"modes": got["modes"]}, format="json")
    assert put.status_code == 200
    assert put.json()["modes"]["rewrite"]["rules"] == [
        {"match": "hi", "replace": "hello"},
        {"match": "bye", "replace": "goodbye"},
    ]
    revision = api.get(f"{URL}/support/revisions/2").json()
    assert revision["modes"]["rewrite"]["rules"] == [
        {"match": "hi", "replace": "hello"},
        {"match": "bye", "replace": "goodbye"},
        {"match": "NAIC", "replace": "nake", "disabled": True},
    ]


def test_exports_carry_the_disabled_flag_and_the_flattened_content(api: APIClient) -> None:
    _create(api, "brand", [{"match": "ACME", "replace": "acme"}])
    _create(
        api,
        "support",
        [{"match": "NAIC", "replace": "nake", "disabled": True}],
        includes=[{"name": "brand"}],
    )
    exported = api.get(f"{URL}/support/export", {"format": "json"})
    assert exported.status_code == 200
    rows = [
        {key: row.get(key) for key in ("dictionary", "mode", "match", "replace", "disabled")}
        for row in _json(exported)
    ]
    assert rows == [
        {
            "dictionary": "support",
            "mode": "rewrite",
            "match": "NAIC",
            "replace": "nake",
            "disabled": True,
        }
    ]
    flat = api.get(f"{URL}/support/export", {"format": "json", "flattened": "true"})
    assert [(row["match"], row["replace"]) for row in _json(flat)] == [("ACME", "acme")]


def _json(response: Any) -> Any:
    return json.loads(b"".join(response.streaming_content))


def test_an_import_carries_the_disabled_flag(api: APIClient) -> None:
    csv = (
        "dictionary,mode,match,replace,disabled\r\n"
        "support,rewrite,NAIC,nake,true\r\n"
        "support,rewrite,hi,hello,\r\n"
    )
    upload = SimpleUploadedFile("rules.csv", csv.encode(), content_type="text/csv")
    response = api.post(
        "/v1/pronunciation/import", {"file": upload, "create_missing": "true"}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    revision = api.get(f"{URL}/support/revisions/1").json()
    assert revision["modes"]["rewrite"]["rules"] == [
        {"match": "NAIC", "replace": "nake", "disabled": True},
        {"match": "hi", "replace": "hello"},
    ]
    exported: Any = api.get(f"{URL}/support/export", {"format": "csv"})
    lines = b"".join(exported.streaming_content).decode("utf-8-sig").splitlines()
    assert lines == [
        "dictionary,mode,match,replace,ipa,position,disabled",
        "support,rewrite,NAIC,nake,,0,true",
        "support,rewrite,hi,hello,,1,",
    ]


def test_a_layer_others_include_cannot_be_deleted_until_they_let_go(api: APIClient) -> None:
    """Deleting a layer would silently take its rules from every includer: refused (409),
    naming them; once no live dictionary includes it, it can go."""
    _create(api, "brand", [{"match": "NAIC", "replace": "nake"}], layer_only=True)
    _create(api, "support-en", [], includes=[{"name": "brand"}])
    _create(api, "billing-de", [], includes=[{"name": "brand", "language": "de"}])

    refused = api.delete(f"{URL}/brand")
    still = api.get(f"{URL}/brand")
    api.delete(f"{URL}/billing-de")
    patched = api.patch(f"{URL}/support-en", {"includes": []}, format="json")
    deleted = api.delete(f"{URL}/brand")

    assert refused.status_code == 409
    assert refused.json()["code"] == "pronunciation_conflict"
    assert "billing-de, support-en" in refused.json()["error"]
    assert still.status_code == 200
    assert patched.status_code == 200, patched.json()
    assert deleted.status_code == 204

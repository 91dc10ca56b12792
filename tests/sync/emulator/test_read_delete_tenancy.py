"""The emulator's list, get and delete, and its keys and tenancy, over real sockets."""

from __future__ import annotations

import httpx
import pytest

from tests.sync.emulator.helpers import (
    COLLECTION,
    KEY_A,
    KEY_B,
    UNAUTHENTICATED,
    auth,
    body_for,
    create,
    error_body,
)


def test_list_is_empty_for_a_new_org(client: httpx.Client) -> None:
    response = client.get(COLLECTION, headers=auth())
    assert response.status_code == 200
    assert response.json() == {"dictionaries": []}


def test_list_returns_every_dictionary_sorted_by_normalized_name(client: httpx.Client) -> None:
    created = [create(client, body_for(name)).json() for name in ("zeta", "Alpha", "beta")]
    response = client.get(COLLECTION, headers=auth())
    assert response.status_code == 200
    by_name = {item["name"]: item for item in created}
    assert response.json() == {"dictionaries": [by_name["Alpha"], by_name["beta"], by_name["zeta"]]}


def test_get_returns_the_dictionary_by_case_insensitive_name(client: httpx.Client) -> None:
    created = create(client, body_for("Brand")).json()
    response = client.get(f"{COLLECTION}/bRaNd", headers=auth())
    assert response.status_code == 200
    assert response.json() == created


def test_get_unknown_name_is_404(client: httpx.Client) -> None:
    response = client.get(f"{COLLECTION}/missing", headers=auth())
    assert response.status_code == 404
    assert error_body(response) == {
        "code": "pronunciation_not_found",
        "error": "Pronunciation dictionary not found: missing",
    }


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_malformed_path_name_is_400(client: httpx.Client, method: str) -> None:
    response = client.request(method, f"{COLLECTION}/{'n' * 129}", headers=auth())
    assert response.status_code == 400
    assert error_body(response) == {
        "code": "invalid_pronunciation",
        "error": "Invalid pronunciation dictionary.",
        "fieldErrors": {"name": ["name must be at most 128 characters"]},
    }


def test_delete_returns_204_with_no_body_then_404(client: httpx.Client) -> None:
    create(client, body_for("brand"))
    response = client.delete(f"{COLLECTION}/BRAND", headers=auth())
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"{COLLECTION}/brand", headers=auth()).status_code == 404
    again = client.delete(f"{COLLECTION}/brand", headers=auth())
    assert again.status_code == 404
    assert error_body(again)["code"] == "pronunciation_not_found"


def test_delete_then_create_gives_a_new_id(client: httpx.Client) -> None:
    first = create(client, body_for()).json()
    client.delete(f"{COLLECTION}/brand", headers=auth())
    second = create(client, body_for()).json()
    assert second["id"] != first["id"]
    assert second["id"] > first["id"]  # ULIDs are time-ordered


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", COLLECTION),
        ("GET", COLLECTION),
        ("GET", f"{COLLECTION}/x"),
        ("DELETE", f"{COLLECTION}/x"),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer sk_test_unknown"}, {"Authorization": f"Basic {KEY_A}"}],
)
def test_missing_or_unknown_key_is_401(
    client: httpx.Client, method: str, path: str, headers: dict[str, str]
) -> None:
    response = client.request(method, path, headers=headers, json=body_for())
    assert response.status_code == 401
    assert error_body(response) == UNAUTHENTICATED


def test_orgs_cannot_see_or_delete_each_others_dictionaries(client: httpx.Client) -> None:
    create(client, body_for("brand"), key=KEY_A)
    assert client.get(f"{COLLECTION}/brand", headers=auth(KEY_B)).status_code == 404
    assert client.delete(f"{COLLECTION}/brand", headers=auth(KEY_B)).status_code == 404
    assert client.get(COLLECTION, headers=auth(KEY_B)).json() == {"dictionaries": []}
    assert client.get(f"{COLLECTION}/brand", headers=auth(KEY_A)).status_code == 200


def test_another_org_may_reuse_a_name(client: httpx.Client) -> None:
    create(client, body_for("brand"), key=KEY_A)
    response = create(client, body_for("brand"), key=KEY_B)
    assert response.status_code == 201
    assert response.json()["org_id"] == "org_bravo"


def test_unrouted_calls_use_the_gateway_error_shape(client: httpx.Client) -> None:
    response = client.put(COLLECTION, headers=auth(), json={})
    assert response.status_code == 405
    assert error_body(response) == {"error": "Method Not Allowed"}
    assert client.get("/v1/nothing-here", headers=auth()).status_code == 404

"""PUT and PATCH with optimistic concurrency (ETag / If-Match)."""

import threading
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.models import Revision
from tests.factories import make_dictionary

URL = "/v1/pronunciation/dictionaries"
NEW_MODES = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand(organization: Organization) -> Any:
    return make_dictionary(organization, "brand", metadata={"language": "en-US"})


def test_get_returns_an_etag_of_revision_and_content_hash(api: APIClient, brand: Any) -> None:
    response = api.get(f"{URL}/brand")

    hex_digest = response.json()["content_hash"].removeprefix("sha256:")
    assert response["ETag"] == f'"r1-{hex_digest}"'


def test_put_replaces_modes_and_metadata(api: APIClient, brand: Any) -> None:
    response = api.put(f"{URL}/brand", {"modes": NEW_MODES}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["modes"] == NEW_MODES
    assert body["metadata"] == {}
    assert body["id"] == brand.public_id
    assert response["ETag"].startswith('"r2-')
    assert api.get(f"{URL}/brand").json() == body


def test_put_validates_like_create(api: APIClient, brand: Any) -> None:
    response = api.put(
        f"{URL}/brand", {"modes": {"rewrite": {"rules": [{"match": ""}]}}}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["fieldErrors"]) == {
        "modes.rewrite.rules[0].match",
        "modes.rewrite.rules[0].replace",
    }
    assert api.get(f"{URL}/brand").json()["modes"]["rewrite"]["rules"][0]["match"] == "word0"


def test_put_requires_modes(api: APIClient, brand: Any) -> None:
    response = api.put(f"{URL}/brand", {"metadata": {}}, format="json")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {"modes": ["modes is required and must be an object"]}


def test_put_refuses_a_different_name_in_the_body(api: APIClient, brand: Any) -> None:
    response = api.put(f"{URL}/brand", {"name": "other", "modes": NEW_MODES}, format="json")

    assert response.status_code == 400
    assert list(response.json()["fieldErrors"]) == ["name"]


def test_patch_metadata_keeps_modes(api: APIClient, brand: Any) -> None:
    before = api.get(f"{URL}/brand").json()

    response = api.patch(f"{URL}/brand", {"metadata": {"language": "hi-IN"}}, format="json")

    assert response.status_code == 200
    assert response.json()["modes"] == before["modes"]
    assert response.json()["metadata"] == {"language": "hi-IN"}
    assert response.json()["content_hash"] == before["content_hash"]
    assert response["ETag"].startswith('"r2-')


def test_patch_one_mode_keeps_the_other(api: APIClient, organization: Organization) -> None:
    make_dictionary(
        organization,
        "both",
        modes={**NEW_MODES, "ipa": {"rules": [{"match": "SLNG", "ipa": "slɪŋ"}]}},
    )
    ipa = {"rules": [{"match": "SLNG", "ipa": "slæŋ"}]}

    response = api.patch(f"{URL}/both", {"modes": {"ipa": ipa}}, format="json")

    assert response.json()["modes"] == {**NEW_MODES, "ipa": ipa}


def test_an_update_that_changes_nothing_records_no_revision(api: APIClient, brand: Any) -> None:
    etag = api.get(f"{URL}/brand")["ETag"]

    response = api.patch(f"{URL}/brand", {"metadata": {"language": "en-US"}}, format="json")

    assert response["ETag"] == etag
    assert Revision.objects.filter(dictionary=brand).count() == 1


def test_if_match_with_the_current_etag_succeeds(api: APIClient, brand: Any) -> None:
    etag = api.get(f"{URL}/brand")["ETag"]

    response = api.put(f"{URL}/brand", {"modes": NEW_MODES}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200


def test_if_match_with_a_stale_etag_gets_412_and_changes_nothing(
    api: APIClient, brand: Any
) -> None:
    stale = api.get(f"{URL}/brand")["ETag"]
    api.patch(f"{URL}/brand", {"metadata": {"by": "someone else"}}, format="json")
    current = api.get(f"{URL}/brand")

    response = api.put(f"{URL}/brand", {"modes": NEW_MODES}, format="json", HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    body = response.json()
    body.pop("slng_request_id")
    assert body == {
        "code": "pronunciation_precondition_failed",
        "error": f"Pronunciation dictionary brand has changed since you read it (current ETag "
        f"{current['ETag']}); reload it and apply your change again.",
    }
    assert api.get(f"{URL}/brand").json() == current.json()


def test_delete_with_a_stale_etag_gets_412(api: APIClient, brand: Any) -> None:
    response = api.delete(f"{URL}/brand", HTTP_IF_MATCH='"r9-0"')

    assert response.status_code == 412
    assert api.get(f"{URL}/brand").status_code == 200


def test_update_of_a_missing_dictionary_is_404(api: APIClient) -> None:
    assert api.put(f"{URL}/nope", {"modes": NEW_MODES}, format="json").status_code == 404
    assert api.patch(f"{URL}/nope", {"metadata": {}}, format="json").status_code == 404


def test_update_returns_lint_warnings(api: APIClient, brand: Any) -> None:
    modes = {"rewrite": {"rules": [{"match": "ACH", "replace": "ACH"}]}}

    body = api.put(f"{URL}/brand", {"modes": modes}, format="json").json()

    assert body["warnings"] == [
        {
            "code": "replace_equals_match",
            "field": "modes.rewrite.rules[0].replace",
            "message": "the replacement equals the match, so this rule changes nothing",
        }
    ]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_with_the_same_etag_one_wins(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "brand")
    etag = api.get(f"{URL}/brand")["ETag"]
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def write(replace: str) -> None:
        try:
            modes = {"rewrite": {"rules": [{"match": "x", "replace": replace}]}}
            barrier.wait(timeout=10)
            response = api.put(f"{URL}/brand", {"modes": modes}, format="json", HTTP_IF_MATCH=etag)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200, 412]
    assert Revision.objects.filter(dictionary__name="brand").count() == 2

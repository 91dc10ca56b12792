"""A key of one organization can neither see, read, delete nor conflict with another's data."""

import pytest
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.models import Dictionary
from tests.factories import make_dictionary

URL = "/v1/pronunciation/dictionaries"

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_organization: Organization) -> Dictionary:
    return make_dictionary(other_organization, "secret-brand")


def test_list_shows_only_the_callers_dictionaries(
    api: APIClient, organization: Organization, theirs: Dictionary
) -> None:
    make_dictionary(organization, "mine")

    names = [d["name"] for d in api.get(URL).json()["dictionaries"]]

    assert names == ["mine"]


def test_get_by_name_of_another_org_is_404(api: APIClient, theirs: Dictionary) -> None:
    assert api.get(f"{URL}/secret-brand").status_code == 404


def test_get_by_the_other_orgs_id_is_404(api: APIClient, theirs: Dictionary) -> None:
    """The path key is the name; an id of another org is just an unknown name."""
    assert api.get(f"{URL}/{theirs.public_id}").status_code == 404


def test_delete_of_another_orgs_dictionary_is_404_and_keeps_it(
    api: APIClient, theirs: Dictionary
) -> None:
    assert api.delete(f"{URL}/secret-brand").status_code == 404
    assert api.delete(f"{URL}/{theirs.public_id}").status_code == 404
    assert Dictionary.objects.filter(pk=theirs.pk).exists()


def test_the_same_name_in_two_orgs_does_not_conflict(
    api: APIClient, other_api: APIClient, theirs: Dictionary
) -> None:
    response = api.post(
        URL, {"name": "Secret-Brand", "modes": {"rewrite": {"rules": []}}}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["org_id"] != other_api.get(f"{URL}/secret-brand").json()["org_id"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "secret-brand"),
        ("patch", "secret-brand"),
        ("get", "secret-brand/revisions"),
        ("get", "secret-brand/revisions/1"),
        ("get", "secret-brand/revisions/1/diff/1"),
        ("post", "secret-brand/revisions/1/restore"),
        ("post", "secret-brand/preview"),
        ("get", "secret-brand/lint"),
    ],
)
def test_lexicon_endpoints_do_not_reach_another_orgs_dictionary(
    api: APIClient, theirs: Dictionary, method: str, path: str
) -> None:
    body = {"modes": {"rewrite": {"rules": []}}, "metadata": {}, "text": "x"}

    response = getattr(api, method)(f"{URL}/{path}", body, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "pronunciation_not_found"
    theirs.refresh_from_db()
    assert theirs.revision == 1


def test_another_orgs_deleted_dictionary_is_neither_listed_nor_restorable(
    api: APIClient, other_api: APIClient, theirs: Dictionary
) -> None:
    other_api.delete(f"{URL}/secret-brand")

    assert api.get("/v1/pronunciation/deleted-dictionaries").json() == {"dictionaries": []}
    response = api.post(f"/v1/pronunciation/deleted-dictionaries/{theirs.public_id}/restore")
    assert response.status_code == 404
    assert len(other_api.get("/v1/pronunciation/deleted-dictionaries").json()["dictionaries"]) == 1

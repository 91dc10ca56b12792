"""The admin's "Scan texts" page (issue 26): scanning, and who may add a finding's rule."""

from typing import Any

import pytest

from orgs.models import Organization, Role
from pronunciations.models import Dictionary
from tests.factories import make_dictionary, staff_client

SCAN = "/admin/pronunciations/dictionary/scan/"
ADD = "/admin/pronunciations/dictionary/scan/add/"

pytestmark = pytest.mark.django_db


def _add(organization: Organization) -> dict[str, Any]:
    return {
        "organization": organization.pk,
        "dictionary": "brand",
        "mode": "rewrite",
        "match": "B2B",
        "replace": "B to B",
        "scan": "scan_01TEST",
    }


def test_a_viewer_scans_but_may_not_add(organization: Organization) -> None:
    make_dictionary(organization, "brand")
    client = staff_client(organization, Role.VIEWER, "reader")

    page = client.post(SCAN, {"text": "Ask about B2B.", "organization": organization.pk})

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-key="b2b"' in html
    assert "Add to dictionary" not in html
    assert client.post(ADD, _add(organization)).status_code == 403


def test_an_editor_of_another_organization_may_not_add(
    organization: Organization, other_organization: Organization
) -> None:
    make_dictionary(organization, "brand")
    client = staff_client(other_organization, Role.EDITOR, "outsider")

    assert client.post(ADD, _add(organization)).status_code == 403
    assert Dictionary.objects.get(name="brand").revision == 1


def test_an_editor_adds_and_a_refusal_names_the_problem(organization: Organization) -> None:
    make_dictionary(organization, "brand")
    client = staff_client(organization, Role.EDITOR)
    added = client.post(ADD, _add(organization), headers={"Accept": "application/json"})
    refused = client.post(
        ADD, {**_add(organization), "replace": ""}, headers={"Accept": "application/json"}
    )

    assert added.json() == {"message": "B2B → B to B: added in brand", "proposed": False}
    assert refused.status_code == 400
    problem = "replace: must not be empty or whitespace only"
    assert refused.json() == {"message": problem, "proposed": False}

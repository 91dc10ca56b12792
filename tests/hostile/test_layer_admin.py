"""Issue 29's admin paths fed hostile posts: switching a rule off or on (the layers panel) and
bringing back a dictionary whose layer went away. A refusal is a message on the page, never a
500, and another organization's dictionary is as absent as one that never existed.
"""

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from orgs.models import Organization
from pronunciations import services
from pronunciations.models import Dictionary

pytestmark = pytest.mark.django_db

ADMIN = "/admin/pronunciations/dictionary"
NOT_FOUND = "Rule not found in the rewrite mode of pronunciation dictionary brand"


def _dictionary(organization: Organization, name: str, **extra: Any) -> Dictionary:
    return services.dictionary_create(
        organization=organization,
        name=name,
        modes={"rewrite": {"rules": [{"match": "NAIC", "replace": "nake"}]}},
        **extra,
    )


def _said(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_another_organizations_dictionary_cannot_be_switched_and_is_as_if_absent(
    admin_client: Client, organization: Organization, other_organization: Organization
) -> None:
    theirs = _dictionary(other_organization, "secret")
    form = {"switch": "rewrite:off:NAIC"}

    foreign = admin_client.post(f"{ADMIN}/{theirs.pk}/switch/", form)
    absent = admin_client.post(f"{ADMIN}/{theirs.pk + 1000}/switch/", form)

    assert (foreign.status_code, absent.status_code) == (404, 404)
    assert foreign.content == absent.content
    assert theirs.revisions.count() == 1


@pytest.mark.parametrize(
    ("switch", "said"),
    [
        ("", NOT_FOUND + ": "),
        ("rewrite:off:", NOT_FOUND + ": "),
        ("ipa:off:NAIC", "Rule not found in the ipa mode of pronunciation dictionary brand: NAIC"),
        ("rewrite:off:NA\x00IC", NOT_FOUND + ": NA\x00IC"),
        ("rewrite:off:" + "N" * 100_000, None),
        ("garbage", NOT_FOUND + ": "),
    ],
)
def test_a_hostile_switch_is_a_message_and_writes_nothing(
    admin_client: Client, organization: Organization, switch: str, said: str | None
) -> None:
    brand = _dictionary(organization, "brand")

    response = admin_client.post(f"{ADMIN}/{brand.pk}/switch/", {"switch": switch})

    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN}/{brand.pk}/change/"
    messages = _said(response)
    assert len(messages) == 1
    if said is not None:
        assert messages == [said]
    assert brand.revisions.count() == 1


def test_a_switch_with_a_stale_etag_is_refused(
    admin_client: Client, organization: Organization
) -> None:
    brand = _dictionary(organization, "brand")
    stale = brand.etag
    services.dictionary_update(
        organization=organization, name="brand", partial=True, metadata={"language": "en"}
    )

    response = admin_client.post(
        f"{ADMIN}/{brand.pk}/switch/", {"switch": "rewrite:off:NAIC", "etag": stale}
    )

    assert response.status_code == 302
    assert len(_said(response)) == 1
    assert brand.revisions.count() == 2


def test_bringing_back_an_includer_whose_layer_was_deleted_says_why_not(
    admin_client: Client, organization: Organization
) -> None:
    """The undelete raised a ValidationError the admin did not catch (500)."""
    _dictionary(organization, "brand")
    support = _dictionary(organization, "support", includes=[{"name": "brand"}])
    services.dictionary_delete(organization=organization, name="support")
    services.dictionary_delete(organization=organization, name="brand")

    response = admin_client.post(f"{ADMIN}/deleted/{support.pk}/restore/")

    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN}/deleted/"
    assert _said(response) == [
        "support was not restored: no dictionary named brand in this organization."
    ]
    support.refresh_from_db()
    assert support.deleted_at is not None

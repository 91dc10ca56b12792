"""Issue 15: restore asks first and names what will change; Django's History is not offered."""

import pytest
from django.test import Client

from orgs.models import Organization, Role
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_update
from tests.factories import make_dictionary, staff_client

pytestmark = pytest.mark.django_db


def _client(organization: Organization, role: str = Role.EDITOR) -> Client:
    return staff_client(organization, role, f"u-{role}")


def _two_revisions(organization: Organization) -> Dictionary:
    dictionary = make_dictionary(organization, "brand")  # word0, word1
    dictionary_update(
        organization=organization,
        name="brand",
        modes={
            "rewrite": {
                "rules": [
                    {"match": "word0", "replace": "changed 0"},
                    {"match": "SLNG", "replace": "slang"},
                ]
            }
        },
    )
    dictionary.refresh_from_db()
    return dictionary


def test_restore_shows_what_it_changes_and_writes_nothing_until_confirmed(
    organization: Organization,
) -> None:
    dictionary = _two_revisions(organization)
    url = f"/admin/pronunciations/dictionary/{dictionary.pk}/revisions/1/restore/"

    page = _client(organization).get(url).content.decode()

    assert "1 rule added, 1 changed, 1 removed" in page
    assert "+ rewrite: word1 → replacement 1" in page
    assert "− rewrite: SLNG → slang" in page
    assert "~ rewrite: word0 → changed 0 ⇒ replacement 0" in page
    assert "Yes, restore revision 1" in page
    dictionary.refresh_from_db()
    assert dictionary.revision == 2


def test_confirming_restores_and_says_what_changed(organization: Organization) -> None:
    dictionary = _two_revisions(organization)
    client = _client(organization)
    url = f"/admin/pronunciations/dictionary/{dictionary.pk}/revisions/1/restore/"

    done = client.post(url, {"etag": dictionary.etag}, follow=True)

    assert "Restored revision 1 as revision 3: 1 rule added, 1 changed, 1 removed." in (
        done.content.decode()
    )
    dictionary.refresh_from_db()
    assert [r.match for r in dictionary.rules.order_by("position")] == ["word0", "word1"]


def test_a_confirmation_older_than_the_last_save_is_refused(organization: Organization) -> None:
    dictionary = _two_revisions(organization)
    stale = dictionary.etag
    dictionary_update(organization=organization, name="brand", metadata={"x": 1}, partial=True)
    url = f"/admin/pronunciations/dictionary/{dictionary.pk}/revisions/1/restore/"

    refused = _client(organization).post(url, {"etag": stale}, follow=True).content.decode()

    assert "has changed since you read it" in refused
    dictionary.refresh_from_db()
    assert dictionary.revision == 3


def test_the_confirmation_warns_when_someone_saved_after_the_history_was_opened(
    organization: Organization,
) -> None:
    dictionary = _two_revisions(organization)
    url = f"/admin/pronunciations/dictionary/{dictionary.pk}/revisions/1/restore/"
    page = _client(organization).get(url, {"etag": '"r1-old"'}).content.decode()
    assert "Someone saved this dictionary after you opened its history" in page


def test_viewers_cannot_open_the_restore_and_history_no_longer_restores_on_post(
    organization: Organization,
) -> None:
    dictionary = _two_revisions(organization)
    viewer = _client(organization, Role.VIEWER)
    base = f"/admin/pronunciations/dictionary/{dictionary.pk}"

    assert viewer.get(f"{base}/revisions/1/restore/").status_code == 403
    assert "restore-button" not in viewer.get(f"{base}/revisions/").content.decode()
    editor = _client(organization)
    assert editor.post(f"{base}/revisions/", {"number": 1}).status_code == 405
    assert editor.get(f"{base}/revisions/9/restore/").status_code == 404


def test_djangos_history_is_not_offered_and_its_url_leads_to_the_revisions(
    organization: Organization, other_organization: Organization
) -> None:
    dictionary = make_dictionary(organization, "brand")
    client = _client(organization)
    base = f"/admin/pronunciations/dictionary/{dictionary.pk}"

    page = client.get(f"{base}/change/").content.decode()
    assert f'href="{base}/history/"' not in page
    assert 'id="revisions-link"' in page
    response = client.get(f"{base}/history/")
    assert (response.status_code, response["Location"]) == (302, f"{base}/revisions/")
    theirs = make_dictionary(other_organization, "secret")
    assert client.get(f"/admin/pronunciations/dictionary/{theirs.pk}/history/").status_code == 404


def test_a_revision_todays_rules_refuse_is_a_message_not_an_error(
    organization: Organization,
) -> None:
    dictionary = _two_revisions(organization)
    first = dictionary.revisions.get(number=1)
    first.snapshot = {"modes": {"rewrite": {"rules": [{"match": " ", "replace": "x"}]}}}
    first.save(update_fields=["snapshot"])  # raw: stored before today's validation existed
    url = f"/admin/pronunciations/dictionary/{dictionary.pk}/revisions/1/restore/"

    page = _client(organization).post(url, {"etag": dictionary.etag}, follow=True)

    assert "This revision cannot be restored: modes.rewrite.rules[0].match" in page.content.decode()
    dictionary.refresh_from_db()
    assert dictionary.revision == 2

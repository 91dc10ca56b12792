"""Issue 14 item 5: a truthful delete confirmation (the dictionary is kept and can be restored;
its name becomes free) and the admin's Deleted dictionaries page with a Restore that asks first
and names what comes back; scoped to the user's organizations, by role."""

import re
from typing import Any

import pytest

from orgs.models import Organization, Role
from orgs.services import organization_configure
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_delete
from tests.factories import make_dictionary, staff_client

pytestmark = pytest.mark.django_db

DELETED = "/admin/pronunciations/dictionary/deleted/"
CONTENT = {
    "rewrite": {"rules": [{"match": "QP", "replace": "cue pee"}, {"match": "ACH", "replace": "a"}]},
    "ipa": {"rules": [{"match": "SLNG", "ipa": "slɪŋ"}]},
}


def _deleted(organization: Organization, name: str = "brand") -> Dictionary:
    dictionary = make_dictionary(
        organization,
        name,
        modes=CONTENT,
        metadata={"language": "en-US"},
        checks=[{"text": "Pay with QP", "expect": "Pay with cue pee"}],
    )
    dictionary_delete(organization=organization, name=name)
    dictionary.refresh_from_db()
    return dictionary


def _restore_url(dictionary: Dictionary) -> str:
    return f"/admin/pronunciations/dictionary/deleted/{dictionary.pk}/restore/"


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_delete_confirmation_says_the_dictionary_is_kept_and_its_name_freed(
    organization: Organization,
) -> None:
    dictionary = make_dictionary(organization, "brand", modes=CONTENT)
    client = staff_client(organization, Role.EDITOR)
    url = f"/admin/pronunciations/dictionary/{dictionary.pk}/delete/"

    page = client.get(url).content.decode()

    assert "Nothing is lost: the dictionary is <strong>kept</strong>" in page
    assert "restored from" in page
    assert ">Deleted dictionaries</a> for 30 days" in page
    assert "Its name becomes free at once" in page
    assert (
        "brand: kept with its 3 rules, its checks and its 1 revision; restorable for 30 days"
        in (page)
    )
    assert "Rule:" not in page
    assert "Revision:" not in page

    done = client.post(url, {"post": "yes"}, follow=True)

    assert _messages(done)[-1] == (
        "Nothing is lost: “brand” is kept with its rules, checks and history; restore it from "
        "Deleted dictionaries within 30 days."
    )
    dictionary.refresh_from_db()
    assert dictionary.deleted_at is not None
    assert dictionary.rules.count() == 3


def test_with_review_on_the_confirmation_says_production_waits_for_approval(
    organization: Organization,
) -> None:
    organization_configure(organization=organization, review_required=True)
    dictionary = make_dictionary(organization, "brand", modes=CONTENT)
    page = staff_client(organization, Role.EDITOR).get(
        f"/admin/pronunciations/dictionary/{dictionary.pk}/delete/"
    )
    assert "only once a reviewer approves the deletion: Acme requires review" in (
        page.content.decode()
    )


def test_deleting_several_says_each_is_kept(organization: Organization) -> None:
    first = make_dictionary(organization, "brand", modes=CONTENT)
    second = make_dictionary(organization, "support", rules=1)
    response = staff_client(organization, Role.EDITOR).post(
        "/admin/pronunciations/dictionary/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk]},
    )
    page = response.content.decode()
    assert "each dictionary is <strong>kept</strong>" in page
    assert "brand: kept with its 3 rules" in page
    assert "support: kept with its 1 rule, its checks and its 1 revision" in page


def test_the_deleted_page_lists_the_users_organizations_deleted_dictionaries(
    organization: Organization, other_organization: Organization
) -> None:
    dictionary = _deleted(organization)
    make_dictionary(organization, "live")
    _deleted(other_organization, "zq-secret")

    page = staff_client(organization, Role.EDITOR).get(DELETED).content.decode()

    assert f'id="deleted-{dictionary.pk}"' in page
    assert "2 rewrite rules, 1 IPA rule, 1 check" in page
    assert f'href="{_restore_url(dictionary)}"' in page
    assert "zq-secret" not in page
    assert ">live<" not in page


def test_viewers_see_the_deleted_dictionaries_without_restore(organization: Organization) -> None:
    dictionary = _deleted(organization)
    client = staff_client(organization, Role.VIEWER, "reader")

    page = client.get(DELETED).content.decode()

    assert f'id="deleted-{dictionary.pk}"' in page
    assert "Restore…" not in page
    assert client.get(_restore_url(dictionary)).status_code == 403
    assert client.post(_restore_url(dictionary)).status_code == 403


def test_restore_asks_first_naming_what_comes_back(organization: Organization) -> None:
    dictionary = _deleted(organization)

    page = staff_client(organization, Role.EDITOR).get(_restore_url(dictionary)).content.decode()

    assert "<strong>2 rewrite rules, 1 IPA rule, 1 check</strong>" in page
    assert "and its metadata (language: en-US)" in page
    assert "It comes back as revision 3, with its whole history" in page
    assert "Yes, restore brand" in page
    dictionary.refresh_from_db()
    assert dictionary.deleted_at is not None


def test_confirming_restores_it_under_its_name(organization: Organization) -> None:
    dictionary = _deleted(organization)

    done = staff_client(organization, Role.EDITOR).post(_restore_url(dictionary), follow=True)

    assert done.redirect_chain[-1][0] == f"/admin/pronunciations/dictionary/{dictionary.pk}/change/"
    assert _messages(done) == ["Restored brand as revision 3, with its rules, checks and history."]
    dictionary.refresh_from_db()
    assert dictionary.deleted_at is None
    assert dictionary.revisions.get(number=3).action == "undelete"


def test_a_taken_name_is_said_first_and_the_restore_refused(organization: Organization) -> None:
    dictionary = _deleted(organization)
    make_dictionary(organization, "Brand")
    client = staff_client(organization, Role.EDITOR)

    page = client.get(_restore_url(dictionary)).content.decode()
    refused = client.post(_restore_url(dictionary), follow=True)

    assert "A live dictionary of Acme is named brand now" in page
    assert "Yes, restore" not in page
    assert _messages(refused) == [
        "brand was not restored: a live dictionary of Acme is named brand now. Rename or delete "
        "that one first."
    ]
    dictionary.refresh_from_db()
    assert dictionary.deleted_at is not None


def test_with_review_on_the_restore_says_it_is_proposed(organization: Organization) -> None:
    dictionary = _deleted(organization)
    organization_configure(organization=organization, review_required=True)
    client = staff_client(organization, Role.EDITOR)

    page = client.get(_restore_url(dictionary)).content.decode()
    client.post(_restore_url(dictionary))

    assert "Acme requires review: the restore is a proposed revision." in page
    assert dictionary.revisions.get(number=3).review_state == "proposed"


def test_another_organizations_deleted_dictionary_is_not_found(
    organization: Organization, other_organization: Organization
) -> None:
    secret = _deleted(other_organization, "zq-secret")
    client = staff_client(organization, Role.ADMIN)
    assert client.get(_restore_url(secret)).status_code == 404
    assert client.post(_restore_url(secret)).status_code == 404


def test_the_deleted_page_costs_the_same_queries_for_one_or_many(
    organization: Organization, django_assert_max_num_queries: Any
) -> None:
    client = staff_client(organization, Role.EDITOR)
    _deleted(organization)
    with django_assert_max_num_queries(8) as one:
        assert client.get(DELETED).status_code == 200
    for i in range(10):
        _deleted(organization, f"more-{i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(DELETED).content.decode().count('class="deleted-dictionary"') == 11


JARGON = ("API", "404", "prune", "manage.py", "purge_deleted", "pd_", "Slug", "metadata.language")


def test_delete_restore_and_deleted_pages_speak_a_linguists_language(
    organization: Organization,
) -> None:
    """Issue 23: no HTTP statuses, commands, ids or field paths on the pages a linguist uses."""
    client = staff_client(organization, Role.EDITOR)
    live = make_dictionary(organization, "brand", modes=CONTENT)
    gone = _deleted(organization, "old-brand")
    pages = [
        client.get(f"/admin/pronunciations/dictionary/{live.pk}/delete/"),
        client.get(DELETED),
        client.get(_restore_url(gone)),
    ]
    for response in pages:
        text = _visible_text(response.content.decode())
        assert response.status_code == 200
        assert [word for word in JARGON if word in text] == []


def _visible_text(page: str) -> str:
    """The page's main content as a reader sees it (no tags, scripts or attributes)."""
    main = page[page.index('id="content"') :]
    main = re.sub(r"<(script|style)\b.*?</\1>", "", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


def test_deleting_a_layer_that_others_include_is_refused_in_words_and_changes_nothing(
    organization: Organization,
) -> None:
    """The service refuses (LayerInUse); the admin shows its words on the page, for one
    dictionary and for the list's bulk action, which deletes none of the selection."""
    brand = make_dictionary(organization, "brand", layer_only=True)
    spare = make_dictionary(organization, "spare")
    make_dictionary(organization, "support-en", includes=[{"name": "brand"}])
    client = staff_client(organization, Role.EDITOR)

    one = client.post(
        f"/admin/pronunciations/dictionary/{brand.pk}/delete/", {"post": "yes"}, follow=True
    )
    bulk = client.post(
        "/admin/pronunciations/dictionary/",
        {"action": "delete_selected", "_selected_action": [spare.pk, brand.pk], "post": "yes"},
        follow=True,
    )

    refusal = "Pronunciation dictionary brand is a layer of support-en"
    assert any(refusal in message for message in _messages(one))
    assert any(refusal in message for message in _messages(bulk))
    assert Dictionary.objects.filter(pk__in=[brand.pk, spare.pk], deleted_at=None).count() == 2

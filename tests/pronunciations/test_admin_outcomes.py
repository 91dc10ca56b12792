"""Issue 23 items 3 and 6: the admin's save, restore and import messages say what happened: a
change only proposed waits for review, a save with failing checks says so, an unchanged save
says nothing changed (never Django's "changed successfully")."""

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from orgs.actors import Actor
from orgs.models import Organization, Role
from orgs.services import organization_configure
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_delete, dictionary_update
from tests.factories import make_dictionary, staff_user

pytestmark = pytest.mark.django_db

QP = {"rewrite": {"rules": [{"match": "QP", "replace": "cue pee"}]}}
PROPOSED = (
    "Proposed — waits for review: a reviewer approves it before it reaches production (the "
    "approved channel)."
)


@pytest.fixture
def editor(organization: Organization) -> User:
    return staff_user("asha", organization, Role.EDITOR)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response: Any) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def _save(client: Client, dictionary: Dictionary, value: str) -> Any:
    dictionary.refresh_from_db()
    form = {
        "metadata": "{}",
        "etag": dictionary.etag,
        "rewrite_match": ["QP"],
        "rewrite_value": [value],
    }
    url = f"/admin/pronunciations/dictionary/{dictionary.pk}/change/"
    return client.post(url, form, follow=True)


def test_a_save_with_review_on_says_it_is_only_proposed(
    organization: Organization, editor: User
) -> None:
    dictionary = make_dictionary(organization, "brand", modes=QP)
    organization_configure(organization=organization, review_required=True)

    saved = _save(_client(editor), dictionary, "queue pee")

    assert _messages(saved) == [("success", f"Saved brand as revision 2. {PROPOSED}")]


def test_a_save_with_review_off_and_an_unchanged_save(
    organization: Organization, editor: User
) -> None:
    dictionary = make_dictionary(organization, "brand", modes=QP)
    client = _client(editor)

    assert _messages(_save(client, dictionary, "queue pee")) == [
        ("success", "Saved brand as revision 2.")
    ]
    assert _messages(_save(client, dictionary, "queue pee")) == [
        ("info", "Nothing changed: brand stays at revision 2.")
    ]


def test_a_save_with_failing_checks_says_so(organization: Organization, editor: User) -> None:
    dictionary = make_dictionary(
        organization, "brand", modes=QP, checks=[{"text": "QP now", "expect": "cue pee now"}]
    )

    saved = _save(_client(editor), dictionary, "queue pee")

    assert _messages(saved) == [
        (
            "warning",
            "Saved brand as revision 2. Its check fails, so it cannot be approved: “QP now” "
            "should read “cue pee now” but reads “queue pee now”.",
        )
    ]


def test_restores_with_review_on_say_they_are_only_proposed(
    organization: Organization, editor: User
) -> None:
    organization_configure(organization=organization, review_required=True)
    dictionary = make_dictionary(organization, "brand", modes=QP, created_by=Actor.for_user(editor))
    dictionary_update(
        organization=organization, name="brand", modes={"rewrite": {"rules": []}}, comment="x"
    )
    client = _client(editor)
    restore = f"/admin/pronunciations/dictionary/{dictionary.pk}/revisions/1/restore/"

    restored = client.post(restore, {"etag": ""}, follow=True)

    assert _messages(restored) == [
        ("success", f"Restored revision 1 as revision 3: 1 rule added. {PROPOSED}")
    ]
    dictionary_delete(organization=organization, name="brand")
    deleted = f"/admin/pronunciations/dictionary/deleted/{dictionary.pk}/restore/"
    undeleted = client.post(deleted, follow=True)
    assert _messages(undeleted) == [
        (
            "success",
            f"Restored brand as revision 5, with its rules, checks and history. {PROPOSED}",
        )
    ]


def test_an_import_with_review_on_says_its_changes_are_only_proposed(
    organization: Organization, editor: User
) -> None:
    organization_configure(organization=organization, review_required=True)

    notes = [
        text
        for _level, text in _messages(_import(_client(editor), organization))
        if "waits for review" in text
    ]

    assert notes == [
        "Every change is proposed — waits for review: a reviewer approves it before it reaches "
        "production (the approved channel)."
    ]


def _import(client: Client, organization: Organization) -> Any:
    """A CSV import of one rule through the admin's two steps (dry run, confirm)."""
    rows = io.BytesIO(b"dictionary,mode,match,replace\nbrand,rewrite,QP,cue pee\n")
    rows.name = "rows.csv"
    url = "/admin/pronunciations/dictionary/import/"
    dry = client.post(
        url,
        {
            "import_file": rows,
            "format": "0",
            "organization": organization.pk,
            "mode": "merge",
            "create_missing": "on",
        },
    )
    assert dry.status_code == 200
    confirm = dry.context["confirm_form"].initial
    return client.post(
        "/admin/pronunciations/dictionary/process_import/", dict(confirm), follow=True
    )


PLS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<lexicon version="1.0" '
    b'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">'
    b"<lexeme><grapheme>QP</grapheme><alias>queue pee</alias></lexeme></lexicon>"
)


def _pls_import(client: Client, dictionary: Dictionary, dry_run: bool) -> str:
    upload = io.BytesIO(PLS)
    upload.name = "brand.pls"
    form = {"file": upload, "mode": "merge", "on_conflict": "first"}
    url = f"/admin/pronunciations/dictionary/{dictionary.pk}/pls/import/"
    response = client.post(url, {**form, "dry_run": "on"} if dry_run else form)
    assert response.status_code == 200
    return response.content.decode()


def test_a_pls_import_with_review_on_says_its_change_is_only_proposed(
    organization: Organization, editor: User
) -> None:
    """Issue 23 item 3: the PLS import page said "Imported" alone, like a change gone live."""
    dictionary = make_dictionary(organization, "brand", modes=QP)
    organization_configure(organization=organization, review_required=True)
    client = _client(editor)

    assert PROPOSED not in _pls_import(client, dictionary, dry_run=True)
    page = _pls_import(client, dictionary, dry_run=False)

    assert f'<p id="pls-proposed">{PROPOSED}</p>' in page
    dictionary.refresh_from_db()
    assert dictionary.revision == 2
    assert PROPOSED not in _pls_import(client, dictionary, dry_run=False)  # nothing changed


def test_a_pls_import_with_review_off_says_nothing_of_review(
    organization: Organization, editor: User
) -> None:
    dictionary = make_dictionary(organization, "brand", modes=QP)

    page = _pls_import(_client(editor), dictionary, dry_run=False)

    assert "Imported: 0 rules added, 1 changed, 0 removed." in page
    assert "waits for review" not in page

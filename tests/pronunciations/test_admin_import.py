"""Issue 15: the admin's import page explains itself, keeps a refused file for this session
only, and its dry run lists the rules each dictionary would gain, change and lose."""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from orgs.models import Organization, Role
from pronunciations.admin import kept
from pronunciations.models import Dictionary
from tests.factories import make_dictionary, staff_client

pytestmark = pytest.mark.django_db
IMPORT = "/admin/pronunciations/dictionary/import/"
CONFIRM = "/admin/pronunciations/dictionary/process_import/"
CSV_FORMAT = "0"


def _editor(organization: Organization, username: str = "linguist") -> Client:
    return staff_client(organization, Role.EDITOR, username)


def _post(client: Client, organization: Organization, body: bytes | None, **extra: Any) -> str:
    data: dict[str, Any] = {
        "format": CSV_FORMAT,
        "organization": organization.pk,
        "mode": "merge",
        "create_missing": "on",
    }
    if body is not None:
        data["import_file"] = SimpleUploadedFile("words.csv", body)
    return str(client.post(IMPORT, {**data, **extra}).content.decode())


def _kept_token(page: str) -> str:
    found = re.search(r'name="kept_file" value="([^"]+)"', page)
    assert found, "no kept file offered"
    return found[1]


def test_the_form_preselects_the_only_organization_and_explains_each_mode(
    organization: Organization,
) -> None:
    page = _editor(organization).get(IMPORT).content.decode()

    assert f'<option value="{organization.pk}" selected>' in page
    assert (
        "Merge: the file&#x27;s rules are added, and a rule with the same match is updated" in page
    )
    assert "Replace: each dictionary named in the file gets exactly the file&#x27;s rules" in page
    assert "<code>metadata.</code> columns set the dictionary's metadata" in page
    assert 'href="/admin/pronunciations/dictionary/import/template.csv"' in page


def test_the_template_is_a_file_the_import_takes(organization: Organization) -> None:
    client = _editor(organization)
    template = client.get(f"{IMPORT}template.csv")
    body = b"".join(template.streaming_content)  # type: ignore[attr-defined]
    assert template["Content-Disposition"] == 'attachment; filename="lexicon-import-template.csv"'
    assert body.decode("utf-8-sig").splitlines()[0] == (
        "dictionary,mode,match,replace,ipa,position,metadata.language,metadata.use_case"
    )
    assert client.get(f"{IMPORT}template.xlsx").status_code == 200
    assert client.get(f"{IMPORT}template.pls").status_code == 404

    page = _post(client, organization, body, create_missing="on")

    assert "support-pronunciations — created" in page
    assert "Confirm import" in page


def test_the_dry_run_lists_each_dictionarys_rules_added_changed_and_removed(
    organization: Organization,
) -> None:
    make_dictionary(
        organization,
        "brand",
        modes={
            "rewrite": {
                "rules": [{"match": "SLNG", "replace": "slang"}, {"match": "old", "replace": "x"}]
            }
        },
    )
    body = (
        b"dictionary,mode,match,replace\n"
        b"brand,rewrite,SLNG,s l n g\nbrand,rewrite,QubePay,cube pay\n"
    )

    page = _post(_editor(organization), organization, body, mode="replace")

    assert "brand — changed" in page
    assert (
        '<tr class="plan-added"><td>added</td><td>rewrite</td><td>QubePay</td><td>cube pay</td>'
        in page
    )
    assert "<td>SLNG</td><td><del>slang</del> → s l n g</td>" in page
    assert '<tr class="plan-removed"><td>removed</td><td>rewrite</td><td>old</td>' in page
    assert Dictionary.objects.get().rules.count() == 2


def test_errors_use_the_spreadsheets_row_numbers_once(organization: Organization) -> None:
    page = _post(
        _editor(organization), organization, b"dictionary,mode,match,replace\nd,rewrite,,x\n"
    )

    assert "Row 2, column <code>match</code>: must not be empty or whitespace only" in page
    assert "Line number" not in page


def test_a_refused_file_is_kept_and_submitted_again_without_choosing_it(
    organization: Organization,
) -> None:
    client = _editor(organization)
    refused = _post(
        client, organization, b"dictionary,mode,match,replace\nnew,rewrite,A,b\n", create_missing=""
    )
    assert "no dictionary named &#x27;new&#x27;" in refused
    token = _kept_token(refused)
    assert "Your file <strong>words.csv</strong> is kept" in refused
    assert 'name="import_file" class="guess_format" id="id_import_file"' in refused  # optional

    again = _post(client, organization, None, kept_file=token, create_missing="on")

    assert "new — created" in again
    confirm = re.search(r'name="import_file_name" value="([^"]+)"', again)
    assert confirm is not None
    done = client.post(
        CONFIRM,
        {
            "import_file_name": confirm[1],
            "original_file_name": "words.csv",
            "format": CSV_FORMAT,
            "organization": organization.pk,
            "mode": "merge",
            "create_missing": "on",
        },
    )
    assert done.status_code == 302
    assert Dictionary.objects.get().name == "new"
    assert kept.current(client.session) is None  # nothing left behind
    assert not (kept.directory() / token).exists()


def test_another_session_cannot_use_a_kept_or_confirm_file_by_its_name(
    organization: Organization,
) -> None:
    mine = _editor(organization)
    token = _kept_token(
        _post(mine, organization, b"dictionary,mode,match,replace\nnew,rewrite,,b\n")
    )
    theirs = _editor(organization, "someone-else")

    reused = _post(theirs, organization, None, kept_file=token, create_missing="on")
    assert "This field is required." in reused
    confirmed = theirs.post(
        CONFIRM,
        {
            "import_file_name": token,
            "original_file_name": "words.csv",
            "format": CSV_FORMAT,
            "organization": organization.pk,
            "mode": "merge",
            "create_missing": "on",
        },
        follow=True,
    )
    assert (
        "This import&#x27;s file is no longer kept: choose it again." in confirmed.content.decode()
    )
    assert not Dictionary.objects.exists()


def test_a_kept_file_expires(organization: Organization, settings: Any) -> None:
    client = _editor(organization)
    token = _kept_token(
        _post(client, organization, b"dictionary,mode,match,replace\nnew,rewrite,,b\n")
    )
    settings.LEXICON_IMPORT_KEEP_SECONDS = -1

    page = _post(client, organization, None, kept_file=token, create_missing="on")

    assert "This field is required." in page
    assert "is kept" not in page

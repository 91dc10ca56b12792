"""Issue 22 items 7 and 8: names a URL keeps as written, and no invisible characters in names
or matches, refused at every entry point (API and import through gunicorn, the admin's form)."""

import io
import unicodedata
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from orgs.models import Organization
from pronunciations.models import Dictionary
from tests.hostile.test_inputs import API, _add_form, dictionary, invalid

DOTS = "must not be only dots: HTTP clients remove '.' and '..' from a URL"
INVISIBLE = [
    "\u200b",  # zero width space
    "\u200c",  # zero width non-joiner
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\ufeff",  # byte-order mark
    "\u00ad",  # soft hyphen
]


def invisible(char: str) -> str:
    name = f"U+{ord(char):04X} {unicodedata.name(char)}"
    return f"must not contain invisible or bidirectional-control characters ({name})"


@pytest.mark.parametrize("name", [".", "..", "..."])
def test_create_refuses_names_only_of_dots(acme: httpx.Client, name: str) -> None:
    """Issue 22: ``.`` and ``..`` were stored; clients drop them from the path, so their
    updates and deletes never reached SLNG."""
    response = acme.post(f"{API}/dictionaries", json=dictionary(name, ("a", "b")))

    invalid(response, {"name": [DOTS]})


def test_names_with_dots_and_letters_are_still_names(acme: httpx.Client) -> None:
    response = acme.post(f"{API}/dictionaries", json=dictionary(".brand..v2", ("a", "b")))

    assert response.status_code == 201, response.text
    assert acme.get(f"{API}/dictionaries/.brand..v2").status_code == 200


def test_import_refuses_names_only_of_dots(acme: httpx.Client) -> None:
    """Issue 22: the import is an entry point of its own (a row's dictionary column)."""
    data = b"dictionary,mode,match,replace\n..,rewrite,a,b\n"

    response = acme.post(
        f"{API}/import", files={"file": ("d.csv", data)}, data={"create_missing": "true"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["fieldErrors"] == {"rows[2].dictionary": [DOTS]}


@pytest.mark.django_db
def test_the_admin_refuses_names_only_of_dots(
    admin_client: Client, organization: Organization
) -> None:
    form = {**_add_form(organization, "{}", ("a", "b")), "name": ".."}

    response = admin_client.post("/admin/pronunciations/dictionary/add/", form)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [DOTS]
    assert not Dictionary.objects.filter(name="..").exists()


@pytest.mark.django_db
def test_manage_check_reports_stored_names_only_of_dots(organization: Organization) -> None:
    """Issue 22: dictionaries stored before the rule are named by ``manage.py check``."""
    now = timezone.now()
    stored = Dictionary.objects.create(  # raw ORM: the services refuse this name
        organization=organization, name="..", normalized_name="..", created_at=now
    )
    Dictionary.objects.create(organization=organization, name="a.b", normalized_name="a.b")
    out, err = io.StringIO(), io.StringIO()

    call_command("check", stdout=out, stderr=err)

    report = out.getvalue() + err.getvalue()
    assert "pronunciations.W001" in report
    assert f"Dictionary '..' ({stored.public_id}) of organization 'acme'" in report
    assert "'a.b'" not in report


@pytest.mark.parametrize("char", INVISIBLE)
def test_create_refuses_invisible_characters_in_matches(acme: httpx.Client, char: str) -> None:
    """Issue 22: a match with U+200B looked the same as one without, so two rules could."""
    response = acme.post(f"{API}/dictionaries", json=dictionary("d", (f"Qube{char}Pay", "b")))

    invalid(response, {"modes.rewrite.rules[0].match": [invisible(char)]})


def test_a_rule_put_refuses_invisible_characters_in_its_match(
    acme: httpx.Client, brand: str
) -> None:
    body = {"match": "SL\u200dNG", "replace": "slang"}

    response = acme.put(f"{API}/dictionaries/{brand}/rules/rewrite/SLNG", json=body)

    assert response.status_code == 400, response.text
    assert invisible("\u200d") in response.json()["fieldErrors"]["match"]


def test_names_with_invisible_characters_say_which(acme: httpx.Client) -> None:
    response = acme.post(f"{API}/dictionaries", json=dictionary("bra\u202end", ("a", "b")))

    errors: dict[str, Any] = response.json()["fieldErrors"]
    assert response.status_code == 400
    assert errors["name"][0] == invisible("\u202e")


def test_import_refuses_invisible_characters_in_matches(acme: httpx.Client) -> None:
    data = "dictionary,mode,match,replace\nd,rewrite,Qube\u2066Pay,b\n".encode()

    response = acme.post(
        f"{API}/import", files={"file": ("d.csv", data)}, data={"create_missing": "true"}
    )

    assert response.status_code == 400, response.text
    assert invisible("\u2066") in str(response.json()["fieldErrors"])


@pytest.mark.django_db
def test_the_admin_rules_editor_names_the_invisible_character(
    admin_client: Client, organization: Organization
) -> None:
    form = _add_form(organization, "{}", ("Qube\u200bPay", "b"))

    response = admin_client.post("/admin/pronunciations/dictionary/add/", form)

    assert response.status_code == 200
    assert "invisible character (U+200B ZERO WIDTH SPACE)" in response.content.decode()
    assert not Dictionary.objects.filter(name="admin-made").exists()

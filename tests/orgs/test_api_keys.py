"""API keys: stored only as digests, resolved to their organization, refused once revoked."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from orgs.authentication import BearerKeyAuthentication
from orgs.keys import key_digest
from orgs.models import APIKey, Organization
from orgs.services import IssuedKey, api_key_create, api_key_revoke
from tests.conftest import client_with_key

URL = "/v1/pronunciation/dictionaries"

pytestmark = pytest.mark.django_db


def test_only_the_digest_of_a_key_is_stored(issued_key: IssuedKey) -> None:
    row = APIKey.objects.get(pk=issued_key.api_key.pk)
    stored = " ".join(str(value) for value in row.__dict__.values())

    assert issued_key.plaintext not in stored
    # The secret may itself start with "_" or "-": cut the known prefix, never split on "_".
    secret = issued_key.plaintext.removeprefix(f"lex_{row.prefix}_")
    assert len(secret) == 43
    assert secret not in stored
    assert row.digest == key_digest(issued_key.plaintext)
    assert issued_key.plaintext not in repr(row) + str(row)


def test_a_key_resolves_to_its_organization_and_label(
    api: APIClient, organization: Organization
) -> None:
    body = api.post(URL, {"name": "d", "modes": {"rewrite": {"rules": []}}}, format="json").json()

    assert body["org_id"] == organization.public_id
    assert body["created_by_key_label"] == "production-key"


def test_the_resolved_key_carries_its_whole_organization(
    issued_key: IssuedKey, organization: Organization
) -> None:
    """The key and its organization come from one hand-written query: every field must match."""
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {issued_key.plaintext}")
    resolved = BearerKeyAuthentication().authenticate(Request(request))
    assert resolved is not None
    key = resolved[1]

    assert (key.pk, key.label, key.digest, key.revoked_at) == (
        issued_key.api_key.pk,
        "production-key",
        issued_key.api_key.digest,
        None,
    )
    resolved_org = key.organization
    assert [getattr(resolved_org, f.attname) for f in Organization._meta.concrete_fields] == [
        getattr(organization, f.attname) for f in Organization._meta.concrete_fields
    ]


def test_use_is_recorded_in_last_used_at(api: APIClient, issued_key: IssuedKey) -> None:
    assert issued_key.api_key.last_used_at is None

    api.get(URL)

    issued_key.api_key.refresh_from_db()
    assert issued_key.api_key.last_used_at is not None


def test_a_revoked_key_gets_401(api: APIClient, issued_key: IssuedKey) -> None:
    assert api.get(URL).status_code == 200

    api_key_revoke(api_key=issued_key.api_key)

    response = api.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "pronunciation_unauthenticated"


def test_a_key_with_a_known_prefix_but_wrong_secret_gets_401(issued_key: IssuedKey) -> None:
    forged = issued_key.plaintext[:-4] + (
        "AAAA" if not issued_key.plaintext.endswith("AAAA") else "BBBB"
    )

    assert client_with_key(forged).get(URL).status_code == 401


def test_create_org_and_create_api_key_commands_are_scriptable(db: None) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_org", "initech", "--name", "Initech", stdout=out, stderr=err)
    org_id = out.getvalue().strip()
    assert re.fullmatch(r"org_[0-9A-Z]{26}", org_id)
    assert Organization.objects.get(slug="initech").name == "Initech"

    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", "initech", "--label", "ci", stdout=out, stderr=err)

    key = out.getvalue().strip()
    assert re.fullmatch(r"lex_[a-z0-9]{8}_[A-Za-z0-9_-]{43}", key)
    assert key not in err.getvalue()
    assert "shown only now" in err.getvalue()
    body = client_with_key(key).get(URL).json()
    assert body == {"dictionaries": []}


def test_create_api_key_for_an_unknown_org_fails_clearly(db: None) -> None:
    with pytest.raises(CommandError, match="no organization with slug 'nope'"):
        call_command("create_api_key", "nope", "--label", "x")


def test_create_org_refuses_a_taken_or_invalid_slug(organization: Organization) -> None:
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_org", "acme")
    with pytest.raises(CommandError, match="invalid slug"):
        call_command("create_org", "Not A Slug")


def test_keys_of_two_orgs_are_independent(
    organization: Organization, other_organization: Organization
) -> None:
    first = api_key_create(organization=organization, label="same")
    second = api_key_create(organization=other_organization, label="same")

    assert first.plaintext != second.plaintext
    assert first.api_key.prefix != second.api_key.prefix

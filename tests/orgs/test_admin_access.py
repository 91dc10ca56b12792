"""Admin access by role: keys shown once, SLNG keys write-only, schedules scoped to the org."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_celery_beat.models import PeriodicTask

from orgs.models import APIKey, Membership, Organization, Role
from sync.crypto import secret_decrypt
from sync.models import SyncTarget
from sync.services import target_create

pytestmark = pytest.mark.django_db


def _client(username: str, organization: Organization, role: str) -> Client:
    user = User.objects.create_user(username, password="pw-for-tests", is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    client = Client()
    client.force_login(user)
    return client


def test_an_org_admin_creates_a_key_whose_secret_is_shown_once(organization: Organization) -> None:
    client = _client("boss", organization, Role.ADMIN)

    response = client.post(
        "/admin/orgs/apikey/add/", {"organization": organization.pk, "label": "ci"}, follow=True
    )

    text = response.content.decode()
    [plaintext] = re.findall(r"lex_[a-z0-9]{8}_[A-Za-z0-9_-]{43}", text)
    key = APIKey.objects.get(label="ci")
    assert plaintext not in key.digest
    listing = client.get("/admin/orgs/apikey/").content.decode()
    assert plaintext not in listing
    assert f"lex_{key.prefix}" in listing


def test_an_editor_cannot_manage_keys_or_targets(organization: Organization) -> None:
    client = _client("writer", organization, Role.EDITOR)

    assert client.get("/admin/orgs/apikey/").status_code == 403
    assert client.get("/admin/sync/synctarget/add/").status_code == 403


def test_the_slng_key_is_write_only_and_kept_when_left_blank(organization: Organization) -> None:
    client = _client("boss", organization, Role.ADMIN)
    target = target_create(
        organization=organization,
        name="prod",
        base_url="https://api.slng.ai",
        ws_url="wss://api.slng.ai",
        api_key="sk_live_secret",
    )
    page = client.get(f"/admin/sync/synctarget/{target.pk}/change/").content.decode()
    assert "sk_live_secret" not in page
    assert target.encrypted_api_key not in page

    form = {
        "organization": organization.pk,
        "name": "prod",
        "base_url": "https://api.slng.ai",
        "ws_url": "wss://api.slng.ai",
        "model": "deepgram/aura:2",
        "voice": "",
        "enabled": "on",
        "interval_seconds": "600",
        "verify_route": "bridge",
        "channel": "latest",
        "api_key": "",
        "runs-TOTAL_FORMS": "0",
        "runs-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/sync/synctarget/{target.pk}/change/", form)

    assert response.status_code == 302
    target.refresh_from_db()
    assert secret_decrypt(target.encrypted_api_key) == "sk_live_secret"
    assert target.interval_seconds == 600
    task = PeriodicTask.objects.get(name=f"sync {target.public_id}")
    assert task.interval is not None
    assert task.interval.every == 600


def test_schedules_are_limited_to_the_users_organizations(
    organization: Organization, other_organization: Organization
) -> None:
    mine = target_create(
        organization=organization,
        name="prod",
        base_url="https://a.example",
        ws_url="wss://a.example",
        api_key="k1",
    )
    theirs = target_create(
        organization=other_organization,
        name="prod",
        base_url="https://b.example",
        ws_url="wss://b.example",
        api_key="k2",
    )
    client = _client("boss", organization, Role.ADMIN)

    listing = client.get("/admin/django_celery_beat/periodictask/").content.decode()

    assert mine.public_id in listing
    assert theirs.public_id not in listing
    other_task = PeriodicTask.objects.get(name=f"sync {theirs.public_id}")
    response = client.get(f"/admin/django_celery_beat/periodictask/{other_task.pk}/change/")
    assert response.status_code == 302  # "doesn't exist", back to the index
    assert SyncTarget.objects.count() == 2


def test_a_new_keys_secret_is_on_its_own_page_never_in_a_cookie(organization: Organization) -> None:
    """Issue 22: the plaintext travelled in Django's messages cookie after the redirect."""
    client = _client("boss", organization, Role.ADMIN)

    response = client.post(
        "/admin/orgs/apikey/add/", {"organization": organization.pk, "label": "ci"}
    )

    [plaintext] = re.findall(r"lex_[a-z0-9]{8}_[A-Za-z0-9_-]{43}", response.content.decode())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert all(plaintext not in morsel.value for morsel in response.cookies.values())
    assert all(plaintext not in morsel.value for morsel in client.cookies.values())
    key = APIKey.objects.get(label="ci")
    assert plaintext not in client.get(f"/admin/orgs/apikey/{key.pk}/change/").content.decode()

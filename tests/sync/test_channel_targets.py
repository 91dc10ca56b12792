"""Issue 14: a target's channel and ``after``, checked in one place for every writer (service,
command, admin): same organization, not itself, no cycle, a known channel."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from orgs.models import Organization
from sync.emulator import EmulatorThread
from sync.models import Channel, SyncTarget
from sync.services import target_update
from tests.sync.conftest import target_form
from tests.sync.test_channels import target_named as _target

pytestmark = pytest.mark.django_db


def _refusal(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_a_target_cannot_wait_for_another_organizations_target(
    organization: Organization, other_organization: Organization
) -> None:
    theirs = _target(other_organization, "staging")

    with pytest.raises(ValidationError) as refused:
        _target(organization, "production", after=theirs)

    assert _refusal(refused) == {"after": ["Choose a target of the same organization."]}
    assert not SyncTarget.objects.filter(organization=organization).exists()


def test_a_target_cannot_wait_for_itself(organization: Organization) -> None:
    staging = _target(organization, "staging")

    with pytest.raises(ValidationError) as refused:
        target_update(target=staging, after=staging)

    assert _refusal(refused) == {"after": ["A target cannot wait for its own verification."]}


def test_after_cannot_close_a_cycle(organization: Organization) -> None:
    staging = _target(organization, "staging")
    canary = _target(organization, "canary", after=staging)
    production = _target(organization, "production", after=canary)

    with pytest.raises(ValidationError) as refused:
        target_update(target=staging, after=production)

    assert _refusal(refused) == {
        "after": ["production already waits, directly or not, for staging: a cycle."]
    }
    staging.refresh_from_db()
    assert staging.after is None


def test_an_unknown_channel_is_refused(organization: Organization) -> None:
    with pytest.raises(ValidationError) as refused:
        _target(organization, "production", channel="nightly")

    assert _refusal(refused) == {"channel": ["Choose one of: latest, approved."]}


def test_the_command_creates_production_on_approved_after_staging(
    organization: Organization, slng: EmulatorThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLNG_API_KEY", "sk_from_env")
    common = ["--org", "acme", "--base-url", slng.base_url, "--ws-url", slng.ws_url]
    err = io.StringIO()
    call_command("create_sync_target", "staging", *common, stdout=io.StringIO(), stderr=err)

    call_command(
        "create_sync_target",
        "production",
        *common,
        "--channel",
        "approved",
        "--after",
        "staging",
        stdout=io.StringIO(),
        stderr=err,
    )

    production = SyncTarget.objects.get(name="production")
    assert (production.channel, production.after) == (
        Channel.APPROVED,
        SyncTarget.objects.get(name="staging"),
    )
    assert "Created target acme/production on approved after staging" in err.getvalue()


def test_the_command_refuses_an_after_target_the_organization_does_not_have(
    organization: Organization,
    other_organization: Organization,
    slng: EmulatorThread,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _target(other_organization, "staging")
    monkeypatch.setenv("SLNG_API_KEY", "sk_from_env")

    with pytest.raises(CommandError, match="acme has no target named 'staging'"):
        call_command(
            "create_sync_target",
            *["production", "--org", "acme", "--base-url", slng.base_url],
            *["--ws-url", slng.ws_url, "--after", "staging"],
            stdout=io.StringIO(),
        )
    assert not SyncTarget.objects.filter(organization__slug="acme").exists()


def test_the_admin_form_sets_channel_and_after_and_refuses_a_cycle(
    organization: Organization, boss: Client
) -> None:
    staging = _target(organization, "staging")
    production = _target(organization, "production")
    url = "/admin/sync/synctarget/{}/change/"

    saved = boss.post(
        url.format(production.pk), target_form(production, channel="approved", after=staging.pk)
    )
    cycle = boss.post(url.format(staging.pk), target_form(staging, after=production.pk))

    assert saved.status_code == 302
    production.refresh_from_db()
    assert (production.channel, production.after_id) == ("approved", staging.pk)
    assert cycle.context["adminform"].form.errors["after"] == [
        "production already waits, directly or not, for staging: a cycle."
    ]


def test_the_admin_offers_no_other_organizations_target_as_after(
    organization: Organization, other_organization: Organization, boss: Client
) -> None:
    theirs = _target(other_organization, "their-staging")
    production = _target(organization, "production")

    page = boss.get(f"/admin/sync/synctarget/{production.pk}/change/").content.decode()
    response = boss.post(
        f"/admin/sync/synctarget/{production.pk}/change/", target_form(production, after=theirs.pk)
    )

    assert "their-staging" not in page
    assert "after" in response.context["adminform"].form.errors
    production.refresh_from_db()
    assert production.after is None


def test_the_targets_endpoint_shows_channel_and_after(
    organization: Organization, api: APIClient
) -> None:
    staging = _target(organization, "staging")
    _target(organization, "production", channel=Channel.APPROVED, after=staging)

    targets = api.get("/v1/sync/targets").json()["targets"]

    assert [(t["name"], t["channel"], t["after"]) for t in targets] == [
        ("production", "approved", "staging"),
        ("staging", "latest", None),
    ]

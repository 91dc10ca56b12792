"""Sync runs against the emulator over real sockets: push, replace, prune, verify, faults."""

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.services import dictionary_delete, dictionary_update
from sync.emulator import EmulatorThread
from sync.models import RunStatus, SyncState, SyncStatus, SyncTarget
from sync.services import target_create, target_run
from tests.conftest import SLNG_KEY_ACME, SLNG_KEY_GLOBEX, UPSTREAM_ORG_GLOBEX
from tests.factories import make_dictionary
from tests.sync.conftest import upstream, writes

pytestmark = pytest.mark.django_db


def _run(target: SyncTarget) -> Any:
    return target_run(
        target_id=target.public_id, organization_id=target.organization.public_id, trigger="manual"
    )


def _states(target: SyncTarget) -> dict[str, str]:
    return {s.dictionary.name: s.status for s in SyncState.objects.filter(target=target)}


def test_first_sync_creates_and_verifies_everything(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    brand = make_dictionary(organization, "brand", metadata={"language": "en-US"})
    make_dictionary(organization, "support", rules=3)

    run = _run(target)

    assert (run.status, run.created, run.verified, run.failed) == ("succeeded", 2, 2, 0)
    held = upstream(slng)
    assert sorted(held) == ["brand", "support"]
    assert held["brand"]["modes"] == {
        "rewrite": {
            "rules": [
                {"match": "word0", "replace": "replacement 0"},
                {"match": "word1", "replace": "replacement 1"},
            ]
        }
    }
    assert held["brand"]["metadata"] == {"language": "en-US"}
    assert _states(target) == {"brand": "verified", "support": "verified"}
    state = SyncState.objects.get(dictionary=brand)
    assert (state.pushed_revision, state.upstream_id) == (1, held["brand"]["id"])
    # each verification sent the shortest match and the model received its replacement
    assert [s.texts for s in slng.state.sessions()] == [["replacement 0"], ["replacement 0"]]


def test_an_unchanged_resync_makes_one_list_call_and_no_write(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    make_dictionary(organization, "brand")
    _run(target)
    slng.state.clear_requests()
    sessions = len(slng.state.sessions())

    run = _run(target)

    assert [(r.method, r.path) for r in slng.state.requests()] == [
        ("GET", "/v1/pronunciation/dictionaries")
    ]
    assert (run.unchanged, run.created, run.replaced, run.http_calls) == (1, 0, 0, 1)
    assert len(slng.state.sessions()) == sessions


def test_an_edit_replaces_exactly_that_dictionary(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    make_dictionary(organization, "brand")
    make_dictionary(organization, "other")
    _run(target)
    old_id = upstream(slng)["brand"]["id"]
    slng.state.clear_requests()
    new_modes = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}
    dictionary_update(organization=organization, name="brand", modes=new_modes)

    run = _run(target)

    assert writes(slng) == [
        ("DELETE", "/v1/pronunciation/dictionaries/brand"),
        ("POST", "/v1/pronunciation/dictionaries"),
    ]
    assert (run.replaced, run.unchanged, run.verified) == (1, 1, 1)
    assert upstream(slng)["brand"]["modes"] == new_modes
    assert upstream(slng)["brand"]["id"] != old_id
    state = SyncState.objects.get(dictionary__name="brand")
    assert (state.status, state.pushed_revision) == ("verified", 2)
    assert state.window_ms is not None


def test_a_metadata_change_is_pushed_too(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    make_dictionary(organization, "brand")
    _run(target)

    dictionary_update(organization=organization, name="brand", metadata={"x": 1}, partial=True)

    assert _run(target).replaced == 1
    assert upstream(slng)["brand"]["metadata"] == {"x": 1}


def test_delete_here_with_pruning_removes_upstream(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    make_dictionary(organization, "brand")
    _run(target)
    slng.state.create_dictionary(
        org_id="org_upstream_acme",
        body={"name": "made-elsewhere", "modes": {"rewrite": {"rules": []}}},
    )
    dictionary_delete(organization=organization, name="brand")

    assert _run(target).deleted == 0
    assert "brand" in upstream(slng)

    target.prune = True
    target.save()
    run = _run(target)

    assert run.deleted == 1
    assert sorted(upstream(slng)) == ["made-elsewhere"]
    assert not SyncState.objects.filter(target=target).exists()


def test_503_bursts_and_websocket_drops_are_survived(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    make_dictionary(organization, "brand")
    make_dictionary(organization, "support")
    slng.state.fail_http(3)
    slng.state.drop_ws(0, sessions=2)

    run = _run(target)

    assert (run.status, run.verified) == ("succeeded", 2)
    assert sorted(upstream(slng)) == ["brand", "support"]


def test_a_dictionary_tts_cannot_see_is_a_failed_verification_visible_in_the_api(
    organization: Organization, target: SyncTarget, slng: EmulatorThread, api: APIClient
) -> None:
    make_dictionary(organization, "brand")
    slng.state.set_visibility_delay(60_000)

    run = _run(target)

    assert (run.status, run.failed, run.verified) == ("failed", 1, 0)
    body = api.get("/v1/pronunciation/dictionaries/brand/sync").json()
    [state] = body["targets"]
    assert state["status"] == "failed"
    assert state["last_error"] == {
        "code": "pronunciation_not_found",
        "message": "Pronunciation dictionary not found: brand",
    }
    assert len(slng.state.sessions()) == 2  # verified, pushed once more, verified again


def test_a_dictionary_visible_after_a_moment_is_verified_on_the_retry(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    make_dictionary(organization, "brand")
    slng.state.set_visibility_delay(100)

    run = _run(target)

    assert (run.status, run.verified) == ("succeeded", 1)


def test_slng_down_fails_the_run_clearly_and_changes_nothing_locally(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    make_dictionary(organization, "brand")
    slng.stop()

    run = _run(target)

    assert run.status == RunStatus.FAILED
    assert run.error.startswith("SlngUnavailable: GET /v1/pronunciation/dictionaries: ConnectError")
    assert not SyncState.objects.exists()
    target.refresh_from_db()
    assert target.lease_until is None


def test_another_orgs_target_and_key_are_never_used(
    organization: Organization,
    other_organization: Organization,
    target: SyncTarget,
    slng: EmulatorThread,
) -> None:
    make_dictionary(organization, "ours")
    make_dictionary(other_organization, "theirs")
    theirs = target_create(
        organization=other_organization,
        name="production",
        base_url=slng.base_url,
        ws_url=slng.ws_url,
        api_key=SLNG_KEY_GLOBEX,
    )

    _run(target)

    assert sorted(upstream(slng)) == ["ours"]
    assert upstream(slng, UPSTREAM_ORG_GLOBEX) == {}
    _run(theirs)
    assert sorted(upstream(slng, UPSTREAM_ORG_GLOBEX)) == ["theirs"]
    assert {r.org_id for r in slng.state.requests()} == {"org_upstream_acme", UPSTREAM_ORG_GLOBEX}


def test_the_slng_key_is_encrypted_at_rest_and_never_returned(
    target: SyncTarget, api: APIClient
) -> None:
    target.refresh_from_db()
    assert SLNG_KEY_ACME not in target.encrypted_api_key
    assert SLNG_KEY_ACME not in repr(target) + str(target)
    response = api.get("/v1/sync/targets")
    assert SLNG_KEY_ACME not in response.content.decode()
    assert response.json()["targets"][0]["name"] == "production"


def test_sync_state_endpoint_lists_pending_targets(
    organization: Organization, target: SyncTarget, api: APIClient
) -> None:
    make_dictionary(organization, "brand")

    body = api.get("/v1/pronunciation/dictionaries/brand/sync").json()

    assert body == {
        "dictionary": "brand",
        "revision": 1,
        "targets": [
            {
                "target": "production",
                "target_id": target.public_id,
                "status": "pending",
                "pushed_revision": None,
                "upstream_id": None,
                "last_error": None,
                "attempts": 0,
                "synced_at": None,
                "verified_at": None,
                "window_ms": None,
                "channel": "latest",
                "after": None,
                "live_revision": None,
                "due_revision": 1,
                "waiting": None,
                "model": "deepgram/aura:2",
                "compiled_as": "deepgram-json",
                "not_audible": None,
            }
        ],
    }


def test_create_sync_target_reads_the_key_from_the_environment(
    organization: Organization, slng: EmulatorThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLNG_API_KEY", "sk_from_env")
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "create_sync_target",
        "acme",
        "staging",
        "--base-url",
        slng.base_url,
        "--ws-url",
        slng.ws_url,
        stdout=out,
        stderr=err,
    )

    target = SyncTarget.objects.get(name="staging")
    assert out.getvalue().strip() == target.public_id
    assert "sk_from_env" not in out.getvalue() + err.getvalue() + target.encrypted_api_key


def test_sync_dictionaries_dry_run_prints_the_plan_and_writes_nothing(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    make_dictionary(organization, "brand")
    out = io.StringIO()

    call_command("sync_dictionaries", "acme", "--dry-run", stdout=out)

    assert out.getvalue().splitlines() == [
        "  create    brand",
        "acme/production: plan: 1 create",
    ]
    assert upstream(slng) == {}


def test_sync_dictionaries_wait_runs_and_fails_loudly(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    make_dictionary(organization, "brand")
    out, err = io.StringIO(), io.StringIO()
    call_command("sync_dictionaries", "acme", "--wait", stdout=out, stderr=err)
    assert "acme/production: succeeded" in out.getvalue()
    assert "[1/1] create brand" in err.getvalue()

    slng.state.set_visibility_delay(60_000)
    dictionary_update(organization=organization, name="brand", metadata={"v": 2}, partial=True)
    with pytest.raises(CommandError, match="some dictionaries failed"):
        call_command("sync_dictionaries", "acme", "--wait", stdout=out, stderr=err)


def test_status_reads_pending_after_a_local_change(
    organization: Organization, target: SyncTarget, slng: EmulatorThread, api: APIClient
) -> None:
    make_dictionary(organization, "brand")
    _run(target)
    assert api.get("/v1/pronunciation/dictionaries/brand/sync").json()["targets"][0]["status"] == (
        SyncStatus.VERIFIED
    )

    dictionary_update(organization=organization, name="brand", metadata={"v": 2}, partial=True)

    assert api.get("/v1/pronunciation/dictionaries/brand/sync").json()["targets"][0]["status"] == (
        "pending"
    )

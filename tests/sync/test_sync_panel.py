"""Issue 15 item 6: the sync panel's JSON endpoint (scoped, settled or not, checked at, its run)
and sync failures in plain words."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from orgs.models import Organization, Role
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_update
from sync.failures import explain, explain_run
from sync.models import RunStatus, SyncRun, SyncStatus, SyncTarget
from sync.services import target_create
from tests.factories import make_dictionary, staff_client, sync_state

pytestmark = pytest.mark.django_db


def _client(organization: Organization, role: str) -> Client:
    return staff_client(organization, role, f"u-{role}")


@pytest.fixture
def target(organization: Organization) -> SyncTarget:
    return target_create(
        organization=organization,
        name="production",
        base_url="https://slng.invalid",
        ws_url="wss://slng.invalid",
        api_key="sk_unused",
    )


def _status(client: Client, dictionary: Dictionary, query: str = "") -> dict:
    response = client.get(f"/admin/pronunciations/dictionary/{dictionary.pk}/sync/status/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def _verified(organization: Organization, target: SyncTarget) -> Dictionary:
    """A dictionary the target verified just now at its current revision."""
    dictionary = make_dictionary(organization)
    sync_state(target, dictionary, SyncStatus.VERIFIED, verified_at=timezone.now())
    return dictionary


def _run(target: SyncTarget, *, minutes_ago: float, error: str = "") -> SyncRun:
    started = timezone.now() - timedelta(minutes=minutes_ago)
    return SyncRun.objects.create(
        target=target,
        trigger="schedule",
        status=RunStatus.FAILED if error else RunStatus.SUCCEEDED,
        started_at=started,
        finished_at=started + timedelta(seconds=1),
        error=error,
    )


def test_a_pending_dictionary_is_not_settled_until_a_run_has_looked_at_it(
    organization: Organization, target: SyncTarget
) -> None:
    dictionary = make_dictionary(organization)
    viewer = _client(organization, Role.VIEWER)

    [row] = _status(viewer, dictionary)["targets"]
    assert (row["status"], row["settled"], row["checked"], row["run_url"]) == (
        "pending",
        False,
        "",
        "",
    )

    run = _run(target, minutes_ago=-0.01, error="SlngUnauthorized: GET /v1/...: 401 refused")
    body = _status(viewer, dictionary)
    [row] = body["targets"]
    assert body["settled"] is True
    assert row["what"] == "SLNG refused the target's API key."
    assert row["todo"].startswith("Ask an organization admin to enter a valid SLNG API key")
    assert row["run_url"] == f"/admin/sync/syncrun/{run.pk}/change/"


def test_an_unchanged_dictionary_shows_when_its_last_whole_run_checked_it(
    organization: Organization, target: SyncTarget
) -> None:
    dictionary = _verified(organization, target)
    run = _run(target, minutes_ago=-1)  # a later run found it unchanged and wrote nothing

    body = _status(_client(organization, Role.VIEWER), dictionary)

    [row] = body["targets"]
    assert body["settled"] is True
    assert row["status"] == "verified"
    assert row["run_label"] == f"run {run.pk}"
    assert row["checked"] != ""
    assert row["revision"] == "revision 1 on SLNG"


def test_after_a_sync_now_the_panel_waits_for_a_newer_run(
    organization: Organization, target: SyncTarget
) -> None:
    dictionary = _verified(organization, target)
    old = _run(target, minutes_ago=5)
    client = _client(organization, Role.EDITOR)

    answer = client.post(
        f"/admin/pronunciations/dictionary/{dictionary.pk}/sync/",
        HTTP_ACCEPT="application/json",
    ).json()

    assert answer["after"] == old.pk
    assert _status(client, dictionary, f"?after={old.pk}")["settled"] is False
    _run(target, minutes_ago=-1)
    assert _status(client, dictionary, f"?after={old.pk}")["settled"] is True


def test_a_failure_older_than_the_last_change_does_not_settle_the_panel(
    organization: Organization, target: SyncTarget
) -> None:
    dictionary = make_dictionary(organization)
    sync_state(
        target,
        dictionary,
        SyncStatus.FAILED,
        last_error_code="invalid_pronunciation",
        last_attempt_at=timezone.now() - timedelta(minutes=5),
    )
    dictionary_update(
        organization=organization, name=dictionary.name, metadata={"a": 1}, partial=True
    )
    dictionary.refresh_from_db()

    [row] = _status(_client(organization, Role.VIEWER), dictionary)["targets"]

    assert (row["status"], row["settled"]) == ("failed", False)
    assert row["what"] == "SLNG refused the dictionary's content."


def test_the_status_of_another_organizations_dictionary_is_not_found(
    organization: Organization, other_organization: Organization, target: SyncTarget
) -> None:
    theirs = make_dictionary(other_organization, "secret")
    client = _client(organization, Role.ADMIN)

    response = client.get(f"/admin/pronunciations/dictionary/{theirs.pk}/sync/status/")
    bad = client.get(f"/admin/pronunciations/dictionary/{theirs.pk}/sync/status/?after=x")

    assert response.status_code == 404
    assert bad.status_code == 404
    assert b"secret" not in response.content


def test_a_bad_after_is_a_400(organization: Organization, target: SyncTarget) -> None:
    dictionary = make_dictionary(organization)

    response = _client(organization, Role.VIEWER).get(
        f"/admin/pronunciations/dictionary/{dictionary.pk}/sync/status/?after=%C2%B2"
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("code", "short"),
    [
        ("pronunciation_not_found", "not found on SLNG"),
        ("auth_error", "key refused"),
        ("pronunciation_unauthenticated", "key refused"),
        ("pronunciation_unavailable", "SLNG unavailable"),
        ("rate_limit", "rate limited"),
        ("provider_error", "TTS model unavailable"),
        ("invalid_pronunciation", "content refused"),
        ("config_error", "target settings refused"),
        ("SlngUnavailable", "SLNG unavailable"),
        ("something_new", "failed"),
    ],
)
def test_every_slng_code_says_what_happened_and_what_to_do(code: str, short: str) -> None:
    explained = explain(code)

    assert explained.short == short
    assert explained.what.endswith(".")
    assert explained.todo.endswith(".")
    assert code not in explained.todo


def test_a_run_error_is_explained_by_its_type() -> None:
    assert explain_run(
        "TargetKeyUnusable: the stored SLNG key was entered for other URLs"
    ).short == ("key must be entered again")
    assert explain_run("SlngUnavailable: GET /v1/pronunciation/dictionaries: 503").short == (
        "SLNG unavailable"
    )


def test_a_run_page_is_scoped_and_read_only(
    organization: Organization, other_organization: Organization, target: SyncTarget
) -> None:
    run = _run(target, minutes_ago=1)
    url = f"/admin/sync/syncrun/{run.pk}/change/"

    mine = _client(organization, Role.VIEWER).get(url)
    theirs = _client(other_organization, Role.ADMIN).get(url)

    assert mine.status_code == 200
    assert b"Every dictionary was checked" in mine.content
    assert b'name="_save"' not in mine.content
    assert theirs.status_code == 302  # "doesn't exist", back to the index

"""Issue 17 item 1: a target's run pushes and verifies several dictionaries at once, against the
emulator with network latency, and records exactly what it did.

The emulator's request log says when each request arrived and was answered (its own monotonic
clock), which is how these tests see what was in flight at once and what waited out a 429.
"""

import io
from collections.abc import Iterable
from datetime import timedelta
from itertools import pairwise

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app
from orgs.models import Organization
from pronunciations.services import dictionary_update
from sync.emulator import EmulatorThread, RequestLogEntry
from sync.models import RunStatus, SyncRun, SyncState, SyncStatus, SyncTarget, Verification
from sync.services import TargetBusy, target_run
from sync.tasks import run_target
from tests.factories import make_dictionary
from tests.processes import Celery, wait_for
from tests.sync.conftest import emulator_target, target_form, upstream

FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED)


def _names(count: int) -> list[str]:
    return [f"dict-{i:02}" for i in range(count)]


def _dictionaries(organization: Organization, count: int, *, queued: bool = True) -> list[str]:
    """``count`` dictionaries of the organization, by name; ``queued=False`` also drops the
    runs their creates queued (for a worker test that follows only the run it starts)."""
    names = _names(count)
    for name in names:
        make_dictionary(organization, name)
    if not queued:
        app.control.purge()
        SyncRun.objects.all().delete()
    return names


def _http(requests: Iterable[RequestLogEntry]) -> list[RequestLogEntry]:
    """The dictionary calls (not the TTS handshakes)."""
    return [r for r in requests if "/tts/" not in r.path]


def _most_at_once(requests: list[RequestLogEntry]) -> int:
    """The largest number of these requests the emulator held at the same moment."""
    edges = sorted([(r.received_at, 1) for r in requests] + [(r.answered_at, -1) for r in requests])
    held = most = 0
    for _, step in edges:
        held += step
        most = max(most, held)
    return most


def _session_names(slng: EmulatorThread) -> list[str]:
    """The dictionary each TTS session named, in the order the sessions opened."""
    return [s.init["config"]["pronunciation"]["name"] for s in slng.state.sessions() if s.init]


def _verified_names(slng: EmulatorThread) -> list[str]:
    return sorted(_session_names(slng))


def _assert_every_dictionary_verified_once(
    target: SyncTarget, slng: EmulatorThread, names: list[str], *, runs: int = 1
) -> None:
    """Upstream holds each name once, each was verified once by each of ``runs``, and the
    target's states and verification facts say so."""
    held = upstream(slng)
    assert sorted(held) == names
    assert _verified_names(slng) == sorted(names * runs)
    states = SyncState.objects.filter(target=target).select_related("dictionary")
    assert sorted(
        (s.dictionary.name, s.status, s.pushed_revision == s.dictionary.revision)
        + (s.upstream_id, s.upstream_hash)
        for s in states
    ) == [(n, SyncStatus.VERIFIED, True, held[n]["id"], held[n]["content_hash"]) for n in names]
    facts = set(
        Verification.objects.filter(target=target).values_list("dictionary", "content_hash")
    )
    assert len(facts) == len(names) * runs  # one content per dictionary and run
    assert {(s.dictionary_id, s.pushed_hash) for s in states} <= facts


def _run_on_a_worker(
    target: SyncTarget, slng: EmulatorThread, celery: Celery, *, latency_ms: int
) -> None:
    """Start a real worker and send it one run of the target, with ``slng`` ``latency_ms`` away."""
    slng.state.latency_ms = latency_ms
    celery.worker()
    run_target.delay(target.public_id, target.organization.public_id, "manual")


def _run(target: SyncTarget) -> SyncRun:
    return target_run(
        target_id=target.public_id, organization_id=target.organization.public_id, trigger="manual"
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_pushes_and_verifies_every_dictionary_once_eight_at_a_time(
    organization: Organization, target: SyncTarget, slng: EmulatorThread, celery: Celery
) -> None:
    names = _dictionaries(organization, 40, queued=False)

    _run_on_a_worker(target, slng, celery, latency_ms=50)
    wait_for(lambda: SyncRun.objects.filter(status__in=FINISHED).exists(), 60, "the run")

    run = SyncRun.objects.get()
    assert (run.status, run.error) == (RunStatus.SUCCEEDED, "")
    assert (run.planned, run.done, run.created, run.verified) == (40, 40, 40, 40)
    assert (run.replaced, run.unchanged, run.deleted, run.failed) == (0, 0, 0, 0)
    posts = [r for r in slng.state.requests() if r.method == "POST"]
    assert [r.status for r in posts] == [201] * len(names)
    assert run.http_calls == len(_http(slng.state.requests())) == 1 + len(names)
    _assert_every_dictionary_verified_once(target, slng, names)
    assert SyncState.objects.get(target=target, dictionary__name="dict-07").attempts == 1
    assert 1 < _most_at_once(posts) <= target.concurrency == 8


@pytest.mark.django_db
def test_a_429_storm_pauses_every_worker_for_its_retry_after_and_the_run_records_exactly(
    organization: Organization, target: SyncTarget, slng: EmulatorThread, settings: object
) -> None:
    settings.LEXICON_SLNG_RETRY_DEADLINE_SECONDS = 60  # type: ignore[attr-defined]
    names = _dictionaries(organization, 80)
    slng.state.latency_ms = 20
    # After the list and the first eight POSTs, the next eight POSTs are refused; of the eight
    # retries four are refused again and four pass: those four must wait for the others too.
    slng.state.rate_limit_http(12, retry_after=1, after=9)

    run = _run(target)

    assert (run.status, run.created, run.verified, run.failed) == (RunStatus.SUCCEEDED, 80, 80, 0)
    requests = slng.state.requests()
    refused = [r for r in requests if r.status == 429]
    assert len(refused) == 12
    assert run.http_calls == len(_http(requests)) == 1 + len(names) + 12
    assert [r.status for r in requests if r.method == "POST"].count(201) == len(names)
    _assert_every_dictionary_verified_once(target, slng, names)
    for refusal in refused:
        # Every worker waits out the Retry-After of any 429: nothing is sent during the second
        # after one (a request already on its way when the 429 came may land just after it).
        quiet_from, quiet_until = refusal.answered_at + 0.5, refusal.answered_at + 1.0
        assert [r for r in requests if quiet_from <= r.received_at < quiet_until] == []


@pytest.mark.django_db(transaction=True)
def test_a_run_longer_than_its_lease_keeps_a_second_run_out(
    organization: Organization, target: SyncTarget, slng: EmulatorThread, celery: Celery
) -> None:
    names = _dictionaries(organization, 3, queued=False)
    # One dictionary takes four round trips of 1 s (POST, handshake, init, text): twice the
    # worker's lease (LEXICON_SYNC_LEASE_SECONDS=2, tests/processes.py).
    _run_on_a_worker(target, slng, celery, latency_ms=1000)
    wait_for(lambda: SyncRun.objects.filter(status=RunStatus.RUNNING).exists(), 30, "the run")
    run = SyncRun.objects.get()
    past_first_lease = run.started_at + timedelta(seconds=2.5)
    wait_for(lambda: timezone.now() > past_first_lease, 10, "the run's first lease to pass")

    with pytest.raises(TargetBusy):
        _run(target)

    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING  # refused while the long run still worked
    wait_for(lambda: SyncRun.objects.filter(status__in=FINISHED).exists(), 30, "the run's end")
    run.refresh_from_db()
    assert (run.status, run.created, run.verified) == (RunStatus.SUCCEEDED, 3, 3)
    assert [r.status for r in slng.state.requests() if r.method == "POST"] == [201] * 3
    _assert_every_dictionary_verified_once(target, slng, names)


@pytest.mark.django_db
def test_each_replace_deletes_and_creates_back_to_back_while_other_workers_run(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    """The delete-to-create window of a replace stays one round trip with eight workers: a
    DELETE is followed by its POST before the other workers send anything more."""
    names = _dictionaries(organization, 16)
    _run(target)
    for name in names:
        modes = {"rewrite": {"rules": [{"match": "edited", "replace": name}]}}
        dictionary_update(organization=organization, name=name, modes=modes)
    slng.state.clear_requests()
    slng.state.latency_ms = 300  # a worker's next request comes within far less than this

    run = _run(target)

    assert (run.status, run.replaced, run.verified) == (RunStatus.SUCCEEDED, 16, 16)
    arrivals = sorted(_http(slng.state.requests()), key=lambda r: r.received_at)
    deletes = [r for r in arrivals if r.method == "DELETE"]
    assert sorted(r.path.rsplit("/", 1)[1] for r in deletes) == names
    for delete in deletes:
        after = [r for r in arrivals if r.received_at > delete.answered_at]
        first_post = next(i for i, r in enumerate(after) if r.method == "POST")
        assert first_post < target.concurrency  # no wave of other requests in the window
    assert all(s.window_ms is not None for s in SyncState.objects.filter(target=target))
    assert [d["modes"]["rewrite"]["rules"][0]["replace"] for d in upstream(slng).values()] == names
    _assert_every_dictionary_verified_once(target, slng, names, runs=2)


@pytest.mark.django_db
def test_the_post_that_ends_a_replace_window_is_not_held_by_another_workers_429(
    organization: Organization, target: SyncTarget, slng: EmulatorThread, settings: object
) -> None:
    settings.LEXICON_SLNG_RETRY_DEADLINE_SECONDS = 60  # type: ignore[attr-defined]
    names = _dictionaries(organization, 8)  # one wave: every worker replaces one dictionary
    _run(target)
    for name in names:
        modes = {"rewrite": {"rules": [{"match": "edited", "replace": name}]}}
        dictionary_update(organization=organization, name=name, modes=modes)
    slng.state.clear_requests()
    slng.state.latency_ms = 100
    slng.state.rate_limit_http(1, retry_after=3, after=1)  # one of the eight DELETEs

    run = _run(target)

    assert (run.status, run.replaced, run.verified) == (RunStatus.SUCCEEDED, 8, 8)
    requests = slng.state.requests()
    (refusal,) = [r for r in requests if r.status == 429]
    assert refusal.method == "DELETE"
    # The other seven workers had deleted their dictionary: each POSTs at once, while the
    # run's pause (3 s from the 429) holds every other call, their verifications included.
    closing = [
        r for r in requests if r.method == "POST" and r.received_at < refusal.answered_at + 2
    ]
    assert len(closing) == 7
    handshakes = [r for r in requests if "/tts/" in r.path]
    assert all(r.received_at >= refusal.answered_at + 2 for r in handshakes)
    _assert_every_dictionary_verified_once(target, slng, names, runs=2)


@pytest.mark.django_db
def test_concurrency_1_sends_one_request_at_a_time_in_plan_order(
    organization: Organization, slng: EmulatorThread
) -> None:
    target = emulator_target(organization, "production", slng, concurrency=1)
    names = _dictionaries(organization, 6)
    slng.state.latency_ms = 20

    run = _run(target)

    assert (run.status, run.created, run.verified) == (RunStatus.SUCCEEDED, 6, 6)
    requests = slng.state.requests()
    assert all(later.received_at >= earlier.answered_at for earlier, later in pairwise(requests))
    assert [(r.method, "/tts/" in r.path) for r in requests] == [("GET", False)] + [
        ("POST", False),
        ("GET", True),
    ] * len(names)
    assert _session_names(slng) == names
    _assert_every_dictionary_verified_once(target, slng, names)


# -- the setting ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (0, "Choose from 1 to 32 dictionaries at once."),
        (33, "Choose from 1 to 32 dictionaries at once."),
        ("8", "Enter a whole number."),
        (True, "Enter a whole number."),
    ],
)
def test_a_concurrency_out_of_bounds_is_refused_by_field(
    organization: Organization, slng: EmulatorThread, value: object, problem: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        emulator_target(organization, "production", slng, concurrency=value)

    assert caught.value.message_dict == {"concurrency": [problem]}


@pytest.mark.django_db
def test_the_database_refuses_a_concurrency_the_validation_would(target: SyncTarget) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncTarget.objects.filter(pk=target.pk).update(concurrency=0)


@pytest.mark.django_db
def test_the_admin_form_sets_the_concurrency_and_shows_its_error_next_to_it(
    target: SyncTarget, boss: Client
) -> None:
    url = f"/admin/sync/synctarget/{target.pk}/change/"

    refused = boss.post(url, target_form(target, concurrency="40"))
    saved = boss.post(url, target_form(target, concurrency="3"))
    kept = boss.post(url, target_form(target, name="staging"))  # an older form, without it

    assert refused.context["adminform"].form.errors["concurrency"] == [
        "Choose from 1 to 32 dictionaries at once."
    ]
    assert (saved.status_code, kept.status_code) == (302, 302)
    target.refresh_from_db()
    assert (target.name, target.concurrency) == ("staging", 3)


@pytest.mark.django_db
def test_create_sync_target_takes_the_concurrency(
    organization: Organization, slng: EmulatorThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLNG_API_KEY", "sk_from_env")
    urls = ["--base-url", slng.base_url, "--ws-url", slng.ws_url]
    err = io.StringIO()

    call_command("create_sync_target", "--org", "acme", "a", *urls, stdout=io.StringIO())
    call_command(
        "create_sync_target",
        "--org",
        "acme",
        "b",
        *urls,
        "--concurrency",
        "2",
        stderr=err,
        stdout=io.StringIO(),
    )
    with pytest.raises(CommandError, match="concurrency: Choose from 1 to 32"):
        call_command("create_sync_target", "--org", "acme", "c", *urls, "--concurrency", "0")

    assert dict(SyncTarget.objects.values_list("name", "concurrency")) == {"a": 8, "b": 2}
    assert "2 dictionaries at once" in err.getvalue()


@pytest.mark.django_db
def test_the_targets_endpoint_shows_the_concurrency(
    organization: Organization, slng: EmulatorThread, api: APIClient
) -> None:
    emulator_target(organization, "production", slng, concurrency=5)

    (shown,) = api.get("/v1/sync/targets").json()["targets"]

    assert shown["concurrency"] == 5


@pytest.mark.django_db
def test_a_run_stopped_by_slng_records_exactly_what_it_did_before(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    names = _dictionaries(organization, 16)
    slng.state.latency_ms = 20
    # After the list and eight POSTs, every call is refused for longer than the client waits.
    slng.state.rate_limit_http(1000, retry_after=60, after=9)

    run = _run(target)

    assert run.status == RunStatus.FAILED
    assert run.error.startswith("SlngUnavailable: POST /v1/pronunciation/dictionaries: 429")
    held = upstream(slng)
    assert len(held) == 8
    assert (run.created, run.verified, run.failed, run.done) == (8, 8, 0, 8)
    states = SyncState.objects.filter(target=target).select_related("dictionary")
    assert sorted((s.dictionary.name, s.status, s.attempts) for s in states) == [
        (name, SyncStatus.VERIFIED, 1) for name in sorted(held)
    ]
    assert set(held) < set(names)

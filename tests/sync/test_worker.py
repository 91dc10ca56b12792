"""End to end with real Celery processes on Redis: change → push → verified; kill -9 mid-run."""

import signal
from typing import Any

import pytest
from rest_framework.test import APIClient

from config.celery import app
from orgs.models import Organization
from sync.emulator import EmulatorThread
from sync.models import RunStatus, SyncRun, SyncState, SyncStatus, SyncTarget
from sync.services import target_update
from sync.tasks import run_target
from tests.factories import make_dictionary
from tests.processes import Celery, wait_for
from tests.sync.conftest import upstream

pytestmark = pytest.mark.django_db(transaction=True)


def _state(name: str) -> SyncState | None:
    return SyncState.objects.filter(dictionary__name=name).first()


def test_a_dictionary_created_through_the_api_gets_verified_with_no_manual_step(
    api: APIClient, target: SyncTarget, slng: EmulatorThread, celery: Celery
) -> None:
    celery.worker()
    body = {
        "name": "brand",
        "modes": {"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}},
    }

    assert api.post("/v1/pronunciation/dictionaries", body, format="json").status_code == 201

    wait_for(lambda: (s := _state("brand")) and s.status == SyncStatus.VERIFIED, what="verified")
    assert upstream(slng)["brand"]["modes"] == body["modes"]
    assert SyncRun.objects.get().trigger == "change"


def test_a_worker_killed_mid_run_leaves_state_the_next_run_repairs(
    organization: Organization, target: SyncTarget, slng: EmulatorThread, celery: Celery
) -> None:
    names = [f"dict-{i:02}" for i in range(24)]  # three times the target's concurrency
    for name in names:
        make_dictionary(organization, name)
    slng.state.set_latency(http_ms=150)
    worker = celery.worker()
    run_target.delay(target.public_id, organization.public_id, "manual")
    wait_for(lambda: sum(r.method == "POST" for r in slng.state.requests()) >= 3, what="POSTs")

    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    # The first create's queued run was running; it superseded the other creates' (issue 16).
    statuses = list(SyncRun.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [RunStatus.RUNNING] + [RunStatus.SUPERSEDED] * (len(names) - 1)
    assert 3 <= len(upstream(slng)) < len(names)

    slng.state.set_latency(http_ms=0)
    celery.worker()
    run_target.delay(target.public_id, organization.public_id, "manual")
    wait_for(
        lambda: SyncRun.objects.filter(status=RunStatus.SUCCEEDED).exists(),
        what="a successful run after the kill",
    )
    assert sorted(upstream(slng)) == names
    assert all(s.status == SyncStatus.VERIFIED for s in SyncState.objects.filter(target=target))
    assert SyncState.objects.filter(target=target).count() == len(names)


def test_a_run_triggered_through_the_api_reports_its_progress_then_its_outcome(
    api: APIClient,
    organization: Organization,
    target: SyncTarget,
    slng: EmulatorThread,
    celery: Celery,
) -> None:
    """Issue 16 item 4: the trigger answers the run's id; polling it shows the counts so far
    while a worker runs it, then the outcome."""
    names = [f"dict-{i}" for i in range(10)]
    for name in names:
        make_dictionary(organization, name)
    # One dictionary at a time, so the run lasts long enough to be seen running.
    target_update(target=target, concurrency=1)
    app.control.purge()  # the creates' own runs: only the triggered one is followed here
    SyncRun.objects.all().delete()
    slng.state.set_latency(http_ms=200)
    celery.worker()

    response = api.post("/v1/pronunciation/dictionaries/dict-0/sync")
    (run,) = response.json()["runs"]
    url = f"/v1/sync/runs/{run['id']}"
    seen: list[dict[str, Any]] = []

    def poll(state: str) -> bool:
        seen.append(api.get(url).json())
        return seen[-1]["state"] == state and seen[-1]["progress"]["done"] >= 1

    wait_for(lambda: poll("running"), what="the run's progress while it runs")
    running = seen[-1]
    assert running["status"] == "running"
    assert running["progress"]["total"] == len(names)
    assert running["counts"]["created"] >= running["progress"]["done"] >= 1
    wait_for(lambda: poll("finished"), what="the run's outcome")
    finished = seen[-1]
    assert (finished["status"], finished["error"]) == ("succeeded", None)
    assert finished["progress"] == {"done": len(names), "total": len(names)}
    assert finished["counts"]["created"] == finished["counts"]["verified"] == len(names)
    order = ["queued", "running", "finished"]
    states = [order.index(body["state"]) for body in seen]
    assert states == sorted(states)  # queued until the worker took it, then running, finished
    assert SyncRun.objects.count() == 1


def test_the_beat_schedule_runs_each_target_periodically(
    organization: Organization, target: SyncTarget, slng: EmulatorThread, celery: Celery
) -> None:
    from sync.services import target_schedule

    target.interval_seconds = 1
    target.save()
    target_schedule(target)
    make_dictionary(organization, "brand")
    celery.worker()
    celery.start("beat", "--schedule", str(celery.tmp_path / "beat.db"), "--max-interval", "1")

    wait_for(
        lambda: SyncRun.objects.filter(trigger="schedule", status=RunStatus.SUCCEEDED).exists(),
        what="a scheduled run",
    )
    assert "brand" in upstream(slng)

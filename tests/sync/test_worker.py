"""End to end with real Celery processes on Redis: change → push → verified; kill -9 mid-run."""

import signal

import pytest
from rest_framework.test import APIClient

from orgs.models import Organization
from sync.emulator import EmulatorThread
from sync.models import RunStatus, SyncRun, SyncState, SyncStatus, SyncTarget
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
    names = [f"dict-{i}" for i in range(8)]
    for name in names:
        make_dictionary(organization, name)
    slng.state.set_latency(http_ms=150)
    worker = celery.worker()
    run_target.delay(target.public_id, organization.public_id, "manual")
    wait_for(lambda: sum(r.method == "POST" for r in slng.state.requests()) >= 3, what="POSTs")

    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    assert SyncRun.objects.get().status == RunStatus.RUNNING
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


def test_the_beat_schedule_runs_each_target_periodically(
    organization: Organization, target: SyncTarget, slng: EmulatorThread, celery: Celery
) -> None:
    from sync.targets import target_schedule

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

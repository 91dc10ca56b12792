"""End to end with real Celery processes on Redis: change → push → verified; kill -9 mid-run."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from config.celery import app
from orgs.models import Organization
from sync.emulator import EmulatorThread
from sync.models import RunStatus, SyncRun, SyncState, SyncStatus, SyncTarget
from sync.tasks import run_target
from tests.factories import make_dictionary
from tests.sync.conftest import upstream

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition: Callable[[], object], timeout: float = 30.0, what: str = "") -> None:
    """Poll ``condition`` until it is true, failing after ``timeout`` seconds."""
    give_up_at = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > give_up_at:
            pytest.fail(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Celery:
    """Starts ``celery worker`` / ``celery beat`` processes against the test database."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen[bytes]] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "LEXICON_SYNC_LEASE_SECONDS": "2",
            "LEXICON_SYNC_BUSY_RETRY_SECONDS": "1",
        }

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"celery-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel", "INFO"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def worker(self) -> subprocess.Popen[bytes]:
        return self.start("worker", "--pool", "solo", "--without-gossip", "--without-mingle")

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def celery(tmp_path: Path) -> Iterator[Celery]:
    app.control.purge()
    runner = Celery(tmp_path)
    yield runner
    runner.stop_all()
    app.control.purge()


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
    run_target.delay(target.pk, "manual")
    wait_for(lambda: sum(r.method == "POST" for r in slng.state.requests()) >= 3, what="POSTs")

    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    assert SyncRun.objects.get().status == RunStatus.RUNNING
    assert 3 <= len(upstream(slng)) < len(names)

    slng.state.set_latency(http_ms=0)
    celery.worker()
    run_target.delay(target.pk, "manual")
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

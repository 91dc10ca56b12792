"""Faults survived for real: PostgreSQL restarted under load, Redis stopped during writes."""

import glob
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.db import connection

from orgs.models import Organization
from orgs.services import api_key_create
from sync.emulator import EmulatorThread
from sync.models import SyncState, SyncStatus, SyncTarget
from sync.services import target_create, target_schedule
from tests.conftest import SLNG_KEY_ACME
from tests.processes import Celery, Gunicorn, free_port, production_env, wait_for

WEB = [
    "gunicorn",
    "--config",
    "config/gunicorn.py",
    "config.wsgi:application",
    "--bind",
    "127.0.0.1:0",
]
pytestmark = pytest.mark.django_db(transaction=True)


def _postgres(action: str, *, check: bool = True) -> None:
    version = Path(sorted(glob.glob("/etc/postgresql/*"))[-1]).name
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=check,
        capture_output=True,
        timeout=120,
    )


class Redis:
    """A Redis server of the test's own on a free loopback port, started with .ci/run's flags:
    stopping it takes the broker away from this test's processes only."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1"]  # noqa: S607
            + ["--port", str(self.port), "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
            check=True,
            capture_output=True,
            timeout=10,
        )
        wait_for(self.up, what="Redis to start")

    def up(self) -> bool:
        result = subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), "ping"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
            timeout=5,
        )
        return result.stdout.strip() == "PONG"

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), "shutdown", "nosave"],  # noqa: S607
            capture_output=True,
            check=False,
            timeout=10,
        )
        wait_for(lambda: not self.up(), what="Redis to stop")


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[Redis]:
    server = Redis(tmp_path)
    server.start()
    yield server
    server.stop()


def _serve(**env: str) -> Gunicorn:
    # These tests hammer the API with one key to watch outages and recovery; the per-key rate
    # limit (tested in tests/hostile/test_rate_limits.py) would answer 429 once reads got fast.
    return Gunicorn(WEB, production_env(LEXICON_RATE_LIMIT="1000000/min", **env))


@pytest.fixture
def server() -> Iterator[Gunicorn]:
    gunicorn = _serve()
    yield gunicorn
    gunicorn.stop()


def _hammer(url: str, headers: dict[str, str], stop: threading.Event, seen: Counter[str]) -> None:
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            try:
                response = client.get(f"{url}/v1/pronunciation/dictionaries", headers=headers)
            except httpx.TimeoutException:
                seen["timeout"] += 1
                continue
            except httpx.TransportError:
                seen["transport"] += 1
                continue
            code = response.json().get("code", "ok") if response.status_code != 200 else "ok"
            seen[f"{response.status_code} {code}"] += 1


@pytest.mark.alone  # every worker's database goes down with the server
def test_a_postgres_restart_under_load_gives_503s_then_recovers(
    server: Gunicorn, organization: Organization
) -> None:
    key = api_key_create(organization=organization, label="load").plaintext
    headers = {"Authorization": f"Bearer {key}"}
    stop, seen = threading.Event(), Counter[str]()
    workers = [
        threading.Thread(target=_hammer, args=(server.url, headers, stop, seen)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    try:
        wait_for(lambda: seen["200 ok"] > 20, what="load before the restart")
        _postgres("stop")
        wait_for(lambda: seen["503 pronunciation_unavailable"] > 5, what="503s while down")
        _postgres("start")
        before = seen["200 ok"]
        wait_for(lambda: seen["200 ok"] > before + 20, timeout=60, what="recovery")
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        _postgres("start", check=False)  # already running unless the test failed midway
        connection.close()  # the test's own connection died with the server

    assert set(seen) <= {"200 ok", "503 pronunciation_unavailable"}, seen


def test_writes_succeed_with_redis_stopped_and_sync_catches_up(
    redis: Redis, organization: Organization, slng: EmulatorThread, tmp_path: Path
) -> None:
    target = target_create(
        organization=organization,
        name="production",
        base_url=slng.base_url,
        ws_url=slng.ws_url,
        api_key=SLNG_KEY_ACME,
        interval_seconds=1,
    )
    target_schedule(target)
    key = api_key_create(organization=organization, label="writer").plaintext
    body = {"name": "brand", "modes": {"rewrite": {"rules": [{"match": "SLNG", "replace": "x"}]}}}
    server = _serve(CELERY_BROKER_URL=redis.url)
    redis.stop()
    try:
        response = httpx.post(
            f"{server.url}/v1/pronunciation/dictionaries",
            json=body,
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert response.status_code == 201
        assert httpx.get(f"{server.url}/readyz").json()["broker"].startswith("error")
    finally:
        redis.start()
        server.stop()

    celery = Celery(tmp_path)
    # The private URL as it is: no xdist worker moves its database (config/settings/test.py).
    broker = {"CELERY_BROKER_URL": redis.url, "PYTEST_XDIST_WORKER": ""}
    celery.worker(env=broker)
    celery.start("beat", "--schedule", str(tmp_path / "beat"), "--max-interval", "1", env=broker)
    try:
        wait_for(
            lambda: SyncState.objects.filter(status=SyncStatus.VERIFIED).exists(),
            timeout=60,
            what="the schedule to sync the write made while Redis was down",
        )
    finally:
        celery.stop_all()
    assert SyncTarget.objects.get().states.get().dictionary.name == "brand"

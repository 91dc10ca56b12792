"""A local run on ``bash .ci/serve``'s own set-up: its settings (config.settings.base), SQLite and
the file broker in a temporary folder, the SLNG emulator, a Celery worker with beat and
``manage.py runserver``, on free ports, with ``manage.py demo_setup``'s organization and key."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from tests.local_run import LocalRun, _listening
from tests.processes import ROOT, Celery, free_port, wait_for

_REPLACED = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL", "LEXICON_VAR_DIR")
_SERVE = ROOT / ".ci" / "serve"


def sqlite_env(directory: Path) -> dict[str, str]:
    """``.ci/serve``'s environment, with its database and var/ folder in ``directory``."""
    return {
        **{name: value for name, value in os.environ.items() if name not in _REPLACED},
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "LEXICON_VAR_DIR": str(directory / "var"),
        "LEXICON_PRIVATE_TARGETS": _serve_private_targets(),
        "PYTHONPATH": str(ROOT),
    }


def _serve_private_targets() -> str:
    """The loopback hosts ``.ci/serve`` lets targets reach (its emulator), as it sets them."""
    found = re.search(r'LEXICON_PRIVATE_TARGETS:-([^}"]+)', _SERVE.read_text())
    assert found is not None, ".ci/serve no longer sets LEXICON_PRIVATE_TARGETS"
    return found.group(1)


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, check=True
    )
    return done.stdout.decode()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def sqlite_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRun]:
    directory = tmp_path_factory.mktemp("sqlite-run")
    for folder in ("celery-broker/queue", "celery-broker/control", "log"):
        (directory / "var" / folder).mkdir(parents=True)
    env = sqlite_env(directory)
    port, emulator_port = free_port(), free_port()
    # As .ci/serve does: migrate, then the demo organization, in one process (one start-up).
    _manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        f"call_command('demo_setup', emulator_url='http://127.0.0.1:{emulator_port}')\n",
    )
    key = (directory / "var" / "demo-key").read_text().strip()
    log = (directory / "var" / "log" / "web.log").open("wb")
    emulator = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "sync.emulator", "--host", "127.0.0.1", "--port", str(emulator_port)]
        + ["--keys", str(directory / "var" / "emulator-keys.json")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    celery = Celery(directory)
    web = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _listening(emulator_port), 30, "the emulator to listen")
        schedule = str(directory / "var" / "celerybeat-schedule")
        # .ci/serve's one worker: beat, and every queue (imports, sync and webhooks included).
        queues = ",".join(settings.LEXICON_QUEUES)
        celery.start(
            "worker",
            "--beat",
            "--pool",
            "solo",
            "--queues",
            queues,
            "--schedule",
            schedule,
            env=env,
        )
        wait_for(lambda: _answers(url), 60, "runserver to answer")
        yield LocalRun(url, port, emulator_port, key, directory, env)
    finally:
        web.terminate()
        web.wait(timeout=10)
        log.close()
        celery.stop_all()
        emulator.terminate()
        emulator.wait(timeout=10)

"""A local run like ``bash .ci/serve``'s, on the test database: the SLNG emulator, a Celery worker
and gunicorn on free ports, with the demo organization, key, dictionary and target of
``manage.py demo_setup``. Used by the README and command-line client tests."""

import io
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.processes import ROOT, Celery, Gunicorn, free_port, tests_database_url, wait_for


@dataclass
class LocalRun:
    url: str
    port: int
    emulator_port: int
    key: str
    directory: Path  # holds var/demo-key, as the checkout does after `bash .ci/serve`
    env: dict[str, str]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def local_run_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": tests_database_url(),
        "PYTHONPATH": str(ROOT),
    }


@pytest.fixture(scope="module")
def local_run(
    django_db_setup: None, django_db_blocker: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalRun]:
    directory = tmp_path_factory.mktemp("local-run")
    emulator_port = free_port()
    blocker: Any = django_db_blocker
    with blocker.unblock(), override_settings(DEBUG=True, BASE_DIR=directory):
        call_command(
            "demo_setup",
            "--emulator-url",
            f"http://127.0.0.1:{emulator_port}",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    env = local_run_env()
    emulator = subprocess.Popen(
        [sys.executable, "-m", "sync.emulator", "--host", "127.0.0.1", "--port", str(emulator_port)]
        + ["--keys", str(directory / "var" / "emulator-keys.json")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    celery = Celery(directory)
    web = None
    try:
        wait_for(lambda: _listening(emulator_port), 30, "the emulator to listen")
        celery.worker()
        web = Gunicorn(
            ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi", "--bind", "-"],
            {**env, "WEB_CONCURRENCY": "1", "GUNICORN_ACCESS_LOG": ""},
        )
        key = (directory / "var" / "demo-key").read_text().strip()
        yield LocalRun(web.url, web.port, emulator_port, key, directory, env)
    finally:
        if web is not None:
            web.stop()
        celery.stop_all()
        emulator.terminate()
        emulator.wait(timeout=10)
        with blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)

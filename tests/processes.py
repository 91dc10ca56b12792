"""Real server processes for tests: gunicorn with the compose file's command, Celery worker/beat."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import yaml
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], object], timeout: float = 30.0, what: str = "") -> None:
    """Poll ``condition`` until it is true, failing the test after ``timeout`` seconds."""
    give_up_at = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > give_up_at:
            pytest.fail(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


def web_command() -> list[str]:
    """The compose file's web command (gunicorn with config/gunicorn.py)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return [str(part) for part in compose["services"]["web"]["command"]]


def tests_database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def production_env(**extra: str) -> dict[str, str]:
    """Production settings against the test database and the local Redis."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "production-like-secret-key-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": tests_database_url(),
        "LEXICON_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,  # this test worker's own database
        "SECURE_SSL_REDIRECT": "false",
        # Targets in tests point at the emulator on loopback (sync.reach).
        "LEXICON_PRIVATE_TARGETS": "127.0.0.1",
        **extra,
    }


class Gunicorn:
    """Runs ``command`` (the compose web command) bound to a free loopback port."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.port = free_port()
        command = list(command)
        command[command.index("--bind") + 1] = f"127.0.0.1:{self.port}"
        executable = Path(sys.executable).parent / command[0]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603
            [str(executable), *command[1:]],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(self._up, 60, "gunicorn to answer")
        except BaseException:  # a server that never answered is not left running
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
            raise

    def _up(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn exited with {self.process.returncode}")
        try:
            httpx.get(f"{self.url}/healthz", timeout=1)
        except httpx.TransportError:
            return False
        return True

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)


class Celery:
    """Starts ``celery worker`` / ``celery beat`` processes against the test database."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen[bytes]] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": tests_database_url(),
            "LEXICON_SYNC_LEASE_SECONDS": "2",
            "LEXICON_SYNC_BUSY_RETRY_SECONDS": "1",
        }

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Start ``celery <args>``; ``env`` adds to (or overrides) the shared environment."""
        log = (self.tmp_path / f"celery-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel", "INFO"],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def worker(
        self, *queues: str, concurrency: int = 0, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """A worker of ``queues`` (default: every queue, as the local run's single worker);
        a solo pool, or a prefork pool of ``concurrency`` processes."""
        pool = ["--pool", "prefork", "--concurrency", str(concurrency)] if concurrency else []
        return self.start(
            "worker",
            *(pool or ["--pool", "solo"]),
            "--queues",
            ",".join(queues or settings.LEXICON_QUEUES),
            "--without-gossip",
            "--without-mingle",
            env=env,
        )

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

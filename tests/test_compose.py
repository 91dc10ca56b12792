"""docker-compose.yml parses, and its web command (gunicorn) serves Lexicon as a plain process."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from cryptography.fernet import Fernet
from django.db import connection

from orgs.models import Organization
from orgs.services import api_key_create

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``docker-compose config`` of the project's file (the Docker engine is not needed)."""
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is missing: .ci/run installs Debian's docker-compose")
    folder = tmp_path_factory.mktemp("compose")
    shutil.copy(ROOT / "docker-compose.yml", folder / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", folder / ".env")
    result = subprocess.run(
        [binary, "--profile", "emulator", "config"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(yaml.safe_load(result.stdout))


def test_the_compose_file_defines_the_stack_with_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]

    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat", "emulator"}
    assert {name for name, s in services.items() if "healthcheck" in s} == {
        "postgres",
        "redis",
        "web",
        "worker",
    }
    assert services["emulator"]["profiles"] == ["emulator"]
    assert set(compose["volumes"]) == {"postgres-data", "redis-data"}
    assert services["web"]["environment"]["DJANGO_SETTINGS_MODULE"] == (
        "config.settings.production"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def gunicorn(compose: dict[str, Any], db: None) -> Iterator[str]:
    """The web service's own command, bound to loopback, with production settings."""
    command = [str(part) for part in compose["services"]["web"]["command"]]
    port = _free_port()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    s = connection.settings_dict
    database = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT']}/{s['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "production-like-secret-key-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database,
        "LEXICON_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
        "SECURE_SSL_REDIRECT": "false",
    }
    executable = Path(sys.executable).parent / command[0]
    process = subprocess.Popen(  # noqa: S603
        [str(executable), *command[1:]],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    give_up_at = time.monotonic() + 30
    while time.monotonic() < give_up_at:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}")
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail("gunicorn did not answer within 30 s")


@pytest.mark.django_db(transaction=True)
def test_the_web_command_serves_health_readiness_and_the_api(
    gunicorn: str, organization: Organization
) -> None:
    key = api_key_create(organization=organization, label="compose").plaintext
    headers = {"Authorization": f"Bearer {key}"}
    body = {"name": "brand", "modes": {"rewrite": {"rules": [{"match": "a", "replace": "b"}]}}}

    assert httpx.get(f"{gunicorn}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{gunicorn}/readyz").json()["status"] == "ok"
    created = httpx.post(f"{gunicorn}/v1/pronunciation/dictionaries", json=body, headers=headers)
    listed = httpx.get(f"{gunicorn}/v1/pronunciation/dictionaries", headers=headers)

    assert created.status_code == 201
    assert [d["name"] for d in listed.json()["dictionaries"]] == ["brand"]
    assert created.headers["X-Request-Id"].startswith("req_")
    assert created.headers["X-Content-Type-Options"] == "nosniff"

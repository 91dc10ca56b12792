"""docker-compose.yml parses, and its web command (gunicorn) serves Lexicon as a plain process."""

import importlib
import itertools
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from orgs.models import Organization
from orgs.services import api_key_create
from tests.processes import Gunicorn, free_port, production_env, wait_for, web_command

pytestmark = pytest.mark.long
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

    workers = {"worker", "worker-imports", "worker-sync", "worker-webhooks"}
    assert set(services) == {"postgres", "redis", "migrate", "web", "beat", "emulator", *workers}
    assert {name for name, s in services.items() if "healthcheck" in s} == {
        "postgres",
        "redis",
        "web",
        *workers,
    }
    assert services["emulator"]["profiles"] == ["emulator"]
    assert set(compose["volumes"]) == {"postgres-data", "redis-data"}
    assert services["web"]["environment"]["DJANGO_SETTINGS_MODULE"] == (
        "config.settings.production"
    )


@pytest.fixture
def gunicorn(compose: dict[str, Any], db: None) -> Iterator[str]:
    """The web service's own command, bound to loopback, with production settings."""
    server = Gunicorn(
        [str(part) for part in compose["services"]["web"]["command"]], production_env()
    )
    yield server.url
    server.stop()


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


def _dockerfile_collectstatic() -> tuple[dict[str, str], list[str]]:
    """The Dockerfile's collectstatic step: its environment assignments and its command."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    (run,) = [
        line for line in text.splitlines() if line.startswith("RUN ") and "collectstatic" in line
    ]
    (step,) = [part for part in run.removeprefix("RUN ").split("&&") if "collectstatic" in part]
    words = shlex.split(step)
    env = dict(word.split("=", 1) for word in itertools.takewhile(lambda w: "=" in w, words))
    return env, words[len(env) :]


@pytest.mark.django_db
def test_the_images_static_files_serve_the_admin_with_production_settings() -> None:
    """The image collected its static files with the base settings, which write no manifest:
    production's storage then failed every admin page (500), the login page first."""
    env, command = _dockerfile_collectstatic()
    assert command[:2] == ["python", "manage.py"]
    shutil.rmtree(ROOT / "staticfiles", ignore_errors=True)  # the image's STATIC_ROOT, built here
    subprocess.run(  # noqa: S603 - the Dockerfile's own command
        [sys.executable, *command[1:]],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        timeout=300,
        check=True,
    )
    server = Gunicorn(web_command(), production_env())
    try:
        login = httpx.get(f"{server.url}/admin/login/")
        stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.text)
        served = httpx.get(server.url + stylesheet[1]) if stylesheet else None
    finally:
        server.stop()

    assert login.status_code == 200, login.text[:300]
    assert served is not None
    assert served.status_code == 200


def _env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


@pytest.mark.django_db(transaction=True)
def test_the_web_healthcheck_passes_with_the_example_allowed_hosts(
    compose: dict[str, Any],
) -> None:
    """Issue 22: with .env.example's ALLOWED_HOSTS the check (which calls 127.0.0.1) got 400, so
    ``web`` stayed unhealthy. The compose file's own check command, run against gunicorn."""
    hosts = _env_example()["ALLOWED_HOSTS"]
    assert "127.0.0.1" not in hosts.split(",")
    check = [str(part) for part in compose["services"]["web"]["healthcheck"]["test"]]
    assert check[:3] == ["CMD", "python", "-c"]
    server = Gunicorn(web_command(), production_env(ALLOWED_HOSTS=hosts))
    try:
        code = check[3].replace("127.0.0.1:8000", f"127.0.0.1:{server.port}")
        assert code != check[3]
        result = subprocess.run(  # noqa: S603 - the compose file's own check
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
        )
        other_host = httpx.get(f"{server.url}/admin/login/", headers={"Host": "evil.example"})
    finally:
        server.stop()

    assert result.returncode == 0, result.stderr[-500:]
    assert other_host.status_code == 400


def _tracked_files() -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30
    )
    return {Path(line).name for line in listed.stdout.splitlines()}


def test_the_compose_file_mounts_only_what_a_fresh_clone_has(compose: dict[str, Any]) -> None:
    """Issue 22: the emulator profile mounted ./emulator-keys.json, which no clone has."""
    tracked = _tracked_files()
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.get("source", "") if isinstance(volume, dict) else volume.split(":")[0]
            if source.startswith(("/", ".")):  # a path on the host, not a named volume
                assert Path(source).name in tracked, f"{name} mounts {source}"


def test_the_emulator_profile_starts_without_a_keys_file(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    """Issue 22: the emulator crash-looped on a keys file a fresh clone does not have. Its own
    command, run from an empty folder as the image's working directory would be."""
    command = [str(part) for part in compose["services"]["emulator"]["command"]]
    port = free_port()
    command[command.index("--port") + 1] = str(port)
    command[command.index("--host") + 1] = "127.0.0.1"
    assert command[0] == "python"
    process = subprocess.Popen(  # noqa: S603 - the compose file's own command
        [sys.executable, *command[1:]],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: process.poll() is not None or _answers(f"{url}/_emulator/health"))
        assert process.poll() is None, "the emulator exited"
        added = httpx.post(f"{url}/_emulator/keys", json={"key": "sk_trial", "org_id": "trial"})
        listed = httpx.get(
            f"{url}/v1/pronunciation/dictionaries", headers={"Authorization": "Bearer sk_trial"}
        )
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert added.status_code == 201
    assert listed.status_code == 200


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _queues_option(command: list[str]) -> set[str]:
    return set(command[command.index("--queues") + 1].split(","))


def test_compose_runs_a_worker_for_each_queue_and_every_task_has_one(
    compose: dict[str, Any],
) -> None:
    """Issue 22: imports and sync shared one queue, so six imports delayed every sync."""
    from django.conf import settings

    from config.celery import app

    for path in ROOT.glob("*/tasks.py"):  # what autodiscovery imports in a worker
        importlib.import_module(f"{path.parent.name}.tasks")
    consumed = [
        _queues_option([str(part) for part in service["command"]])
        for name, service in compose["services"].items()
        if name.startswith("worker")
    ]
    queue = {name: app.amqp.router.route({}, name)["queue"].name for name in app.tasks}

    assert sorted(map(sorted, consumed)) == [["default"], ["imports"], ["sync"], ["webhooks"]]
    assert queue["pronunciations.run_import"] == "imports"
    assert queue["sync.run_target"] == "sync"
    assert {queue[name] for name in app.tasks if not name.startswith("celery.")} <= set(
        settings.LEXICON_QUEUES
    )


def test_the_local_runs_single_worker_consumes_every_queue() -> None:
    """.ci/serve runs one worker: it must take imports and sync too."""
    from django.conf import settings

    text = (ROOT / ".ci" / "serve").read_text().replace("\\\n", " ")
    (line,) = [line for line in text.splitlines() if "celery -A config worker" in line]

    assert _queues_option(shlex.split(line)) == set(settings.LEXICON_QUEUES)

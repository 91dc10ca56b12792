"""Issue 16: ``bash .ci/serve`` fails cleanly: ports checked first, every child stopped on exit."""

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.processes import free_port, wait_for

ROOT = Path(__file__).resolve().parents[1]


def _listening() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock, int(sock.getsockname()[1])


@pytest.mark.parametrize("which", ["PORT", "EMULATOR_PORT"])
def test_a_taken_port_stops_serve_before_it_prints_anything(which: str) -> None:
    """Issue 16: with a port taken, one clear message and exit 1, no banner, no demo key."""
    sock, taken = _listening()
    ports = {"PORT": str(free_port()), "EMULATOR_PORT": str(free_port()), which: str(taken)}
    with sock:
        result = subprocess.run(
            ["bash", ".ci/serve"],
            cwd=ROOT,
            env={**os.environ, **ports},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"error: port {taken} ({which}) is already in use on 127.0.0.1; stop what uses it or run "
        f"with another port, e.g. {which}={taken + 1} bash .ci/serve"
    )


@pytest.fixture
def demo_files() -> Iterator[None]:
    """The local run writes var/demo-key and var/emulator-keys.json: put back what was there."""
    var = ROOT / "var"
    saved = {}
    for name in ("demo-key", "emulator-keys.json"):
        if (var / name).exists():
            saved[name] = (var / name).read_bytes()
    yield
    for name in ("demo-key", "emulator-keys.json"):
        if name in saved:
            (var / name).write_bytes(saved[name])
            (var / name).chmod(0o600)
        else:
            (var / name).unlink(missing_ok=True)


def _groups_alive(pgids: list[int]) -> list[int]:
    alive = []
    for pgid in pgids:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            continue
        alive.append(pgid)
    return alive


def _children(serve_pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(serve_pid)], capture_output=True, text=True, check=False
    )
    return [int(pid) for pid in out.stdout.split()]


@pytest.mark.timeout(90)
def test_a_child_that_dies_stops_the_whole_local_run(tmp_path: Path, demo_files: None) -> None:
    """Issue 16: when the emulator dies, serve exits 1 and no worker or server is left behind."""
    if shutil.which("setsid") is None:
        pytest.skip("setsid is not installed")
    port, emulator_port = free_port(), free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "EMULATOR_PORT": str(emulator_port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = (tmp_path / "serve.log").open("w+")
    serve = subprocess.Popen(
        ["bash", ".ci/serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        give_up = time.monotonic() + 75
        while "Demo key:" not in (tmp_path / "serve.log").read_text():
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < give_up, "serve did not start"
            time.sleep(0.2)
        children = _children(serve.pid)
        assert len(children) == 3  # emulator, worker, web server: each leads its own group
        os.killpg(children[0], signal.SIGKILL)  # the emulator dies

        assert serve.wait(timeout=30) == 1
        # Killed grandchildren are reaped by init a moment after serve exits.
        wait_for(lambda: _groups_alive(children) == [], 10, "every child to be gone")
        assert "a process of the local run exited" in (tmp_path / "serve.log").read_text()
    finally:
        if serve.poll() is None:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=30)


def test_the_root_leads_to_the_admin(client: Client) -> None:
    """Issue 16: ``/`` was a debug 404; it now redirects to the admin."""
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_the_favicon_is_lexicons_icon_not_a_404(client: Client) -> None:
    """Issue 23: every page's /favicon.ico request was a 404 in the log."""
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].endswith("/orgs/favicon.svg")
    icon = finders.find("orgs/favicon.svg")
    assert icon is not None
    assert Path(str(icon)).read_text().startswith("<svg")

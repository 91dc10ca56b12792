"""Load benchmark: gunicorn (2 workers, production settings) on PostgreSQL, driven over loopback.

Run: ``.venv/bin/python bench/load.py [--seconds 60] [--connections 50]`` with PostgreSQL and
Redis up (``bash .ci/run`` starts them). Uses its own database, ``lexicon_bench_load``. The load
generator (this process, asyncio + httpx) runs a mix of list, get (256-rule dictionaries), create
and delete, then ``/healthz`` alone for the same time as the ceiling measured in the same run.
"""

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lexicon_bench_load"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DATABASE_URL"] = DATABASE_URL

import django  # noqa: E402

django.setup()

from cryptography.fernet import Fernet  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from orgs.services import api_key_create, organization_create  # noqa: E402
from pronunciations.services import dictionary_create  # noqa: E402

MIX = (("list", 0.3), ("get", 0.5), ("create", 0.1), ("delete", 0.1))


def prepare(dictionaries: int) -> str:
    """A fresh database with one organization, its key and 256-rule dictionaries."""
    with connection._nodb_cursor() as cursor:  # noqa: SLF001 - Django's helper for this
        cursor.execute("DROP DATABASE IF EXISTS lexicon_bench_load WITH (FORCE)")
        cursor.execute("CREATE DATABASE lexicon_bench_load")
    call_command("migrate", verbosity=0)
    organization = organization_create(slug="load", name="Load")
    for i in range(dictionaries):
        rules = [{"match": f"term{i}x{j}", "replace": f"word {j}"} for j in range(256)]
        dictionary_create(
            organization=organization, name=f"big-{i:03d}", modes={"rewrite": {"rules": rules}}
        )
    return api_key_create(organization=organization, label="load").plaintext


def start_gunicorn(port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-secret-key-" + "b" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": DATABASE_URL,
        "LEXICON_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
        "SECURE_SSL_REDIRECT": "false",
        "LEXICON_RATE_LIMIT": "",
        "LOG_LEVEL": "ERROR",
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--timeout",
        "30",
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,  # noqa: S603
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


class Recorder:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    def add(self, op: str, seconds: float, ok: bool) -> None:
        self.latencies[op].append(seconds)
        if not ok:
            self.errors[op] += 1


async def _one(client: httpx.AsyncClient, op: str, state: dict[str, list[str]]) -> bool:
    if op == "list":
        return (await client.get("/v1/pronunciation/dictionaries")).status_code == 200
    if op == "get":
        name = random.choice(state["big"])  # noqa: S311
        return (await client.get(f"/v1/pronunciation/dictionaries/{name}")).status_code == 200
    if op == "create":
        name = f"tmp-{random.getrandbits(64):x}"
        body = {"name": name, "modes": {"rewrite": {"rules": [{"match": "a", "replace": "b"}]}}}
        ok = (await client.post("/v1/pronunciation/dictionaries", json=body)).status_code == 201
        if ok:
            state["created"].append(name)
        return ok
    if not state["created"]:
        return await _one(client, "create", state)
    name = state["created"].pop()
    return (await client.delete(f"/v1/pronunciation/dictionaries/{name}")).status_code == 204


async def _worker(
    client: httpx.AsyncClient,
    ops: list[str],
    until: float,
    state: dict[str, list[str]],
    recorder: Recorder,
) -> None:
    while time.perf_counter() < until:
        op = (
            random.choices([o for o, _ in MIX], weights=[w for _, w in MIX])[0]
            if len(ops) > 1
            else ops[0]
        )  # noqa: S311
        started = time.perf_counter()
        try:
            ok = await (_one(client, op, state) if op != "healthz" else _health(client))
        except httpx.HTTPError:
            ok = False
        recorder.add(op, time.perf_counter() - started, ok)


async def _health(client: httpx.AsyncClient) -> bool:
    return (await client.get("/healthz")).status_code == 200


async def run(
    url: str,
    key: str,
    ops: list[str],
    seconds: float,
    connections: int,
    state: dict[str, list[str]],
) -> Recorder:
    recorder = Recorder()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(
        base_url=url, limits=limits, timeout=30, headers={"Authorization": f"Bearer {key}"}
    ) as client:
        until = time.perf_counter() + seconds
        await asyncio.gather(
            *(_worker(client, ops, until, state, recorder) for _ in range(connections))
        )
    return recorder


def report(recorder: Recorder, seconds: float, ceiling: float | None) -> float:
    total = 0.0
    for op, samples in sorted(recorder.latencies.items()):
        rps = len(samples) / seconds
        total += rps
        ordered = sorted(samples)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        share = f"{rps / ceiling:6.1%}" if ceiling else "   —  "
        print(
            f"{op:<8} {rps:9.1f} req/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
            f"errors {recorder.errors[op]:4d}  of /healthz {share}"
        )
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--dictionaries", type=int, default=50)
    parser.add_argument("--port", type=int, default=8799)
    options = parser.parse_args()
    key = prepare(options.dictionaries)
    state = {"big": [f"big-{i:03d}" for i in range(options.dictionaries)], "created": []}
    server = start_gunicorn(options.port)
    url = f"http://127.0.0.1:{options.port}"
    try:
        health = asyncio.run(
            run(url, key, ["healthz"], options.seconds, options.connections, state)
        )
        print(
            f"ceiling: /healthz alone, {options.connections} connections, {options.seconds:.0f} s"
        )
        ceiling = report(health, options.seconds, None)
        for op in ("get", "list"):
            alone = asyncio.run(run(url, key, [op], options.seconds, options.connections, state))
            print(f"\n{op} alone (get: 256-rule dictionaries)")
            report(alone, options.seconds, ceiling)
        mixed = asyncio.run(
            run(url, key, [o for o, _ in MIX], options.seconds, options.connections, state)
        )
        print(f"\nmix {', '.join(f'{o} {w:.0%}' for o, w in MIX)}")
        report(mixed, options.seconds, ceiling)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

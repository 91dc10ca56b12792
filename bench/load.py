"""Load benchmark: gunicorn (production settings and config) on PostgreSQL, driven by wrk.

Run: ``.venv/bin/python bench/load.py [--seconds 60] [--connections 50]`` with PostgreSQL and
Redis up (``bash .ci/run`` starts them) and wrk installed (``apt-get install wrk``). Uses its own
database, ``lexicon_bench_load``, with one organization holding ``--dictionaries`` dictionaries of
256 rules. The server runs ``config/gunicorn.py`` (2 workers) with rate limiting off.

Phases, each ``--seconds`` long with ``--connections`` connections, one after another:
``/healthz`` alone (the ceiling: the same server doing no work), get alone, list alone, create
alone, then the mix: list, get, create and delete at the same time, each by its own wrk process on
its share of the connections. Deletes remove the dictionaries the create phase made.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from common import ROOT, django_on, reset_database

DATABASE = "lexicon_bench_load"
DATABASE_URL = django_on(DATABASE)

from cryptography.fernet import Fernet  # noqa: E402
from django.db import connection  # noqa: E402

from orgs.services import api_key_create, organization_create  # noqa: E402
from pronunciations.models import Dictionary  # noqa: E402
from pronunciations.services import dictionary_create  # noqa: E402

SCRIPT = ROOT / "bench" / "load.lua"
# Share of the connections per operation in the mix.
MIX = (("list", 0.3), ("get", 0.5), ("create", 0.1), ("delete", 0.1))


def prepare(dictionaries: int) -> tuple[str, str]:
    """A fresh database: the read organization with its 256-rule dictionaries, and the writers'.

    Creates and deletes go to an organization of their own, so the list being measured keeps the
    same dictionaries all run long; reads and writes still share the server, database and tables.
    """
    reset_database(DATABASE)
    organization = organization_create(slug="load", name="Load")
    for i in range(dictionaries):
        rules = [{"match": f"term{i}x{j}", "replace": f"word {j}"} for j in range(256)]
        dictionary_create(
            organization=organization, name=f"big-{i:03d}", modes={"rewrite": {"rules": rules}}
        )
    writers = organization_create(slug="load-writes", name="Load writes")
    with connection.cursor() as cursor:  # settle the bulk inserts before anything is timed
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    return (
        api_key_create(organization=organization, label="load").plaintext,
        api_key_create(organization=writers, label="load-writes").plaintext,
    )


def start_gunicorn(port: int, worker_class: str, threads: int) -> subprocess.Popen[bytes]:
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
        "GUNICORN_WORKER_CLASS": worker_class,
        "GUNICORN_THREADS": str(threads),
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--config",
        "config/gunicorn.py",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


@dataclass
class Result:
    op: str
    seconds: float
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


class Wrk:
    """One wrk process running one operation of bench/load.lua."""

    def __init__(
        self, url: str, key: str, op: str, arg: str, connections: int, seconds: float
    ) -> None:
        self.op = op
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("wrk") or "wrk",
                "--threads",
                "1",
                "--connections",
                str(connections),
                "--duration",
                f"{seconds:.0f}s",
                "--timeout",
                "10s",
                "--header",
                f"Authorization: Bearer {key}",
                "--script",
                str(SCRIPT),
                url,
                "--",
                op,
                arg,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def result(self) -> Result:
        output, _ = self.process.communicate()
        line = next((x for x in output.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            raise SystemExit(f"wrk ({self.op}) printed no result:\n{output}")
        duration, requests, status, sockets, timeouts, p50, p99, worst, _ = map(
            float, line.split()[1:]
        )
        return Result(
            op=self.op,
            seconds=duration / 1e6,
            requests=int(requests),
            errors=int(status + sockets + timeouts),
            p50_ms=p50 / 1000,
            p99_ms=p99 / 1000,
            max_ms=worst / 1000,
        )


def run(
    url: str, keys: tuple[str, str], plan: list[tuple[str, str, int]], seconds: float
) -> list[Result]:
    """Start one wrk per (op, arg, connections) at once and wait for all of them."""
    runners = [
        Wrk(url, keys[op in {"create", "delete"}], op, arg, connections, seconds)
        for op, arg, connections in plan
    ]
    return [runner.result() for runner in runners]


def report(
    title: str, results: list[Result], ceiling: float | None, *, total: bool = False
) -> None:
    print(f"\n{title}")
    print("op          req/s     p50 ms    p99 ms    max ms   errors   of /healthz req/s")
    for r in results:
        share = f"{r.rps / ceiling:7.1%}" if ceiling else "      —"
        print(
            f"{r.op:<8} {r.rps:8.1f} {r.p50_ms:10.1f} {r.p99_ms:9.1f} {r.max_ms:9.1f} "
            f"{r.errors:8d}   {share}"
        )
    if total:
        print(f"{'total':<8} {sum(r.rps for r in results):8.1f}")


def pooled(slices: list[Result]) -> Result:
    """One figure from interleaved slices: pooled req/s, median p50 and p99, worst max."""
    return Result(
        op=slices[0].op,
        seconds=sum(r.seconds for r in slices),
        requests=sum(r.requests for r in slices),
        errors=sum(r.errors for r in slices),
        p50_ms=statistics.median(r.p50_ms for r in slices),
        p99_ms=statistics.median(r.p99_ms for r in slices),
        max_ms=max(r.max_ms for r in slices),
    )


def alone_interleaved(
    url: str, keys: tuple[str, str], ops: list[tuple[str, str]], connections: int, args: Any
) -> dict[str, list[Result]]:
    """Each op alone, in rounds of short slices, so drift on a shared machine hits all alike."""
    slices: dict[str, list[Result]] = {op: [] for op, _ in ops}
    print("\nround  " + "".join(f"{op + ' req/s':>14}" for op, _ in ops))
    for number in range(1, args.rounds + 1):
        for op, arg in ops:
            (result,) = run(url, keys, [(op, arg, connections)], args.seconds / args.rounds)
            slices[op].append(result)
        print(f"{number:5d}  " + "".join(f"{slices[op][-1].rps:14.1f}" for op, _ in ops))
    return slices


def created_names(prefix: str, path: Path) -> int:
    names = Dictionary.objects.filter(
        organization__slug="load-writes", name__startswith=f"{prefix}-", deleted_at__isnull=True
    ).values_list("name", flat=True)
    listed = list(names)
    path.write_text("".join(f"{name}\n" for name in listed))
    return len(listed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--dictionaries", type=int, default=50)
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--rounds", type=int, default=6, help="interleaved rounds of get/list")
    parser.add_argument("--port", type=int, default=8799)
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    seconds, connections = options.seconds, options.connections
    keys = prepare(options.dictionaries)
    server = start_gunicorn(options.port, options.worker_class, options.threads)
    url = f"http://127.0.0.1:{options.port}"
    count = str(options.dictionaries)
    print(
        f"gunicorn: 2 {options.worker_class} workers x {options.threads} threads; "
        f"{connections} connections, "
        f"{seconds:.0f} s per operation; {options.dictionaries} dictionaries of 256 rules"
    )
    try:
        warm = [("healthz", "", 10), ("get", count, 10), ("list", "", 10)]
        run(url, keys, warm, min(seconds, 5))  # imports, connections and caches in every worker
        ops = [("healthz", ""), ("get", count), ("list", "")]
        slices = alone_interleaved(url, keys, ops, connections, options)
        ceiling = pooled(slices["healthz"]).rps
        report(
            f"alone, {options.rounds} interleaved rounds ({seconds:.0f} s per op in all; "
            "p50 and p99: median over rounds)",
            [pooled(slices[op]) for op, _ in ops],
            ceiling,
        )
        for op, _ in ops[1:]:
            shares = sorted(
                r.rps / h.rps for r, h in zip(slices[op], slices["healthz"], strict=True)
            )
            print(
                f"{op} / healthz by round: median {statistics.median(shares):.1%}, "
                f"range {shares[0]:.1%}–{shares[-1]:.1%}"
            )
        report("create alone", run(url, keys, [("create", "c1", connections)], seconds), ceiling)
        with tempfile.TemporaryDirectory() as scratch:
            pool = Path(scratch) / "delete.txt"
            available = created_names("c1", pool)
            args = {"list": "", "get": count, "create": "c2", "delete": str(pool)}
            plan = [(op, args[op], max(1, round(connections * share))) for op, share in MIX]
            mixed = run(url, keys, plan, seconds)
        shares_text = ", ".join(f"{op} {n}" for op, _, n in plan)
        report(f"mix, at the same time (connections: {shares_text})", mixed, ceiling, total=True)
        deleted = next(r for r in mixed if r.op == "delete")
        if deleted.requests > available:
            print(f"note: deletes ran past the {available} dictionaries the create phase made")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

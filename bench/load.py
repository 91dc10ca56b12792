"""Load benchmark: gunicorn (production settings and config) on PostgreSQL, driven by wrk.

Run: ``.venv/bin/python bench/load.py [--seconds 60] [--connections 50]`` with PostgreSQL and
Redis up (``bash .ci/run`` starts them) and wrk installed (``apt-get install wrk``). Uses its own
database (``--database``, ``lexicon_bench_load``), with one organization holding
``--dictionaries`` dictionaries of 256 rules. The server runs ``config/gunicorn.py`` (2 workers)
with the production settings plus one bench-only URL (bench/settings.py), rate limiting off.

Phases, each ``--seconds`` long with ``--connections`` connections, one after another:
``/healthz``, a static body, get and list alone, interleaved in rounds; then create alone, then
the mix: list, get, create and delete at the same time, each by its own wrk process on its share
of the connections (``--reads-only`` stops after the rounds). Deletes remove the dictionaries
the create phase made. Each read is measured against its ceiling on the same server: get against
``/healthz`` (the server doing no work), the list against ``/bench/static``, which answers the
list's own bytes (750 KB) with no other work.
"""

import argparse
import os
import resource
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


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--dictionaries", type=int, default=50)
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--rounds", type=int, default=6, help="interleaved rounds of get/list")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--database", default="lexicon_bench_load", help="dropped and re-created")
    parser.add_argument("--reads-only", action="store_true", help="only the interleaved rounds")
    return parser.parse_args()


OPTIONS = parse_options()  # before Django starts: the database is one of them
DATABASE = OPTIONS.database
DATABASE_URL = django_on(DATABASE)

from cryptography.fernet import Fernet  # noqa: E402
from django.db import connection  # noqa: E402

from orgs.services import api_key_create, organization_create  # noqa: E402
from pronunciations.api.bodies import dictionary_list_body  # noqa: E402
from pronunciations.models import Dictionary  # noqa: E402
from pronunciations.services import dictionary_create  # noqa: E402

SCRIPT = ROOT / "bench" / "load.lua"
# Share of the connections per operation in the mix.
MIX = (("list", 0.3), ("get", 0.5), ("create", 0.1), ("delete", 0.1))
# What each operation is measured against: the same server answering the same bytes, no work.
CEILING = {"get": "healthz", "list": "static", "create": "healthz", "delete": "healthz"}


def prepare(dictionaries: int, static_body: Path) -> tuple[str, str]:
    """A fresh database: the read organization with its 256-rule dictionaries, and the writers';
    ``static_body`` gets the list's own bytes, for the static ceiling.

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
    body, _ = dictionary_list_body(organization=organization)  # a streamed list: pieces
    static_body.write_bytes(body if isinstance(body, bytes) else b"".join(body))
    writers = organization_create(slug="load-writes", name="Load writes")
    with connection.cursor() as cursor:  # settle the bulk inserts before anything is timed
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    return (
        api_key_create(organization=organization, label="load").plaintext,
        api_key_create(organization=writers, label="load-writes").plaintext,
    )


def start_gunicorn(
    port: int, worker_class: str, threads: int, static_body: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "LEXICON_BENCH_STATIC_BODY": str(static_body),
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
    # CPU seconds spent during the slice by the gunicorn processes, PostgreSQL's backends of the
    # bench database and wrk: unlike req/s, these do not depend on what else the machine runs.
    cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def cpu_us(self) -> tuple[float, ...]:
        """CPU microseconds per request: server, PostgreSQL, wrk."""
        return tuple(1e6 * part / max(1, self.requests) for part in self.cpu)


_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command name (state first); [] once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return []


def _parent(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[1]) if fields else None


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds the process has used so far (0 once it is gone)."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / _TICKS if fields else 0.0


Sample = tuple[dict[int, float], dict[int, float], float]


class Processes:
    """The processes whose CPU a slice counts: the gunicorn master and workers, the bench
    database's PostgreSQL backends (all on this machine) and the wrk runs that ended."""

    def __init__(self, server: subprocess.Popen[bytes]) -> None:
        self.master = server.pid

    def server(self) -> set[int]:
        pids = [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]
        return {self.master} | {pid for pid in pids if _parent(pid) == self.master}

    def database(self) -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return {pid for (pid,) in cursor.fetchall()}

    def sample(self) -> Sample:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (
            {pid: cpu_seconds(pid) for pid in self.server()},
            {pid: cpu_seconds(pid) for pid in self.database()},
            children.ru_utime + children.ru_stime,
        )

    @staticmethod
    def spent(before: Sample, after: Sample) -> tuple[float, float, float]:
        """CPU seconds between two samples. A process that started in between counts whole; one
        that ended in between (a database connection past DATABASE_CONN_MAX_AGE) is left out."""

        def used(start: dict[int, float], end: dict[int, float]) -> float:
            return sum(seconds - start.get(pid, 0.0) for pid, seconds in end.items())

        return used(before[0], after[0]), used(before[1], after[1]), after[2] - before[2]


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
    url: str,
    keys: tuple[str, str],
    plan: list[tuple[str, str, int]],
    seconds: float,
    processes: Processes | None = None,
) -> list[Result]:
    """Start one wrk per (op, arg, connections) at once and wait for all of them; with
    ``processes`` and one op, count the CPU its slice cost."""
    before = processes.sample() if processes else None
    runners = [
        Wrk(url, keys[op in {"create", "delete"}], op, arg, connections, seconds)
        for op, arg, connections in plan
    ]
    results = [runner.result() for runner in runners]
    if processes and before and len(results) == 1:
        results[0].cpu = processes.spent(before, processes.sample())
    return results


def report(
    title: str, results: list[Result], ceilings: dict[str, Result], *, total: bool = False
) -> None:
    """One line per operation, with its share of its ceiling's req/s and its p99 against the
    ceiling's p99."""
    print(f"\n{title}")
    print(
        "op          req/s     p50 ms    p99 ms    max ms   errors   ceiling   req/s share"
        "   p99 ratio"
    )
    for r in results:
        ceiling = ceilings.get(CEILING.get(r.op, ""))
        share = (
            f"{CEILING[r.op]:>9} {r.rps / ceiling.rps:12.1%} {r.p99_ms / ceiling.p99_ms:10.2f}x"
            if ceiling
            else f"{'—':>9} {'—':>12} {'—':>11}"
        )
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
        cpu=(
            sum(r.cpu[0] for r in slices),
            sum(r.cpu[1] for r in slices),
            sum(r.cpu[2] for r in slices),
        ),
    )


def alone_interleaved(
    url: str,
    keys: tuple[str, str],
    ops: list[tuple[str, str]],
    processes: Processes,
    args: Any,
) -> dict[str, list[Result]]:
    """Each op alone, in rounds of short slices, so drift on a shared machine hits all alike."""
    slices: dict[str, list[Result]] = {op: [] for op, _ in ops}
    print("\nround  " + "".join(f"{op + ' req/s':>14}" for op, _ in ops))
    for number in range(1, args.rounds + 1):
        for op, arg in ops:
            plan = [(op, arg, args.connections)]
            (result,) = run(url, keys, plan, args.seconds / args.rounds, processes)
            slices[op].append(result)
        print(f"{number:5d}  " + "".join(f"{slices[op][-1].rps:14.1f}" for op, _ in ops))
    return slices


def by_round(slices: dict[str, list[Result]]) -> None:
    """Each read's share of its ceiling round by round (the two ran back to back)."""
    for op in ("get", "list"):
        ceiling = slices[CEILING[op]]
        shares = sorted(r.rps / c.rps for r, c in zip(slices[op], ceiling, strict=True))
        p99s = sorted(r.p99_ms / c.p99_ms for r, c in zip(slices[op], ceiling, strict=True))
        print(
            f"{op} / {CEILING[op]} by round: req/s median {statistics.median(shares):.1%} "
            f"(range {shares[0]:.1%}–{shares[-1]:.1%}), p99 median "
            f"{statistics.median(p99s):.2f}x (range {p99s[0]:.2f}–{p99s[-1]:.2f}x)"
        )


def cpu_report(alone: dict[str, Result]) -> None:
    """CPU per request by process kind, and each read's total against its ceiling's: what the
    req/s ratios would be on a machine doing nothing else (the rounds' CPU, summed)."""
    print("\nCPU per request (µs)   server  PostgreSQL      wrk    total   of ceiling's total")
    for op, result in alone.items():
        server, database, client = result.cpu_us()
        total = server + database + client
        ceiling = alone.get(CEILING.get(op, ""))
        share = f"{sum(ceiling.cpu_us()) / total:12.1%}" if ceiling and total else f"{'—':>12}"
        print(f"{op:<20} {server:8.0f} {database:11.0f} {client:8.0f} {total:8.0f}   {share}")


def goals(alone: dict[str, Result]) -> None:
    """Issue 17's read goals, from the pooled figures of the rounds."""
    get, list_, health, static = (alone[op] for op in ("get", "list", "healthz", "static"))
    for text, value, goal, met in [
        (
            "get req/s / healthz req/s",
            f"{get.rps / health.rps:.1%}",
            ">= 50%",
            get.rps >= health.rps / 2,
        ),
        (
            "get p99 / healthz p99",
            f"{get.p99_ms / health.p99_ms:.2f}x",
            "<= 2x",
            get.p99_ms <= 2 * health.p99_ms,
        ),
        (
            "list req/s / static req/s",
            f"{list_.rps / static.rps:.1%}",
            ">= 50%",
            list_.rps >= static.rps / 2,
        ),
    ]:
        print(f"goal: {text} = {value} ({goal}): {'met' if met else 'not met'}")


def created_names(prefix: str, path: Path) -> int:
    names = Dictionary.objects.filter(
        organization__slug="load-writes", name__startswith=f"{prefix}-", deleted_at__isnull=True
    ).values_list("name", flat=True)
    listed = list(names)
    path.write_text("".join(f"{name}\n" for name in listed))
    return len(listed)


def main() -> None:
    options = OPTIONS
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    seconds, connections = options.seconds, options.connections
    with tempfile.TemporaryDirectory() as scratch:
        static_body = Path(scratch) / "static.json"
        keys = prepare(options.dictionaries, static_body)
        server = start_gunicorn(options.port, options.worker_class, options.threads, static_body)
        print(
            f"gunicorn: 2 {options.worker_class} workers x {options.threads} threads; "
            f"{connections} connections, {seconds:.0f} s per operation; "
            f"{options.dictionaries} dictionaries of 256 rules; list and static body "
            f"{static_body.stat().st_size:,} bytes"
        )
        try:
            url = f"http://127.0.0.1:{options.port}"
            phases(url, keys, options, Processes(server), Path(scratch))
        finally:
            server.terminate()
            server.wait(timeout=30)


def phases(
    url: str, keys: tuple[str, str], options: Any, processes: Processes, scratch: Path
) -> None:
    seconds, connections = options.seconds, options.connections
    count = str(options.dictionaries)
    warm = [("healthz", "", 5), ("static", "", 5), ("get", count, 10), ("list", "", 10)]
    run(url, keys, warm, min(seconds, 5))  # imports, connections and caches in every worker
    ops = [("healthz", ""), ("static", ""), ("get", count), ("list", "")]
    slices = alone_interleaved(url, keys, ops, processes, options)
    alone = {op: pooled(slices[op]) for op, _ in ops}
    report(
        f"alone, {options.rounds} interleaved rounds ({seconds:.0f} s per op in all; "
        "p50 and p99: median over rounds)",
        list(alone.values()),
        alone,
    )
    by_round(slices)
    cpu_report(alone)
    goals(alone)
    if options.reads_only:
        return
    report("create alone", run(url, keys, [("create", "c1", connections)], seconds), alone)
    pool = scratch / "delete.txt"
    available = created_names("c1", pool)
    args = {"list": "", "get": count, "create": "c2", "delete": str(pool)}
    plan = [(op, args[op], max(1, round(connections * share))) for op, share in MIX]
    mixed = run(url, keys, plan, seconds)
    shares_text = ", ".join(f"{op} {n}" for op, _, n in plan)
    report(f"mix, at the same time (connections: {shares_text})", mixed, alone, total=True)
    deleted = next(r for r in mixed if r.op == "delete")
    if deleted.requests > available:
        print(f"note: deletes ran past the {available} dictionaries the create phase made")


if __name__ == "__main__":
    main()

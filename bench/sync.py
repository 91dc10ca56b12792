"""Sync benchmark: 1,000 dictionaries of 100 rules pushed to the emulator by real Celery workers.

Run: ``.venv/bin/python bench/sync.py [--dictionaries 1000] [--rules 100]`` with PostgreSQL and
Redis on loopback (as ``bash .ci/run`` starts them). It uses its own database, ``lexicon_bench``,
dropped and re-created each run. Prints the first run (created and verified), the unchanged
re-sync measured in the same run as the baseline's ratio, and the delete-to-create window of
replaced dictionaries.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time

from common import ROOT, django_on, reset_database

DATABASE = "lexicon_bench"
DATABASE_URL = django_on(DATABASE)


from config.celery import app  # noqa: E402
from orgs.services import organization_create  # noqa: E402
from pronunciations.models import Dictionary, Rule  # noqa: E402
from pronunciations.services import dictionary_create, dictionary_update  # noqa: E402
from sync.emulator import ApiKey, EmulatorState, EmulatorThread  # noqa: E402
from sync.models import RunStatus, SyncRun, SyncState, SyncTarget  # noqa: E402
from sync.targets import target_create  # noqa: E402
from sync.tasks import run_target  # noqa: E402


def seed(count: int, rules: int) -> None:
    organization = organization_create(slug="bench", name="Bench")
    for i in range(count):
        modes = {
            "rewrite": {
                "rules": [{"match": f"term{i}x{j}", "replace": f"word {j}"} for j in range(rules)]
            }
        }
        dictionary_create(organization=organization, name=f"dictionary-{i:04d}", modes=modes)
        if i % 100 == 99:
            print(f"  seeded {i + 1}/{count}", file=sys.stderr)


def start_workers(count: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "LEXICON_SYNC_DEBOUNCE_SECONDS": "0"}
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool",
        "solo",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "WARNING",
    ]
    return [
        subprocess.Popen([*command, "-n", f"bench{i}@%h"], cwd=ROOT, env=env)  # noqa: S603
        for i in range(count)
    ]


def timed_run(target: SyncTarget, previous: int) -> tuple[float, SyncRun]:
    started = time.perf_counter()
    run_target.delay(target.public_id, target.organization.public_id, "manual")
    while True:
        ended = (RunStatus.SUCCEEDED, RunStatus.FAILED)  # not queued, running or superseded
        run = SyncRun.objects.filter(pk__gt=previous, status__in=ended).first()
        if run is not None:
            return time.perf_counter() - started, run
        time.sleep(0.05)


def report(label: str, seconds: float, run: SyncRun, emulator: EmulatorThread) -> None:
    requests = emulator.state.requests()
    writes = sum(r.method != "GET" for r in requests)
    print(
        f"{label:<22} {seconds:>8.2f} s  http calls {run.http_calls:>5}  writes {writes:>5}  "
        f"ws sessions {len(emulator.state.sessions()):>5}  created {run.created:>4}  "
        f"replaced {run.replaced:>3}  unchanged {run.unchanged:>4}  verified {run.verified:>4}  "
        f"failed {run.failed}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dictionaries", type=int, default=1000)
    parser.add_argument("--rules", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--edits", type=int, default=20)
    options = parser.parse_args()

    print(f"seeding {options.dictionaries} dictionaries x {options.rules} rules", file=sys.stderr)
    reset_database(DATABASE)
    seed(options.dictionaries, options.rules)
    emulator = EmulatorThread(EmulatorState([ApiKey("sk_bench", "org_bench", "bench")])).start()
    target = target_create(
        organization=Dictionary.objects.first().organization,  # type: ignore[union-attr]
        name="bench",
        base_url=emulator.base_url,
        ws_url=emulator.ws_url,
        api_key="sk_bench",
    )
    app.control.purge()
    workers = start_workers(options.workers)
    try:
        first_s, first = timed_run(target, 0)
        report("first sync", first_s, first, emulator)
        emulator.state.clear_requests()
        again_s, again = timed_run(target, first.pk)
        report("unchanged re-sync", again_s, again, emulator)
        for i in range(options.edits):
            name = f"dictionary-{i * (options.dictionaries // options.edits):04d}"
            modes = {"rewrite": {"rules": [{"match": "edited", "replace": f"edit {i}"}]}}
            dictionary_update(organization=target.organization, name=name, modes=modes)
        emulator.state.clear_requests()
        edit_s, edited = timed_run(target, again.pk)
        report(f"{options.edits} edits replaced", edit_s, edited, emulator)
        windows = [
            w for w in SyncState.objects.values_list("window_ms", flat=True) if w is not None
        ]
        print(
            f"\nunchanged re-sync / first sync: {again_s / first_s:.2%} of the time "
            f"({again.http_calls} list call, {again.created + again.replaced} writes)"
        )
        print(
            f"delete-to-create window over {len(windows)} replaces: median "
            f"{statistics.median(windows):.0f} ms, max {max(windows)} ms"
        )
        print(
            f"rules stored: {Rule.objects.count()}; workers: {options.workers} (a target's run "
            "is serialized by its lease, so extra workers serve other targets)"
        )
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
        emulator.stop()


if __name__ == "__main__":
    main()

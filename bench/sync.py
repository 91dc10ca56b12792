"""Sync benchmark: 1,000 dictionaries of 100 rules pushed to the emulator by real Celery workers.

Run: ``.venv/bin/python bench/sync.py [--latency-ms 50] [--dictionaries 1000] [--rules 100]`` with
PostgreSQL and Redis on loopback (as ``bash .ci/run`` starts them). It uses its own database
(``--database``, default ``$LEXICON_BENCH_DATABASE`` or ``lexicon_bench``), dropped and
re-created each run. Prints, in one run: the first sync with one dictionary at a time
(concurrency 1) and with the default concurrency, and their ratio; the unchanged re-sync
against the first sync; the delete-to-create window of replaced dictionaries; and the
throughput of four workers against one over eight targets at once (``--fleet-*``); and what
compiling IPA rules for the targets' model (``--model``, ``--ipa`` rules a dictionary) costs
the first sync: the one derive step (``sync.plans.derive``) over the same 1,000 due revisions,
timed in this process, against the first sync's time (goal: under 5 %).
``--latency-ms`` gives the emulator a network latency per HTTP call and WebSocket frame.
"""

import argparse
import logging
import os
import signal
import statistics
import subprocess
import sys
import time

from common import ROOT, django_on, reset_database


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dictionaries", type=int, default=1000)
    parser.add_argument("--rules", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--ipa", type=int, default=10, help="IPA rules a dictionary")
    parser.add_argument(
        "--model", default="cartesia/sonic:3", help="the targets' model (what IPA compiles into)"
    )
    parser.add_argument(
        "--latency-ms", type=int, default=0, help="the emulator's latency per call and frame"
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("LEXICON_BENCH_DATABASE", "lexicon_bench"),
        help="the database to drop and re-create (default $LEXICON_BENCH_DATABASE or "
        "lexicon_bench)",
    )
    parser.add_argument("--fleet-targets", type=int, default=8, help="0 skips the fleet part")
    parser.add_argument("--fleet-dictionaries", type=int, default=200)
    parser.add_argument("--fleet-workers", type=int, default=4)
    return parser.parse_args()


OPTIONS = parse_args()
DATABASE_URL = django_on(OPTIONS.database)


from config.celery import app  # noqa: E402
from orgs.models import Organization  # noqa: E402
from orgs.services import organization_create  # noqa: E402
from pronunciations.models import Rule  # noqa: E402
from pronunciations.services import dictionary_create, dictionary_update  # noqa: E402
from pronunciations.signals import dictionaries_changed, dictionary_changed  # noqa: E402
from sync.channels import due_payloads, dues  # noqa: E402
from sync.emulator import ApiKey, EmulatorState, EmulatorThread  # noqa: E402
from sync.models import DEFAULT_CONCURRENCY, RunStatus, SyncRun, SyncState, SyncTarget  # noqa: E402
from sync.plans import derive, winners  # noqa: E402
from sync.services import target_create  # noqa: E402
from sync.tasks import run_target  # noqa: E402

ENDED = (RunStatus.SUCCEEDED, RunStatus.FAILED)  # not queued, running or superseded
# Transcriptions the seeded IPA rules cycle through (Cartesia's and Deepgram's examples).
IPA_SAMPLES = ("kɑɹˈtiʒə", "duːˈpɪljuːmæb", "ˈdʒəmˈbəˈlaɪˈə", "ˈbɑˈju", "ˌtɛləˈvɪʒən")
ORGS = {"sequential": "org_bench_one", "bench": "org_bench"}  # each target's upstream org


def seed(slug: str, count: int, rules: int) -> Organization:
    organization = organization_create(slug=slug, name=slug.title())
    for i in range(count):
        modes = {
            "rewrite": {
                "rules": [{"match": f"term{i}x{j}", "replace": f"word {j}"} for j in range(rules)]
            },
            "ipa": {
                "rules": [
                    {"match": f"name{i}x{j}", "ipa": IPA_SAMPLES[j % len(IPA_SAMPLES)]}
                    for j in range(OPTIONS.ipa)
                ]
            },
        }
        dictionary_create(organization=organization, name=f"dictionary-{i:04d}", modes=modes)
        if i % 100 == 99:
            print(f"  seeded {slug} {i + 1}/{count}", file=sys.stderr)
    return organization


def start_workers(count: int, prefix: str) -> list[subprocess.Popen[bytes]]:
    """``count`` solo Celery workers, returned once each answers a ping."""
    env = {**os.environ, "LEXICON_SYNC_DEBOUNCE_SECONDS": "0"}
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo"]
    command += ["--without-gossip", "--without-mingle", "--loglevel", "WARNING"]
    names = [f"{prefix}{i}@bench" for i in range(count)]
    workers = [
        # Banners to /dev/null; warnings and errors still reach stderr.
        subprocess.Popen([*command, "-n", name], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
        for name in names
    ]
    give_up_at = time.monotonic() + 60
    while True:
        answered = {name for reply in app.control.ping(timeout=0.5) for name in reply}
        if answered >= set(names):
            return workers
        if time.monotonic() > give_up_at:
            raise SystemExit(f"workers did not start: {sorted(set(names) - answered)}")


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=60)


def timed_runs(targets: list[SyncTarget]) -> tuple[float, list[SyncRun]]:
    """Queue one run of each target at once; the seconds until the last ended, and the runs."""
    since = SyncRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started = time.perf_counter()
    for target in targets:
        run_target.delay(target.public_id, target.organization.public_id, "manual")
    while True:
        ended = SyncRun.objects.filter(pk__gt=since, status__in=ENDED, target__in=targets)
        if ended.count() >= len(targets):
            return time.perf_counter() - started, list(ended.select_related("target"))
        time.sleep(0.05)


def measured(label: str, target: SyncTarget, emulator: EmulatorThread) -> tuple[float, SyncRun]:
    """Time one run of the target, and print what it sent to SLNG (its upstream org's calls)."""
    org = ORGS[target.name]
    emulator.state.clear_requests()
    sessions_before = sum(s.org_id == org for s in emulator.state.sessions())
    seconds, (run,) = timed_runs([target])
    requests = [r for r in emulator.state.requests() if r.org_id == org]
    writes = sum(r.method != "GET" for r in requests)
    sessions = sum(s.org_id == org for s in emulator.state.sessions()) - sessions_before
    print(
        f"{label:<28} {seconds:>8.2f} s  http calls {run.http_calls:>5}  writes {writes:>5}  "
        f"ws sessions {sessions:>5}  created {run.created:>4}  replaced {run.replaced:>3}  "
        f"unchanged {run.unchanged:>4}  verified {run.verified:>4}  failed {run.failed}"
    )
    return seconds, run


def bench_target(
    organization: Organization, name: str, emulator: EmulatorThread, key: str, concurrency: int
) -> SyncTarget:
    return target_create(
        organization=organization,
        name=name,
        base_url=emulator.base_url,
        ws_url=emulator.ws_url,
        api_key=key,
        concurrency=concurrency,
        model=OPTIONS.model,
    )


def goal(text: str, met: bool) -> str:
    return f"{text}: {'met' if met else 'not met'}"


def first_syncs(
    organization: Organization, emulator: EmulatorThread
) -> tuple[list[SyncTarget], float]:
    """The first sync one dictionary at a time, then with the default concurrency; both targets
    (sequential first) and the default's seconds."""
    sequential = bench_target(organization, "sequential", emulator, "sk_bench_one", 1)
    concurrent = bench_target(organization, "bench", emulator, "sk_bench", DEFAULT_CONCURRENCY)
    one_s, _ = measured("first sync, concurrency 1", sequential, emulator)
    first_s, _ = measured(f"first sync, concurrency {DEFAULT_CONCURRENCY}", concurrent, emulator)
    print(
        goal(
            f"\nfirst sync, concurrency {DEFAULT_CONCURRENCY} against 1: {one_s / first_s:.2f}x "
            "faster (goal >= 6x)",
            one_s / first_s >= 6,
        )
    )
    compile_cost(concurrent, first_s)
    return [sequential, concurrent], first_s


def compile_cost(target: SyncTarget, first_s: float) -> None:
    """The derive step (compiling for the target's model) over every due revision the first
    sync pushed, timed here, against that sync's seconds."""
    payloads = due_payloads(winners(dues(target)).values())
    started = time.perf_counter()
    compiled = [derive(payload, target) for payload in payloads.values()]
    seconds = time.perf_counter() - started
    rules = sum(len(c.payload["modes"].get("ipa", {}).get("rules", [])) for c in compiled)
    print(
        goal(
            f"compiling {len(compiled)} dictionaries ({rules} IPA rules) for {target.model}: "
            f"{seconds * 1000:.0f} ms, {seconds / first_s:.2%} of the first sync (goal < 5 %)",
            seconds / first_s < 0.05,
        )
    )


def resyncs(targets: list[SyncTarget], first_s: float, emulator: EmulatorThread) -> None:
    """The unchanged re-sync, then ``--edits`` dictionaries replaced on each target, and the
    delete-to-create windows of their replaces, one dictionary at a time and concurrently."""
    sequential, target = targets
    again_s, again = measured("unchanged re-sync", target, emulator)
    count = OPTIONS.dictionaries
    for i in range(OPTIONS.edits):
        name = f"dictionary-{i * (count // OPTIONS.edits):04d}"
        modes = {"rewrite": {"rules": [{"match": "edited", "replace": f"edit {i}"}]}}
        dictionary_update(organization=target.organization, name=name, modes=modes)
    measured(f"{OPTIONS.edits} edits replaced", target, emulator)
    measured(f"{OPTIONS.edits} edits, concurrency 1", sequential, emulator)
    writes = again.created + again.replaced
    print(
        goal(
            f"unchanged re-sync / first sync: {again_s / first_s:.2%} of the time "
            f"({again.http_calls} list call, {writes} writes; goal: 1 list call, 0 writes)",
            again.http_calls == 1 and writes == 0,
        )
    )
    for each in (target, sequential):
        states = SyncState.objects.filter(target=each).values_list("window_ms", flat=True)
        windows = [window for window in states if window is not None]
        if windows:
            print(
                f"delete-to-create window over {len(windows)} replaces, concurrency "
                f"{each.concurrency}: median {statistics.median(windows):.0f} ms, "
                f"max {max(windows)} ms"
            )


def fleet(emulator: EmulatorThread, workers: list[subprocess.Popen[bytes]]) -> None:
    """``--fleet-targets`` targets synced at once by one worker, then (other targets, the same
    dictionaries) by ``--fleet-workers`` workers: dictionaries synced per second."""
    count, size = OPTIONS.fleet_targets, OPTIONS.fleet_dictionaries
    organization = Organization.objects.get(slug="fleet")
    groups = {
        width: [
            bench_target(
                organization, f"w{width}-{i}", emulator, f"sk_w{width}_{i}", DEFAULT_CONCURRENCY
            )
            for i in range(count)
        ]
        for width in (1, OPTIONS.fleet_workers)
    }
    stop_workers(workers)
    rates = {}
    for width, targets in groups.items():
        started = start_workers(width, f"fleet{width}-")
        try:
            seconds, runs = timed_runs(targets)
        finally:
            stop_workers(started)
        verified = sum(run.verified for run in runs)
        rates[width] = verified / seconds
        print(
            f"{count} targets x {size} dictionaries, {width} worker(s): {seconds:8.2f} s, "
            f"{verified} verified, {sum(run.failed for run in runs)} failed, "
            f"{rates[width]:.1f} dictionaries/s"
        )
    print(
        f"throughput, {OPTIONS.fleet_workers} workers against 1 over {count} targets: "
        f"{rates[OPTIONS.fleet_workers] / rates[1]:.2f}x"
    )


def keys() -> list[ApiKey]:
    found = [ApiKey("sk_bench", "org_bench", "bench"), ApiKey("sk_bench_one", "org_bench_one")]
    for width in (1, OPTIONS.fleet_workers):
        for i in range(OPTIONS.fleet_targets):
            found.append(ApiKey(f"sk_w{width}_{i}", f"org_w{width}_{i}"))
    return found


def main() -> None:
    logging.getLogger("sync.emulator").setLevel(logging.WARNING)  # a line per request otherwise
    # Edits queue no runs of their own here: the bench times the runs it starts.
    dictionary_changed.disconnect(dispatch_uid="sync.enqueue_sync")
    dictionaries_changed.disconnect(dispatch_uid="sync.enqueue_sync_many")
    print(
        f"seeding {OPTIONS.dictionaries} dictionaries x {OPTIONS.rules} rules into "
        f"{OPTIONS.database}",
        file=sys.stderr,
    )
    reset_database(OPTIONS.database)
    organization = seed("bench", OPTIONS.dictionaries, OPTIONS.rules)
    if OPTIONS.fleet_targets:
        seed("fleet", OPTIONS.fleet_dictionaries, OPTIONS.rules)
    emulator = EmulatorThread(EmulatorState(keys(), latency_ms=OPTIONS.latency_ms)).start()
    print(
        f"emulator latency {OPTIONS.latency_ms} ms per HTTP call and WebSocket frame; "
        f"{OPTIONS.workers} workers\n"
    )
    app.control.purge()
    workers = start_workers(OPTIONS.workers, "bench")
    try:
        targets, first_s = first_syncs(organization, emulator)
        resyncs(targets, first_s, emulator)
        print(f"rules stored: {Rule.objects.count()}\n")
        if OPTIONS.fleet_targets:
            fleet(emulator, workers)
    finally:
        stop_workers([w for w in workers if w.poll() is None])
        emulator.stop()


if __name__ == "__main__":
    main()

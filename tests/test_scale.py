"""More than one of everything: two web servers, three Celery workers and beat, ten SLNG targets.

One PostgreSQL and one Redis, as a deployment that outgrew one machine would have. Each web
server is its own gunicorn with the production settings (the compose file's command, two workers
each); one Celery worker runs a prefork pool of two processes, two run solo; beat runs the
targets' schedules. Every target is its own SLNG emulator over real sockets. Each worker and each
gunicorn adds up its processes' metrics from its own multiprocess directory.
"""

import signal
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
import pytest
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from config.celery import app
from orgs.models import Organization
from orgs.services import api_key_create, organization_create
from pronunciations.content import current_wire
from pronunciations.models import Dictionary
from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.models import RunStatus, SyncRun, SyncState, SyncStatus, SyncTarget
from sync.services import target_create
from tests.processes import Celery, Gunicorn, free_port, production_env, wait_for, web_command
from tests.prometheus import Samples, scrape, value

TOKEN = "scale-metrics-token-0123456789abcdef"
TARGETS = 10
DICTIONARIES_PER_ORG = 6
URL = "/v1/pronunciation/dictionaries"


def _slng_key(index: int) -> str:
    return f"sk_test_scale_{index}"


def _upstream_org(index: int) -> str:
    return f"org_upstream_scale_{index}"


@dataclass
class Stack:
    webs: list[Gunicorn]
    exporters: list[str]  # each worker's metrics URL
    emulators: list[EmulatorThread]

    def worker_samples(self) -> list[Samples]:
        return [scrape(url, TOKEN) for url in self.exporters]


def _exporter_answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/metrics", timeout=1).status_code == 401
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def stack(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("scale")
    app.control.purge()
    emulators = [
        EmulatorThread(
            EmulatorState([ApiKey(_slng_key(i), _upstream_org(i), "lexicon-sync")])
        ).start()
        for i in range(TARGETS)
    ]
    celery = Celery(folder)
    # A long lease: a run slowed down by a busy machine must not lose it and let another run in.
    celery.env.update(LEXICON_SYNC_LEASE_SECONDS="60", LEXICON_METRICS_TOKEN=TOKEN)
    exporters = []
    pools = [["--pool", "prefork", "--concurrency", "2"], ["--pool", "solo"], ["--pool", "solo"]]
    for index, pool in enumerate(pools):
        port = free_port()
        celery.start(
            "worker",
            *pool,
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"scale{index}@%h",
            env={
                "LEXICON_METRICS_WORKER_PORT": str(port),
                "PROMETHEUS_MULTIPROC_DIR": str(folder / f"worker-{index}-metrics"),
            },
        )
        exporters.append(f"http://127.0.0.1:{port}")
    celery.start("beat", "--schedule", str(folder / "beat.db"), "--max-interval", "1")
    webs: list[Gunicorn] = []
    try:
        for _ in range(2):
            env = production_env(WEB_CONCURRENCY="2", LEXICON_METRICS_TOKEN=TOKEN)
            webs.append(Gunicorn(web_command(), env))
        for url in exporters:
            wait_for(partial(_exporter_answers, url), 60, f"the worker exporter {url}")
        yield Stack(webs, exporters, emulators)
    finally:
        for web in webs:  # every process shuts down at once; each takes a couple of seconds
            web.process.send_signal(signal.SIGTERM)
        celery.stop_all()
        for web in webs:
            web.stop()
        for emulator in emulators:
            emulator.stop()
        app.control.purge()


@pytest.fixture
def quiet(stack: Stack, transactional_db: None) -> Iterator[None]:
    """After the test, no schedule fires and no run is left before the tables are emptied (a
    run's queries against the flush's TRUNCATE could deadlock)."""
    yield
    SyncTarget.objects.update(enabled=False)  # a message still queued now does nothing
    PeriodicTask.objects.update(enabled=False)
    PeriodicTasks.update_changed()  # beat reloads its schedule
    wait_for(
        lambda: not SyncRun.objects.filter(status=RunStatus.RUNNING).exists(), 30, "runs to end"
    )


def _client(web: Gunicorn, key: str) -> httpx.Client:
    return httpx.Client(base_url=web.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)


def _targets(
    stack: Stack, organizations: list[Organization], count: int = TARGETS, **extra: Any
) -> list[SyncTarget]:
    """``count`` targets, each on its own (emptied) emulator, spread over the organizations."""
    emulators = stack.emulators[:count]
    for emulator in emulators:
        emulator.state.reset()
    return [
        target_create(
            organization=organizations[i % len(organizations)],
            name=f"slng-{i}",
            base_url=emulator.base_url,
            ws_url=emulator.ws_url,
            api_key=_slng_key(i),
            **extra,
        )
        for i, emulator in enumerate(emulators)
    ]


def _final(name: str) -> dict[str, Any]:
    return {
        "modes": {"rewrite": {"rules": [{"match": f"{name}-v2", "replace": "two"}]}},
        "metadata": {"round": 3},
    }


def _edit(clients: tuple[httpx.Client, httpx.Client], names: list[str], temp: str) -> None:
    """Replace each dictionary through one web server, patch it through the other; delete one."""
    first, second = clients
    for name in names:
        put = {"modes": _final(name)["modes"], "metadata": {"round": 2}}
        assert second.put(f"{URL}/{name}", json=put).status_code == 200
        assert first.patch(f"{URL}/{name}", json={"metadata": {"round": 3}}).status_code == 200
    assert second.delete(f"{URL}/{temp}").status_code == 204


def _converged(stack: Stack, targets: list[SyncTarget], names: dict[int, list[str]]) -> bool:
    for index, target in enumerate(targets):
        expected = names[target.organization_id]
        held = stack.emulators[index].state.list_dictionaries(_upstream_org(index))
        if sorted(d["name"] for d in held) != sorted(expected):
            return False
        if any({k: d[k] for k in ("modes", "metadata")} != _final(d["name"]) for d in held):
            return False
        settled = SyncState.objects.filter(
            target=target, status=SyncStatus.VERIFIED, pushed_revision=3
        )
        if settled.count() != len(expected):
            return False
        if SyncRun.objects.filter(target=target, status=RunStatus.RUNNING).exists():
            return False
    return True


def _interleaved(runs: list[SyncRun]) -> list[tuple[int, int]]:
    """Consecutive runs of one target where the later started before the earlier finished."""
    ordered = sorted(runs, key=lambda run: run.started_at)
    return [
        (a.pk, b.pk)
        for a, b in zip(ordered, ordered[1:], strict=False)
        if a.finished_at is None or a.finished_at > b.started_at
    ]


def _overlapping_targets(runs: list[SyncRun]) -> bool:
    """Whether runs of two different targets were in progress at the same time."""
    spans = [(r.target_id, r.started_at, r.finished_at) for r in runs if r.finished_at]
    return any(
        a_target != b_target and a_start < b_end and b_start < a_end
        for a_target, a_start, a_end in spans
        for b_target, b_start, b_end in spans
    )


@pytest.mark.usefixtures("quiet")
def test_writes_through_two_web_servers_reach_ten_targets_once_each_and_verified(
    stack: Stack,
) -> None:
    organizations = [organization_create(slug=s, name=s.title()) for s in ("acme", "globex")]
    keys = [api_key_create(organization=o, label="writer").plaintext for o in organizations]
    targets = _targets(stack, organizations, prune=True, interval_seconds=2)
    names = {
        org.pk: [f"{org.slug}-{i}" for i in range(DICTIONARIES_PER_ORG)] for org in organizations
    }
    sessions = [
        (_client(stack.webs[i % 2], key), _client(stack.webs[(i + 1) % 2], key))
        for i, key in enumerate(keys * 2)  # two writers per organization
    ]
    before = [scrape(web.url, TOKEN) for web in stack.webs]
    for i, (first, _) in enumerate(sessions):  # every writer creates through its first server
        org = organizations[i % 2]
        for name in [*names[org.pk][i // 2 :: 2], f"{org.slug}-temp-{i}"]:
            body = {
                "name": name,
                "modes": {"rewrite": {"rules": [{"match": name, "replace": "1"}]}},
            }
            assert first.post(URL, json=body).status_code == 201

    # The edits arrive while the first runs are in progress, all writers at once.
    wait_for(lambda: SyncRun.objects.filter(status=RunStatus.RUNNING).exists(), 30, "a run")
    with ThreadPoolExecutor(len(sessions)) as pool:
        edits = [
            pool.submit(_edit, clients, mine, f"{org.slug}-temp-{i}")
            for i, clients in enumerate(sessions)
            for org in [organizations[i % 2]]
            for mine in [names[org.pk][i // 2 :: 2]]
        ]
        for edit in edits:
            edit.result(timeout=60)
    for first, second in sessions:
        first.close()
        second.close()

    wait_for(lambda: _converged(stack, targets, names), 45, "every target to converge")

    # Each server counted exactly the writes it answered, whichever of its workers answered them:
    # two writers create (their share and a temporary one) and patch through it, two replace
    # and delete through it.
    share = DICTIONARIES_PER_ORG // 2
    writes = {
        ("dictionary-collection", "POST", "201"): 2 * (share + 1),
        ("dictionary-detail", "PUT", "200"): 2 * share,
        ("dictionary-detail", "PATCH", "200"): 2 * share,
        ("dictionary-detail", "DELETE", "204"): 2,
    }
    for web, web_before in zip(stack.webs, before, strict=True):
        web_after = scrape(web.url, TOKEN)
        assert {
            (operation, method, status): _moved(
                web_after,
                web_before,
                "lexicon_http_requests_total",
                operation=operation,
                method=method,
                status=status,
            )
            for operation, method, status in writes
        } == writes

    for index, target in enumerate(targets):
        held = stack.emulators[index].state.list_dictionaries(_upstream_org(index))
        assert Counter(d["name"] for d in held) == Counter(names[target.organization_id])
    for dictionary in Dictionary.objects.filter(deleted_at__isnull=True):
        current = {"modes": current_wire(dictionary), "metadata": dictionary.metadata}
        assert (dictionary.revision, current) == (3, _final(dictionary.name)), dictionary.name
    # Runs still queued, or superseded before they started, never ran: only taken runs count.
    waiting = {RunStatus.QUEUED, RunStatus.SUPERSEDED}
    runs = [run for run in SyncRun.objects.all() if run.status not in waiting]
    for target in targets:
        assert _interleaved([run for run in runs if run.target_id == target.pk]) == []
    assert {run.status for run in runs} <= {RunStatus.SUCCEEDED, RunStatus.RUNNING}
    assert _overlapping_targets(runs)


TAKEN_AND_DONE = (RunStatus.SUCCEEDED, RunStatus.FAILED)


def _moved(after: Samples, before: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def _summed(samples: list[Samples], name: str, **labels: str) -> float:
    return sum(value(one, name, **labels) for one in samples)


@pytest.mark.usefixtures("quiet")
def test_counters_of_both_web_servers_and_the_workers_move_after_a_sync_run(
    stack: Stack,
) -> None:
    organization = organization_create(slug="initech", name="Initech")
    key = api_key_create(organization=organization, label="ops").plaintext
    # Created disabled, so beat never schedules them: the only runs are the two asked for below.
    healthy, failing = _targets(stack, [organization], count=2, enabled=False)
    stack.emulators[1].state.set_visibility_delay(60_000)  # TTS never finds what was pushed
    before = [scrape(web.url, TOKEN) for web in stack.webs]
    with _client(stack.webs[0], key) as first:
        body = {"name": "brand", "modes": {"rewrite": {"rules": [{"match": "QP", "replace": "q"}]}}}
        assert first.post(URL, json=body).status_code == 201
    # Enabled only now, so the create queued no run of its own (which the runs asked for below
    # would supersede, or follow): each target's only run is the one asked for.
    SyncTarget.objects.filter(pk__in=[healthy.pk, failing.pk]).update(enabled=True)
    waiting = scrape(stack.webs[1].url, TOKEN)

    for web, target in zip(stack.webs, (healthy, failing), strict=True):
        with _client(web, key) as client:
            assert client.post(f"/v1/sync/targets/{target.public_id}/run").status_code == 202
    wait_for(
        lambda: SyncRun.objects.filter(status__in=TAKEN_AND_DONE).count() == 2, 30, "both runs"
    )
    wait_for(  # a worker counts a run right after it has recorded it
        lambda: all(
            _summed(stack.worker_samples(), "lexicon_sync_runs_total", target=t.public_id) == 1
            for t in (healthy, failing)
        ),
        10,
        "the workers to count both runs",
    )

    after = [scrape(web.url, TOKEN) for web in stack.webs]
    workers = stack.worker_samples()
    ok = {"target": healthy.public_id}
    bad = {"target": failing.public_id}
    create = {"operation": "dictionary-collection", "method": "POST", "status": "201"}
    run = {"operation": "sync-target-run", "method": "POST", "status": "202"}
    assert _moved(after[0], before[0], "lexicon_http_requests_total", **create) == 1
    assert _moved(after[1], before[1], "lexicon_http_requests_total", **create) == 0
    for web_after, web_before in zip(after, before, strict=True):
        assert _moved(web_after, web_before, "lexicon_http_requests_total", **run) == 1
    assert value(waiting, "lexicon_sync_dictionaries_pending", **ok) == 1
    assert value(waiting, "lexicon_sync_oldest_pending_age_seconds", **ok) > 0
    assert value(after[1], "lexicon_sync_dictionaries_pending", **ok) == 0
    assert value(after[1], "lexicon_sync_dictionaries_failed", **bad) == 1
    assert value(after[0], "lexicon_celery_queue_depth", queue="sync") >= 0
    assert _summed(workers, "lexicon_sync_runs_total", **ok, outcome="succeeded") == 1
    assert _summed(workers, "lexicon_sync_run_duration_seconds_count", **ok) == 1
    assert _summed(workers, "lexicon_sync_runs_total", **bad, outcome="failed") == 1
    failed = "lexicon_sync_verifications_failed_total"
    assert _summed(workers, failed, **bad) == 1
    assert _summed(workers, failed, **bad, code="pronunciation_not_found") == 1
    assert all(_exporter_answers(url) for url in stack.exporters)  # 401 without the token

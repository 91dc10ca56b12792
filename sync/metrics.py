"""Sync's Prometheus counters: runs by target and outcome, failed pushes and verifications.

They count in the process that ran the sync (a Celery worker's pool process). With
``PROMETHEUS_MULTIPROC_DIR`` set, each process writes its own file there and the worker's
exporter (config.metrics.exporter) adds the files up. What is pending is not counted here: the
web's ``/metrics`` computes it from the database at scrape time
(``sync.selectors.target_backlogs``).

Labels stay bounded: a target's public id, an outcome, and SLNG codes from the reference's list
(their labels in ``sync.client.codes``; anything else is ``other``). No dictionary name, path or
key is ever a label.
"""

import re

from prometheus_client import Counter, Histogram

from sync.client import SlngError, SlngVerificationFailed, codes
from sync.models import SyncRun, SyncTarget

RUNS = Counter(
    "lexicon_sync_runs",
    "Sync runs by target and outcome (succeeded, failed; busy: another run held the lease; "
    "error: the run crashed).",
    ["target", "outcome"],
)
RUN_SECONDS = Histogram(
    "lexicon_sync_run_duration_seconds",
    "Duration of finished sync runs by target and outcome.",
    ["target", "outcome"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
)
VERIFICATIONS_FAILED = Counter(
    "lexicon_sync_verifications_failed",
    "Dictionaries whose verification (a TTS session naming them) failed, by target and SLNG code.",
    ["target", "code"],
)
PUSHES_REJECTED = Counter(
    "lexicon_sync_pushes_rejected",
    "Dictionaries SLNG refused to store (400), by target and SLNG code.",
    ["target", "code"],
)

_HTTP_CODE = re.compile(r"http_[1-5][0-9][0-9]")


def bounded_code(code: str) -> str:
    """SLNG's code when it is one we know (or ``http_<status>``), else ``other``: an upstream
    that sends arbitrary codes cannot grow the number of series."""
    return code if _HTTP_CODE.fullmatch(code) else codes.label(code)


def run_finished(run: SyncRun) -> None:
    """Count a run that ``sync.services.target_run`` returned (its target is loaded with it)."""
    labels = {"target": run.target.public_id, "outcome": run.status}
    RUNS.labels(**labels).inc()
    RUN_SECONDS.labels(**labels).observe((run.duration_ms or 0) / 1000)


def run_not_done(target_id: str, outcome: str) -> None:
    """Count a run that did not happen (``busy``) or crashed (``error``)."""
    RUNS.labels(target=target_id, outcome=outcome).inc()


def dictionary_failed(target: SyncTarget, exc: SlngError) -> None:
    """Count one dictionary's failure by stage and SLNG code."""
    counter = VERIFICATIONS_FAILED if isinstance(exc, SlngVerificationFailed) else PUSHES_REJECTED
    counter.labels(target=target.public_id, code=bounded_code(exc.code)).inc()

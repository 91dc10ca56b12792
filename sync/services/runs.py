"""Sync runs from the moment they are queued: taken by the task that runs them, their progress
recorded as they go, and read per organization.

A run put on the queue (``sync.enqueue.publish_run``) is a ``queued`` row before its message is
sent, so its id can be answered at once and polled (``GET /v1/sync/runs/{id}``). The task
names it; ``run_start`` makes it ``running`` when the task holds the target's lease. A queued
run whose task never starts it (the message lost, its retries spent, a worker down for good)
stays visible as ``queued`` until the next run of the same target starts: that run reads
everything the queued one was queued for, so it marks it ``superseded`` (and a message for a
superseded run that arrives later does nothing). Every enabled target has a periodic schedule,
so such a run is superseded within the target's interval once a worker runs; a target disabled
before its queued run started ends that run ``failed``.
"""

import time
from collections.abc import Callable
from typing import Any

from django.db.models.functions import Now
from django.utils import timezone

from orgs.scoping import restrict
from sync.models import RunStatus, SyncRun, SyncTarget
from sync.system_actors import SYNC_RUN

# What sync.services' ``progress`` callbacks take: items done, items in the plan, the item.
Progress = Callable[[int, int, Any], None]
# Counts are saved at most this often while a run goes: an unchanged dictionary costs no call
# to SLNG, so a save per dictionary would be most of the run's work (bench/sync.py).
PROGRESS_SAVE_SECONDS = 1.0
_PROGRESS_FIELDS = ["done", "created", "replaced", "deleted", "unchanged", "verified", "failed"]


def run_queue(*, target: SyncTarget, trigger: str) -> SyncRun:
    """A queued run of the target, for a message about to be published (``queued_at`` is the
    database's clock, which ``run_start`` compares with)."""
    run = SyncRun.objects.create(
        target=target, trigger=trigger, status=RunStatus.QUEUED, queued_at=Now()
    )
    run.refresh_from_db(fields=["queued_at"])
    return run


def run_unqueue(run: SyncRun) -> None:
    """Remove a queued run whose message the broker did not take: it never was on the queue."""
    restrict(SyncRun, SYNC_RUN).filter(pk=run.pk, status=RunStatus.QUEUED).delete()


def _take(target: SyncTarget, trigger: str, run_id: str, **fields: Any) -> SyncRun:
    """The target's queued run ``run_id`` with ``fields`` set, or a new run with them (no such
    run: a message from before runs were queued, a redelivered message, a run of another
    target)."""
    if run_id:
        queued = restrict(SyncRun, SYNC_RUN).filter(
            target=target, public_id=run_id, status=RunStatus.QUEUED
        )
        if queued.update(**fields):
            return restrict(SyncRun, SYNC_RUN).get(public_id=run_id)
    return SyncRun.objects.create(target=target, trigger=trigger, **fields)


def run_start(*, target: SyncTarget, trigger: str, run_id: str = "") -> SyncRun:
    """The run a task starts while it holds the target's lease: its queued run, or a new one.

    The target's other runs still queued from before now are marked superseded: this run
    reads the dictionaries after they were queued, so it does their work.
    """
    now = timezone.now()
    restrict(SyncRun, SYNC_RUN).filter(
        target=target, status=RunStatus.QUEUED, queued_at__lt=Now()
    ).exclude(public_id=run_id).update(status=RunStatus.SUPERSEDED, finished_at=now, duration_ms=0)
    return _take(target, trigger, run_id, status=RunStatus.RUNNING, started_at=now)


def run_refused(*, target: SyncTarget, trigger: str, run_id: str, error: str) -> SyncRun:
    """A run that ends failed before anything is sent (its key cannot be used)."""
    now = timezone.now()
    return _take(
        target,
        trigger,
        run_id,
        status=RunStatus.FAILED,
        started_at=now,
        finished_at=now,
        duration_ms=0,
        error=error,
    )


def run_abandon(*, run_id: str, target_id: str, organization_id: str, error: str) -> None:
    """End the queued run of a message whose target is gone or disabled (nothing is run)."""
    if not run_id:
        return
    restrict(SyncRun, SYNC_RUN).filter(
        public_id=run_id,
        status=RunStatus.QUEUED,
        target__public_id=target_id,
        target__organization__public_id=organization_id,
    ).update(status=RunStatus.FAILED, finished_at=timezone.now(), duration_ms=0, error=error)


def run_superseded(*, run_id: str, target_id: str) -> bool:
    """Whether the message's run was superseded (a later run did its work)."""
    return bool(run_id) and (
        restrict(SyncRun, SYNC_RUN)
        .filter(public_id=run_id, target__public_id=target_id, status=RunStatus.SUPERSEDED)
        .exists()
    )


def run_recording(run: SyncRun, planned: int, progress: Progress | None) -> Progress:
    """A ``progress`` callback that records the run's counts so far (the plan's size at once,
    then at most every PROGRESS_SAVE_SECONDS), then calls ``progress``."""
    run.planned = planned
    run.save(update_fields=["planned"])
    saved = time.monotonic()

    def record(done: int, total: int, item: Any) -> None:
        nonlocal saved
        run.done = done
        if time.monotonic() - saved >= PROGRESS_SAVE_SECONDS:
            run.save(update_fields=_PROGRESS_FIELDS)
            saved = time.monotonic()
        if progress is not None:
            progress(done, total, item)

    return record

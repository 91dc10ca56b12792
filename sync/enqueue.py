"""Enqueueing sync runs: the one place that puts sync's tasks on the queue.

The admin, the API, the commands and the ``dictionary_changed`` receiver (connected in
``SyncConfig.ready``) call these. Import direction: this module imports the tasks, the tasks
import the services, and the services never import the tasks or this module.

A committed dictionary change enqueues a debounced run of each enabled target; so does a
review decision, which pronunciations announces through the same ``dictionary_changed`` signal
(``change="approved"``, …): any change value enqueues. When a run verifies content it had not
verified before (``sync.signals.content_verified``), the targets that follow it (``after``) are
enqueued, so production takes a revision as soon as staging has verified it. Every run put on
the queue here exists as a ``queued`` SyncRun before its message is sent (sync/services/runs.py), so
callers can answer its id.

This only makes sync prompt. What is pending is derived from the data, so the periodic run of
each target finds every change even if this message was lost (broker down).
"""

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from orgs.actors import Actor
from orgs.request_id import task_headers
from orgs.scoping import restrict
from sync.models import SyncRun, SyncTarget
from sync.services import runs
from sync.tasks import run_target

# Lexicon reading on its own account (orgs.scoping: every organization).
ENQUEUE = Actor.system("sync enqueue")

logger = logging.getLogger(__name__)


def publish_run(target: SyncTarget, trigger: str, countdown: float = 0) -> SyncRun | None:
    """Queue a run of the target: its queued row first, then the task naming the target, its
    organization and the run (callers are outside a transaction, so the row is committed before
    a worker can look for it). None (logged, the row removed) when the broker cannot take it:
    the schedule catches up."""
    run = runs.run_queue(target=target, trigger=trigger)
    try:
        run_target.apply_async(
            (target.public_id, target.organization.public_id, trigger),
            {"run_id": run.public_id},
            countdown=countdown,
            headers=task_headers(),
        )
    except Exception:  # kombu raises several types for an unreachable broker
        logger.warning("could not enqueue sync of target %s; its schedule will catch up", target)
        runs.run_unqueue(run)
        return None
    return run


def enqueue_sync(*, organization_id: int, trigger: str = "change", **_: Any) -> list[SyncRun]:
    """Enqueue one run per enabled target of the organization, at most one per debounce window;
    the runs queued, in target order."""
    targets = restrict(SyncTarget, ENQUEUE).filter(organization_id=organization_id, enabled=True)
    return _enqueue(targets, trigger)


def enqueue_followers(*, target_id: int, organization_id: int, **_: Any) -> list[SyncRun]:
    """Enqueue the enabled targets that wait for verification on this one (``after``)."""
    followers = restrict(SyncTarget, ENQUEUE).filter(
        organization_id=organization_id, after_id=target_id, enabled=True
    )
    return _enqueue(followers, "change")


def _enqueue(targets: QuerySet[SyncTarget], trigger: str) -> list[SyncRun]:
    delay = settings.LEXICON_SYNC_DEBOUNCE_SECONDS if trigger == "change" else 0
    queued = []
    for target in targets.select_related("organization").order_by("pk"):
        key = f"sync:debounce:{target.pk}"
        if delay and not cache.add(key, 1, timeout=delay):
            continue
        if run := publish_run(target, trigger, countdown=delay):
            queued.append(run)
        else:
            cache.delete(key)
    return queued

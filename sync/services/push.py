"""Push dictionaries to an SLNG target and verify them with a real TTS session.

A run lists upstream once, reads each dictionary's due revision on this target (its channel and
``after``: ``sync.channels``), plans creates, replaces (SLNG has no update: DELETE then POST at
once), prunes and unchanged (compared by content, so unchanged costs no write) with the pure
``plan`` (``sync.plans``), and executes the plan (``sync.runner``): up to the target's
``concurrency`` dictionaries pushed and verified at once, each verified content recorded
(``Verification``), which a target following this one waits for. Runs are idempotent and hold a
per-target lease, kept while they work, so two never interleave and a run killed at any point is
repaired by the next one.
"""

import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from orgs.scoping import restrict
from sync.client import RetryPolicy, SlngClient, SlngError
from sync.crypto import SecretUnreadable
from sync.errors import TargetKeyUnusable
from sync.models import RunStatus, SyncRun, SyncTarget
from sync.plans import (
    PlanItem,
    Progress,
    sync_plan,
)
from sync.runner import Lease, LeaseLost, Runner
from sync.selectors import target_for_run
from sync.services import runs
from sync.services.targets import target_api_key
from sync.signals import content_verified
from sync.system_actors import SYNC_RUN

logger = logging.getLogger(__name__)


class TargetBusy(Exception):
    """Another run holds the target's lease."""


def client_for(target: SyncTarget) -> SlngClient:
    """A client for the target, with the key decrypted only here and timeouts from settings.

    Raises TargetKeyUnusable when the target's URLs are not those its key was entered for.
    """
    return SlngClient(
        base_url=target.base_url,
        ws_url=target.ws_url,
        api_key=target_api_key(target),
        timeout=settings.LEXICON_SLNG_TIMEOUT_SECONDS,
        retry=RetryPolicy(
            base=settings.LEXICON_SLNG_RETRY_BASE_SECONDS,
            cap=settings.LEXICON_SLNG_RETRY_CAP_SECONDS,
            deadline=settings.LEXICON_SLNG_RETRY_DEADLINE_SECONDS,
        ),
    )


# -- the lease ----------------------------------------------------------------------------


def _lease_acquire(target_id: int, token: str) -> bool:
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    until = now + timedelta(seconds=settings.LEXICON_SYNC_LEASE_SECONDS)
    taken = (
        restrict(SyncTarget, SYNC_RUN)
        .filter(free, pk=target_id)
        .update(lease_token=token, lease_until=until)
    )
    return taken == 1


def _lease_extend(target_id: int, token: str) -> bool:
    """Extend the run's lease; False when it is no longer this run's (it ran out and was taken)."""
    until = timezone.now() + timedelta(seconds=settings.LEXICON_SYNC_LEASE_SECONDS)
    return (
        restrict(SyncTarget, SYNC_RUN)
        .filter(pk=target_id, lease_token=token)
        .update(lease_until=until)
        == 1
    )


def _lease_release(target_id: int, token: str) -> None:
    restrict(SyncTarget, SYNC_RUN).filter(pk=target_id, lease_token=token).update(
        lease_token="", lease_until=None
    )


def target_run(
    *,
    target_id: str,
    organization_id: str,
    trigger: str,
    progress: Progress | None = None,
    run_id: str = "",
) -> SyncRun:
    """Run one sync of the organization's target (both public ids): the queued run ``run_id``
    when it is the target's (sync/services/runs.py), else a new run.

    Raises TargetNotFound when the target is not that organization's (a forged or stale
    message does nothing), TargetBusy if another run holds its lease. A key that cannot be used
    (URLs changed since it was entered) ends the run failed before anything is sent. SLNG errors
    that stop the whole run (unreachable, key refused, still rate-limited at the retry
    deadline) mark the run failed, with what was done before them recorded; errors of one
    dictionary mark only that dictionary failed. A run whose lease was taken while it stalled
    stops failed (``LeaseLost``) before it sends anything more.
    """
    target = target_for_run(organization_id=organization_id, target_id=target_id)
    try:
        client = client_for(target)
    except (TargetKeyUnusable, SecretUnreadable) as exc:
        logger.warning("sync of %s refused: %s", target, exc)
        error = f"{type(exc).__name__}: {exc}"
        return runs.run_refused(target=target, trigger=trigger, run_id=run_id, error=error)
    token = uuid.uuid4().hex
    if not _lease_acquire(target.pk, token):
        client.close()
        raise TargetBusy(f"target {target_id} is being synced by another run")
    run = runs.run_start(target=target, trigger=trigger, run_id=run_id)
    started = time.monotonic()
    lease = Lease(lambda: _lease_extend(target.pk, token), settings.LEXICON_SYNC_LEASE_SECONDS)
    runner = Runner(target, run, client, lease)
    try:
        items = sync_plan(target, client.list_dictionaries())
        runner.execute(items, runs.run_recording(run, len(items), progress))
        run.status = RunStatus.FAILED if run.failed else RunStatus.SUCCEEDED
    except (SlngError, LeaseLost) as exc:
        message = exc.message if isinstance(exc, SlngError) else str(exc)
        run.status, run.error = RunStatus.FAILED, f"{type(exc).__name__}: {message}"
        logger.warning("sync run %s of %s failed: %s", run.pk, target, run.error)
    finally:
        client.close()
        run.http_calls = client.calls.http
        run.finished_at = timezone.now()
        run.duration_ms = int((time.monotonic() - started) * 1000)
        run.save()
        _lease_release(target.pk, token)
    if runner.newly_verified:
        content_verified.send(
            sender=SyncTarget, target_id=target.pk, organization_id=target.organization_id
        )
    return run


def target_plan(*, target_id: str, organization_id: str) -> list[PlanItem]:
    """The plan a run would execute now (one list call upstream, no writes anywhere).

    Raises TargetNotFound and TargetKeyUnusable as ``target_run`` does.
    """
    target = target_for_run(organization_id=organization_id, target_id=target_id)
    with client_for(target) as client:
        return sync_plan(target, client.list_dictionaries())

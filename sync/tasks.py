"""Celery tasks: thin wrappers that pass public ids to the sync services."""

import logging

from celery import shared_task
from celery.app.task import Task
from django.conf import settings

from orgs.actors import Actor
from orgs.scoping import restrict
from sync import metrics, services
from sync.errors import TargetNotFound
from sync.models import SyncTarget, Trigger
from sync.services import runs

# Lexicon reading on its own account (orgs.scoping: every organization).
SYNC_TASK = Actor.system("sync task")

logger = logging.getLogger(__name__)


@shared_task(
    name="sync.run_target",
    bind=True,
    acks_late=True,
    max_retries=120,
    soft_time_limit=1800,
    time_limit=1900,
)
def run_target(
    self: Task,
    target_id: str,
    organization_id: str = "",
    trigger: str = "change",
    run_id: str = "",
) -> None:
    """Sync one target of one organization (public ids). A busy target is retried later.

    A message that does not name the organization (the shape before issue 11), names a target
    of another organization or an unknown trigger is refused and logged: it does nothing. The
    target's periodic schedule catches up whatever such a message meant to do. ``run_id``
    names the queued run the message is for (sync/services/runs.py; messages without one, from the
    schedule or from before issue 16, get a new run).
    """
    if not (
        isinstance(target_id, str)
        and isinstance(organization_id, str)
        and organization_id.startswith("org_")
        and trigger in Trigger.values
        and isinstance(run_id, str)
    ):
        logger.warning(
            "refused a sync message that does not name a target and its organization: %.80r",
            (target_id, organization_id, trigger),
        )
        return
    if (
        not restrict(SyncTarget, SYNC_TASK)
        .filter(public_id=target_id, organization__public_id=organization_id, enabled=True)
        .exists()
    ):
        logger.info("no enabled target %s in %s: nothing to sync", target_id, organization_id)
        runs.run_abandon(
            run_id=run_id,
            target_id=target_id,
            organization_id=organization_id,
            error="the target was disabled before the run started",
        )
        return
    if runs.run_superseded(run_id=run_id, target_id=target_id):
        logger.info("run %s of %s was superseded by a later run: nothing to do", run_id, target_id)
        return
    try:
        run = services.target_run(
            target_id=target_id, organization_id=organization_id, trigger=trigger, run_id=run_id
        )
    except TargetNotFound:
        logger.info("target %s left %s before its run", target_id, organization_id)
        return
    except services.TargetBusy as exc:
        metrics.run_not_done(target_id, "busy")
        raise self.retry(countdown=settings.LEXICON_SYNC_BUSY_RETRY_SECONDS, exc=exc) from exc
    except Exception:
        metrics.run_not_done(target_id, "error")
        raise
    metrics.run_finished(run)

"""Celery tasks: thin wrappers that pass ids to the sync services."""

from celery import shared_task
from celery.app.task import Task
from django.conf import settings

from sync import services
from sync.models import SyncTarget


@shared_task(
    name="sync.run_target",
    bind=True,
    acks_late=True,
    max_retries=120,
    soft_time_limit=1800,
    time_limit=1900,
)
def run_target(self: Task, target_id: int, trigger: str = "change") -> None:
    """Sync one target. A run already in progress makes this one wait and try again."""
    if not SyncTarget.objects.filter(pk=target_id, enabled=True).exists():
        return
    try:
        services.target_run(target_id=target_id, trigger=trigger)
    except services.TargetBusy as exc:
        raise self.retry(countdown=settings.LEXICON_SYNC_BUSY_RETRY_SECONDS, exc=exc) from exc

"""Celery tasks of pronunciations: thin wrappers that pass public ids to the services."""

from celery import shared_task
from celery.app.task import Task
from django.conf import settings

from pronunciations.scan import jobs as scan_jobs
from pronunciations.transfer import jobs
from pronunciations.transfer.slots import ImportJobWaiting

# A job is killed before LEXICON_IMPORT_JOB_STALE_SECONDS have passed since its start, so a job
# that is still running is never taken for a dead one; the soft limit rolls the import back and
# records the failure.
_HARD_LIMIT = max(settings.LEXICON_IMPORT_JOB_STALE_SECONDS - 30, 60)


@shared_task(
    name=jobs.RUN_IMPORT,
    bind=True,
    acks_late=True,
    max_retries=None,  # waiting for a slot is not a failure (pronunciations.transfer.slots)
    soft_time_limit=_HARD_LIMIT - 30,
    time_limit=_HARD_LIMIT,
)
def run_import(self: Task, job_id: str, organization_id: str) -> None:
    """Run one import job; the organization's public id must own it, or nothing happens. While
    the organization's import slots are taken, the task is sent again a little later."""
    try:
        jobs.import_job_run(job_id=job_id, organization_id=organization_id)
    except ImportJobWaiting as exc:
        raise self.retry(countdown=settings.LEXICON_IMPORT_WAIT_SECONDS, exc=exc) from exc


@shared_task(name=scan_jobs.RUN_SCAN, acks_late=True, soft_time_limit=300, time_limit=330)
def run_scan(job_id: str, organization_id: str) -> None:
    """Run one scan job; the organization's public id must own it, or nothing happens."""
    scan_jobs.scan_job_run(job_id=job_id, organization_id=organization_id)

"""Celery tasks of pronunciations: thin wrappers that pass public ids to the services."""

from celery import shared_task
from django.conf import settings

from pronunciations.transfer import jobs

# A job is killed before LEXICON_IMPORT_JOB_STALE_SECONDS have passed since its start, so a job
# that is still running is never taken for a dead one; the soft limit rolls the import back and
# records the failure.
_HARD_LIMIT = max(settings.LEXICON_IMPORT_JOB_STALE_SECONDS - 30, 60)


@shared_task(
    name=jobs.RUN_IMPORT,
    acks_late=True,
    soft_time_limit=_HARD_LIMIT - 30,
    time_limit=_HARD_LIMIT,
)
def run_import(job_id: str, organization_id: str) -> None:
    """Run one import job; the organization's public id must own it, or nothing happens."""
    jobs.import_job_run(job_id=job_id, organization_id=organization_id)

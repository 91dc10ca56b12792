"""Celery tasks of pronunciations: thin wrappers that pass public ids to the services."""

from celery import shared_task

from pronunciations import jobs


@shared_task(
    name="pronunciations.run_import",
    acks_late=True,
    # Below LEXICON_IMPORT_JOB_STALE_SECONDS (600 by default), so a job that is still running is
    # never taken for a dead one; the soft limit rolls the import back and fails the job.
    soft_time_limit=540,
    time_limit=570,
)
def run_import(job_id: str, organization_id: str) -> None:
    """Run one import job; the organization's public id must own it, or nothing happens."""
    jobs.import_job_run(job_id=job_id, organization_id=organization_id)

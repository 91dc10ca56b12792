"""Background scans: a large text runs on a Celery worker (task ``pronunciations.run_scan``)
with its progress visible while it runs.

A scan writes no dictionary, so a job needs no transaction around its work: progress is a
plain update of its row (at most twice a second), and a job redelivered after its worker died
simply scans again. The text is kept on the job until it finishes.
"""

import functools
import logging
import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.exceptions import translate
from orgs.actors import Actor
from orgs.ids import new_scan_id
from orgs.models import Organization
from orgs.scoping import restrict
from pronunciations import background, events
from pronunciations.errors import NotFound
from pronunciations.models import JobState, ScanJob
from pronunciations.scan import services as scanning

# Lexicon reading on its own account (orgs.scoping: every organization).
SCAN_JOB = Actor.system("scan job")

# The Celery task that runs a job, sent by name (pronunciations.tasks imports this module).
RUN_SCAN = "pronunciations.run_scan"

logger = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 0.5
_FINISHED = (JobState.SUCCEEDED, JobState.FAILED)


class ScanJobNotFound(NotFound):
    def __init__(self, job_id: str) -> None:
        super().__init__(f"Scan job not found: {job_id}")


def scan_job_create(
    *,
    organization: Organization,
    data: bytes,
    file_format: str,
    language: object,
    names: list[str],
    author: Actor,
) -> ScanJob:
    """Store the text as a queued job and enqueue its run; raises Unavailable (503) when the
    broker cannot take it (the job is then failed)."""
    job = ScanJob.objects.create(
        organization=organization,
        public_id=new_scan_id(),
        file_format=file_format,
        data=data,
        options={"language": language, "names": names, "author": author.name},
    )
    failed = functools.partial(_failed, job)
    transaction.on_commit(lambda: background.job_enqueue(RUN_SCAN, job, failed))
    return job


def _failed(job: ScanJob, error: dict[str, Any]) -> None:
    """A job whose task the broker did not take: failed, and not announced (the caller is
    answered 503 at once)."""
    _finish(job, JobState.FAILED, announce=False, error=error)


def scan_job_get(*, organization: Organization, job_id: str) -> ScanJob:
    """The organization's job (another organization's id is not found)."""
    job = restrict(ScanJob, SCAN_JOB).filter(organization=organization, public_id=job_id).first()
    if job is None:
        raise ScanJobNotFound(job_id)
    return job


def scan_job_wire(job: ScanJob) -> dict[str, Any]:
    return {
        "id": job.public_id,
        "state": job.state,
        "phase": job.phase,
        "turns_total": job.turns_total,
        "turns_done": job.turns_done,
        "result": job.result,
        "error": job.error,
    }


def scan_job_run(*, job_id: str, organization_id: str) -> None:
    """Run a queued job (the Celery task's body); a job of another organization, or one that
    has finished, is left alone."""
    job = (
        restrict(ScanJob, SCAN_JOB)
        .select_related("organization")
        .filter(public_id=job_id, organization__public_id=organization_id)
        .exclude(state__in=_FINISHED)
        .first()
    )
    if job is None:
        logger.warning("scan job %s of %s not found or finished", job_id, organization_id)
        return
    restrict(ScanJob, SCAN_JOB).filter(pk=job.pk).update(
        state=JobState.RUNNING, phase="read", started_at=timezone.now()
    )
    try:
        turns = scanning.scan_turns(data=bytes(job.data), file_format=job.file_format)
        restrict(ScanJob, SCAN_JOB).filter(pk=job.pk).update(turns_total=len(turns))
        result = scanning.scan_run(
            organization=job.organization,
            turns=turns,
            language=job.options.get("language"),
            names=job.options.get("names") or [],
            scan_id=job.public_id,
            progress=_Progress(job),
        )
        _finish(job, JobState.SUCCEEDED, result=result, turns_done=len(turns))
    except Exception as exc:  # every outcome, expected or not, is recorded on the job
        error = translate(exc)
        if error.status >= 500:
            logger.exception("scan job %s failed", job_id)
        _finish(job, JobState.FAILED, error=background.job_error(error))


class _Progress:
    """The scan's progress callback: its phase and turns read, at most twice a second."""

    def __init__(self, job: ScanJob) -> None:
        self.job = job
        self.written_at = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.written_at < PROGRESS_EVERY_SECONDS and done != total:
            return
        self.written_at = now
        restrict(ScanJob, SCAN_JOB).filter(pk=self.job.pk, state=JobState.RUNNING).update(
            phase=phase, turns_done=done
        )


def _finish(job: ScanJob, state: str, *, announce: bool = True, **fields: Any) -> None:
    """Move a job that is not finished yet to ``state`` and announce it (``scan.finished`` or
    ``scan.failed``, after commit)."""
    fields.update(state=state, phase="done", finished_at=timezone.now(), data=b"")
    if (
        restrict(ScanJob, SCAN_JOB).filter(pk=job.pk).exclude(state__in=_FINISHED).update(**fields)
        != 1
    ):
        return
    for name, value in fields.items():
        setattr(job, name, value)
    if announce:
        events.job_ended(job)

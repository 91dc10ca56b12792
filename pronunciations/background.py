"""What background jobs (imports, scans) share: sending a job's task, and the error a failed job
records."""

import logging
from collections.abc import Callable
from typing import Any, Protocol

from celery import current_app

from core.exceptions import error_body
from orgs.models import Organization
from pronunciations.errors import PronunciationError, Unavailable

logger = logging.getLogger(__name__)


class Job(Protocol):
    public_id: str
    organization: Organization


def job_enqueue(task: str, job: Job, fail: Callable[[dict[str, Any]], object]) -> None:
    """Send ``task`` by name with the job's and its organization's public ids (the task's module
    imports the job's). When the broker cannot take it, ``fail`` records the error on the job
    (so it is not left queued) and Unavailable (503) is raised."""
    try:
        current_app.send_task(task, (job.public_id, job.organization.public_id))
    except Exception as exc:  # kombu raises several types for an unreachable broker
        logger.warning("could not enqueue %s for job %s", task, job.public_id)
        fail(job_error(Unavailable()))
        raise Unavailable() from exc


def job_error(error: PronunciationError, **override: Any) -> dict[str, Any]:
    """A failed job's ``error``: the HTTP status and SLNG's body (without a report: a job's own
    field holds it), ``override`` on top."""
    body = error_body(error, None)
    body.pop("report", None)
    return {"status": override.get("status", error.status), **body, **override}

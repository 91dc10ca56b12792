"""Background imports: a job holds its file and runs on a Celery worker with visible progress.

Which imports go to the background is decided in one place (``transfer.services``). A job runs
the same ``reading.import_file`` as a synchronous import, so it gives the same report and keeps
the same all-or-nothing rule: the import's writes and the job's ``succeeded`` are one
transaction. Progress is written on a second database connection, so it is visible while that
transaction is still open; on SQLite, which has one writer at a time and whose import
transaction holds the write lock from its start, it is written on the import's own connection
instead and is seen when the import ends (a second connection would wait for that lock and
fail). A job that stops reporting progress for LEXICON_IMPORT_JOB_STALE_SECONDS (its worker was
killed or lost) is marked failed when next read or claimed; nothing of it was written.
"""

import logging
import tempfile
import time
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.exceptions import translate
from orgs.actors import Actor
from orgs.models import Organization
from orgs.scoping import restrict
from pronunciations import background, events
from pronunciations.errors import NotFound, PronunciationError
from pronunciations.models import ImportJob, ImportJobChunk, JobState
from pronunciations.transfer import parsing, reading, slots
from pronunciations.transfer.importing import ImportRejected

# Lexicon reading on its own account (orgs.scoping: every organization).
IMPORT_JOB = Actor.system("import job")

logger = logging.getLogger(__name__)
# The Celery task that runs a job (pronunciations.tasks.run_import), sent by its name.
RUN_IMPORT = "pronunciations.run_import"

# A redelivered task (its worker died) runs the import again, once: nothing was written.
MAX_ATTEMPTS = 2
PROGRESS_EVERY_SECONDS = 0.5
CHUNK_BYTES = 1024 * 1024
_FINISHED = (JobState.SUCCEEDED, JobState.FAILED)


class ImportJobNotFound(NotFound):
    def __init__(self, job_id: str) -> None:
        super().__init__(f"Import job not found: {job_id}")


def import_job_create(
    *, options: reading.ImportOptions, source: IO[bytes], file_name: str, rows_total: int | None
) -> ImportJob:
    """Store the file as a queued job and enqueue its run; raises Unavailable (503) when the
    broker cannot take it (the job is then failed, so it is not left queued)."""
    job = ImportJob(
        organization=options.organization,
        file_name=parsing.column_label(file_name[:200]),
        file_format=options.file_format,
        options=options.options(),
        author=options.author.name,
        rows_total=rows_total,
    )
    with transaction.atomic():
        job.save()
        source.seek(0)
        for number, chunk in enumerate(iter(lambda: source.read(CHUNK_BYTES), b"")):
            ImportJobChunk.objects.create(job=job, number=number, data=chunk)
            job.file_bytes += len(chunk)
        job.save(update_fields=["file_bytes"])
    background.job_enqueue(
        RUN_IMPORT, job, lambda error: _finish(job, JobState.FAILED, announce=False, error=error)
    )
    return job


def import_job_get(*, organization: Organization, job_id: str) -> ImportJob:
    """The organization's job (another organization's id is not found); a stale one is failed."""
    job = (
        restrict(ImportJob, IMPORT_JOB).filter(organization=organization, public_id=job_id).first()
    )
    if job is None:
        raise ImportJobNotFound(job_id)
    if job.state == JobState.RUNNING and _stale(job):
        _finish(job, JobState.FAILED, error=_stopped())
    return job


def import_job_wire(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.public_id,
        "state": job.state,
        "phase": job.phase,
        "file_name": job.file_name,
        "format": job.file_format,
        "rows_total": job.rows_total,
        "rows_done": job.rows_done,
        "report": job.report,
        "error": job.error,
        "created_at": _time(job.created_at),
        "started_at": _time(job.started_at),
        "finished_at": _time(job.finished_at),
    }


def import_job_counts() -> dict[str, int]:
    """How many jobs are in each state, across organizations (for the operator's metrics).

    A running job that stopped reporting progress is counted failed, as ``import_job_get``
    shows it. One query.
    """
    last = Coalesce("heartbeat_at", "started_at", "created_at")
    stale = Q(state=JobState.RUNNING) & Q(last__lt=_stale_before())
    shown = Case(When(stale, then=Value(JobState.FAILED.value)), default=F("state"))
    jobs = restrict(ImportJob, IMPORT_JOB).annotate(last=last, shown=shown)
    rows = jobs.values("shown").annotate(n=Count("pk"))
    counts = dict.fromkeys(JobState.values, 0)
    counts.update({row["shown"]: row["n"] for row in rows})
    return counts


def import_job_run(*, job_id: str, organization_id: str) -> None:
    """Run a queued job (the Celery task's body). A job of another organization, or one that
    has finished, is left alone, so a forged or repeated message does nothing. Raises
    ``slots.ImportJobWaiting`` while the organization's import slots are taken."""
    job = _claim(job_id, organization_id)
    if job is None:
        return
    progress = _Progress(job)
    try:
        options = reading.ImportOptions.from_job(
            job.organization, job.file_format, job.author, job.options
        )
        with transaction.atomic(), _job_file(job) as file:
            report = options.run(file, progress)
            done = progress.rows_total or progress.rows_done
            if not _finish(job, JobState.SUCCEEDED, report=report.to_wire(), rows_done=done):
                raise _Superseded
    except _Superseded:
        logger.warning("import job %s was taken over by another run", job_id)
    except ImportRejected as exc:
        _finish(job, JobState.FAILED, report=exc.report.to_wire(), error=background.job_error(exc))
    except Exception as exc:  # every outcome, expected or not, is recorded on the job
        error = translate(exc)
        if error.status >= 500:
            logger.exception("import job %s failed", job_id)
        _finish(job, JobState.FAILED, error=background.job_error(error))
    finally:
        progress.close()


def _job_file(job: ImportJob) -> IO[bytes]:
    """The job's file, reassembled in a temporary file (on disk past 1 MiB)."""
    file = tempfile.SpooledTemporaryFile(max_size=CHUNK_BYTES)  # noqa: SIM115 - returned
    for chunk in job.chunks.order_by("number").values_list("data", flat=True).iterator():
        file.write(chunk)
    file.seek(0)
    return file


class _Superseded(Exception):
    """Another run of the same job claimed it after this one: roll this one back."""


def _claim(job_id: str, organization_id: str) -> ImportJob | None:
    with transaction.atomic():
        job = (
            # Only the job's row: FOR UPDATE on the organization's would wait for every running
            # import of it to commit (their inserts hold FOR KEY SHARE there), taking a slot.
            restrict(ImportJob, IMPORT_JOB)
            .select_for_update(of=("self",))
            .select_related("organization")
            .filter(public_id=job_id, organization__public_id=organization_id)
            .first()
        )
        if job is None:
            logger.warning("import job %s of %s not found", job_id, organization_id)
            return None
        if job.state in _FINISHED:
            return None
        if job.state == JobState.RUNNING and (_stale(job) or job.attempts >= MAX_ATTEMPTS):
            _finish(job, JobState.FAILED, error=_stopped())
            return None
        # A redelivered running job keeps its slot; a queued one waits for a free one.
        waiting = job.state == JobState.QUEUED and not slots.slot_free(job)
        if not waiting:
            _start(job)
    if waiting:
        raise slots.ImportJobWaiting(job_id)
    return job


def _start(job: ImportJob) -> None:
    now = timezone.now()
    job.state, job.attempts, job.phase = JobState.RUNNING, job.attempts + 1, "read"
    job.started_at = job.heartbeat_at = now
    job.rows_done = 0
    job.save(
        update_fields=["state", "attempts", "phase", "started_at", "heartbeat_at", "rows_done"]
    )


def _finish(job: ImportJob, state: str, *, announce: bool = True, **fields: Any) -> bool:
    """Move a job that is not finished yet to ``state`` and announce it (``import.finished`` or
    ``import.failed``, after commit); False if it already was (or changed)."""
    fields.update(state=state, finished_at=timezone.now())
    query = restrict(ImportJob, IMPORT_JOB).filter(pk=job.pk).exclude(state__in=_FINISHED)
    if state == JobState.SUCCEEDED:
        query = query.filter(attempts=job.attempts)
    changed = query.update(**fields) == 1
    if changed:
        restrict(ImportJobChunk, IMPORT_JOB).filter(
            job=job
        ).delete()  # the file is not needed any more
        for name, value in fields.items():
            setattr(job, name, value)
        if announce:
            events.job_ended(job)
    return changed


class _Progress:
    """The import's progress callback: rows done, written at most twice a second on a second
    database connection, so readers see it while the import's transaction is open (on SQLite
    on the import's own connection: see the module docstring)."""

    def __init__(self, job: ImportJob) -> None:
        self.job, self.rows_total, self.rows_done = job, job.rows_total, 0
        self.connection: Any = None
        self.own = connections["default"].vendor == "sqlite"  # one writer at a time
        self.written_at = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase == "read":
            self.rows_done, self.rows_total = 0, max(total, done)
        elif phase == "import":  # rows read and planned; a second reading does not go back
            self.rows_done, self.rows_total = max(self.rows_done, done), max(total, done)
        else:  # validate and write count dictionaries: scale them to the file's rows
            rows = self.rows_total or 0
            self.rows_done = rows * done // total if total else rows
        now = time.monotonic()
        if now - self.written_at < PROGRESS_EVERY_SECONDS and done != total:
            return
        self.written_at = now
        self._write(phase)

    def _write(self, phase: str) -> None:
        if self.connection is None:
            own = connections["default"]
            self.connection = own if self.own else connections.create_connection("default")
        table = ImportJob._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET phase = %s, rows_done = %s, rows_total = %s,"  # noqa: S608
                " heartbeat_at = %s WHERE id = %s AND state = %s",
                [phase, self.rows_done, self.rows_total, timezone.now(), self.job.pk, "running"],
            )

    def close(self) -> None:
        if self.connection is not None and not self.own:
            self.connection.close()


def _stale_before() -> datetime:
    """A running job whose last progress is older than this has stopped."""
    return timezone.now() - timedelta(seconds=settings.LEXICON_IMPORT_JOB_STALE_SECONDS)


def _stale(job: ImportJob) -> bool:
    return (job.heartbeat_at or job.started_at or job.created_at) < _stale_before()


def _stopped() -> dict[str, Any]:
    return background.job_error(
        PronunciationError(
            "The import stopped without finishing (its worker was stopped or lost); "
            "nothing was written. Import the file again."
        ),
        status=500,
        code="import_interrupted",
    )


def _time(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None

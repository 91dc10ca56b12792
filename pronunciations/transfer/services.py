"""How an import starts, one rule for every caller (the API, the admin's pages): a file larger
than LEXICON_IMPORT_SYNC_MAX_BYTES to parse (for XLSX, what it inflates to), or one whose caller
asks, runs as a background job (``transfer.jobs``); any other is imported in the request."""

from typing import IO

from django.conf import settings

from pronunciations.models import ImportJob
from pronunciations.transfer import jobs, uploads
from pronunciations.transfer.reading import ImportOptions
from pronunciations.transfer.report import ImportReport


def wants_background(size: int, asked: bool) -> bool:
    """Whether an import of ``size`` bytes to parse runs as a job (see the module docstring)."""
    return asked or size > settings.LEXICON_IMPORT_SYNC_MAX_BYTES


def import_job_if_background(
    *, options: ImportOptions, source: IO[bytes], file_name: str, asked: bool = False
) -> ImportJob | None:
    """The file inspected (bounded: raises UploadTooLarge (413) or ValidationError) and, when it
    goes to the background, its job, queued; None when it is to be imported in the request."""
    inspection = uploads.inspect(source, options.file_format)
    if not wants_background(inspection.work_bytes, asked):
        return None
    return jobs.import_job_create(
        options=options, source=source, file_name=file_name, rows_total=inspection.rows
    )


def import_start(
    *, options: ImportOptions, source: IO[bytes], file_name: str, asked: bool = False
) -> ImportReport | ImportJob:
    """Import the file now (its report; raises ImportRejected) or queue it as a job (the job):
    see the module docstring."""
    job = import_job_if_background(options=options, source=source, file_name=file_name, asked=asked)
    return job if job is not None else options.run(source)

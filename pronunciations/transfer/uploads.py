"""Every uploaded file is bounded here, before and while it is parsed: the one home of these caps.

``inspect`` is the cheap first look that every entry point (API, admin, command, job) runs before
any parse: the file's size, and for XLSX the zip's directory, each part's declared size and its
actually inflated size (streamed, nothing kept), with a count of rows, cells and shared strings.
It refuses a bomb with ``UploadTooLarge`` (413) holding no more than one chunk in memory.
``read_table`` then streams the rows (CSV through the csv module, XLSX through an expat parser
target that builds no tree, JSON element by element) and enforces the same caps while it reads,
so a file that lied to ``inspect`` is refused the same way. Caps come from settings:
``LEXICON_MAX_UPLOAD_BYTES``, ``LEXICON_MAX_INFLATED_BYTES``, ``LEXICON_MAX_IMPORT_ROWS``,
``LEXICON_MAX_IMPORT_CELLS`` and ``LEXICON_MAX_IMPORT_COLUMNS``.
"""

from collections.abc import Iterator
from typing import Any

from pronunciations.transfer.limits import (
    Inspection,
    Limits,
    Record,
    RowProgress,
    Source,
    UploadTooLarge,
    as_file,
    check_size,
    file_size,
    not_utf8,
    too_many_cells,
    too_many_columns,
    too_many_rows,
    unreadable,
)
from pronunciations.transfer.text import count_lines, csv_records, json_table
from pronunciations.transfer.xlsx import xlsx_records
from pronunciations.transfer.xlsx_zip import inspect_xlsx

__all__ = [
    "Inspection",
    "Limits",
    "Record",
    "Source",
    "UploadTooLarge",
    "accepts_uploads",
    "as_file",
    "check_size",
    "inspect",
    "not_utf8",
    "read_table",
    "too_many_cells",
    "too_many_columns",
    "too_many_rows",
    "unreadable",
]


def inspect(source: Source, file_format: str, limits: Limits | None = None) -> Inspection:
    """The cheap, flat-memory first look; raises UploadTooLarge or ValidationError."""
    limits = limits or Limits.current()
    file = as_file(source)
    size = file_size(file)
    check_size(size, limits)
    if file_format == "xlsx":
        return inspect_xlsx(file, size, limits)
    rows = None
    if file_format == "csv":
        rows = count_lines(file)
        if rows > limits.rows + 1:  # lines bound rows from above; count exactly only now
            rows = sum(1 for _ in csv_records(file, limits, count_only=True)) - 1
        else:
            rows = max(rows - 1, 0)
    file.seek(0)
    return Inspection(size=size, work_bytes=size, rows=rows)


# -- reading ----------------------------------------------------------------------------------


def read_table(
    source: Source,
    file_format: str,
    *,
    limits: Limits | None = None,
    progress: RowProgress | None = None,
) -> tuple[list[str], Iterator[Record], bool]:
    """Headers, a stream of records, and whether cells carry the formula escape (CSV, XLSX).

    The caps hold while the stream is consumed: rows, cells, columns, inflated bytes.
    """
    limits = limits or Limits.current()
    file = as_file(source)
    check_size(file_size(file), limits)
    if file_format == "json":
        headers, records = json_table(file, limits)
        escaped = False
    else:
        stream = csv_records(file, limits) if file_format == "csv" else xlsx_records(file, limits)
        first = next(stream, None)
        headers = [str(cell) if cell is not None else "" for cell in first or []]
        records, escaped = stream, True
    return headers, (_counted(records, progress) if progress else records), escaped


def _counted(records: Iterator[Record], progress: RowProgress | None) -> Iterator[Record]:
    count = 0
    for record in records:
        yield record
        count += 1
        if progress is not None and count % 10_000 == 0:
            progress(count)
    if progress is not None:
        progress(count)


def accepts_uploads(view: Any) -> Any:
    """Mark a view (a function, or a DRF view class) as taking an import file: its body may be
    up to LEXICON_MAX_UPLOAD_BYTES plus multipart overhead instead of LEXICON_MAX_REQUEST_BYTES
    (config.middleware.RequestLimitsMiddleware reads the mark)."""
    view.accepts_uploads = True
    return view

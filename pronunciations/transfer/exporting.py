"""Dictionaries out as files, every export an attachment: the tabular formats streamed,
vendor formats as a file or a zip, and the import template (an example file to fill in)."""

import io
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseBase, JsonResponse, StreamingHttpResponse

from config import heartbeat
from pronunciations import layers, selectors
from pronunciations.checks import current_checks
from pronunciations.content import current_wire
from pronunciations.models import Dictionary
from pronunciations.transfer import formats
from pronunciations.transfer.pls import NO_LANGUAGE
from pronunciations.transfer.rows import DISABLED_COLUMN, export_columns
from pronunciations.transfer.vendors import BY_LANGUAGE, Entry, ExportReport, vendor_files

REPORT_FILE = "report.txt"
WARNINGS_HEADER = "X-Lexicon-Export-Warnings"
_SPOOL_BYTES = 8 * 1024 * 1024
_BATCH = 200
T = TypeVar("T")


def columns_for(queryset: QuerySet[Any]) -> list[str]:
    """The export's columns: every metadata key of the dictionaries, ``note`` if any has checks."""
    return export_columns(
        selectors.metadata_keys(queryset),
        checks=selectors.any_checks(queryset),
        disabled=selectors.any_disabled(queryset),
    )


def as_attachment(response: HttpResponseBase, filename: str, file_format: str) -> HttpResponseBase:
    """Mark an export for saving, never for showing in the browser: every format alike
    (``filename`` is made of a validated name or slug, so it needs no quoting)."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Type"] = formats.CONTENT_TYPES[file_format]
    return response


def export_response(
    queryset: QuerySet[Any], file_format: str, stem: str, *, flattened: bool = False
) -> HttpResponseBase:
    """Stream the dictionaries in a tabular format as an attachment; ``flattened``: each with
    its layers as its targets receive it (pronunciations.layers), disabled rules left out."""
    columns = columns_for(queryset)
    if flattened:
        columns = [column for column in columns if column != DISABLED_COLUMN]
    dictionaries = queryset.iterator(chunk_size=_BATCH)
    if flattened:
        dictionaries = _flattened(dictionaries)
    return _tabular(dictionaries, columns, file_format, stem)


def _flattened(dictionaries: Iterable[Dictionary]) -> Iterator[Dictionary]:
    for dictionary in dictionaries:
        dictionary.current_modes = layers.current_flat(dictionary).wire  # type: ignore[attr-defined]
        yield dictionary


def _tabular(
    dictionaries: Iterable[Dictionary], columns: list[str], file_format: str, stem: str
) -> HttpResponseBase:
    response: HttpResponseBase
    dictionaries = _beating(dictionaries)
    if file_format == "xlsx":  # a zip cut short has no directory: no reader takes it whole
        parts = _in_time(formats.xlsx_stream(dictionaries, columns))
        response = StreamingHttpResponse(parts)
    else:
        stream = formats.csv_stream if file_format == "csv" else formats.json_stream
        response = StreamingHttpResponse(_complete_or_marked(stream(dictionaries, columns)))
    return as_attachment(response, f"{stem}.{file_format}", file_format)


# The last line of a streamed export that stopped (issue 22): no valid CSV row or JSON can end
# this way, and the connection then closes without the end of the chunked body, so neither a
# person nor an HTTP client can take the file for a whole export.
INCOMPLETE = "\n#EXPORT INCOMPLETE: {reason}. This file is not the whole export.\n"


class ExportStopped(Exception):
    """A streamed export ran past LEXICON_EXPORT_MAX_SECONDS."""


def _beating(dictionaries: Iterable[Dictionary]) -> Iterator[Dictionary]:
    """The dictionaries, telling gunicorn the worker is alive while they are written, so a
    long export is never killed for the worker timeout."""
    for dictionary in dictionaries:
        heartbeat.beat()
        yield dictionary


def _in_time(parts: Iterator[T]) -> Iterator[T]:
    """``parts``, stopped (ExportStopped) past LEXICON_EXPORT_MAX_SECONDS."""
    limit = settings.LEXICON_EXPORT_MAX_SECONDS
    deadline = time.monotonic() + limit
    for part in parts:
        yield part
        if time.monotonic() > deadline:
            raise ExportStopped(f"it took longer than {limit} seconds")


def _complete_or_marked(parts: Iterator[str]) -> Iterator[str]:
    """``parts``, or, when the export fails or runs out of time part way, INCOMPLETE and the
    failure raised again (gunicorn then drops the connection)."""
    try:
        yield from _in_time(parts)
    except Exception as exc:
        reason = str(exc) if isinstance(exc, ExportStopped) else "the server failed part way"
        yield INCOMPLETE.format(reason=reason)
        raise


# The import template: one dictionary with a rewrite rule, a phrase and an IPA rule, and the
# metadata columns most dictionaries use. Nothing is read from the database.
_TEMPLATE_MODES = {
    "rewrite": {
        "rules": [
            {"match": "SLNG", "replace": "slang"},
            {"match": "ACH transfer", "replace": "ay see aitch transfer"},
        ]
    },
    "ipa": {"rules": [{"match": "SLNG", "ipa": "slɪŋ"}]},
}
_TEMPLATE_METADATA = {"language": "en-US", "use_case": "support"}


def template_response(file_format: str) -> HttpResponseBase:
    """An example import file in ``file_format`` (csv, xlsx or json), with every column."""
    example = Dictionary(name="support-pronunciations", metadata=_TEMPLATE_METADATA)
    example.current_modes = _TEMPLATE_MODES  # type: ignore[attr-defined]
    example.current_checks = []  # type: ignore[attr-defined]
    columns = export_columns(_TEMPLATE_METADATA)
    return _tabular([example], columns, file_format, "lexicon-import-template")


@dataclass
class VendorExport:
    """A vendor export: one file as it is, or a zip of several with ``report.txt``."""

    report: ExportReport
    filename: str
    content_type: str
    body: IO[bytes]


def _language(value: object) -> str:
    return value if isinstance(value, str) and value else NO_LANGUAGE


def _entries(
    queryset: QuerySet[Dictionary], by_language: bool, flattened: bool = False
) -> Iterator[Entry]:
    """The dictionaries as exporters read them, by name, or grouped by language (then name);
    ``flattened``: each with its layers, as its targets receive it."""
    if not by_language:
        for dictionary in queryset.iterator(chunk_size=_BATCH):
            yield _entry(dictionary, flattened)
        return
    keys = queryset.values_list("pk", "normalized_name", "metadata__language")
    order = [pk for pk, _, _ in sorted(keys, key=lambda key: (_language(key[2]), key[1]))]
    for start in range(0, len(order), _BATCH):
        batch = order[start : start + _BATCH]
        found = {d.pk: d for d in queryset.filter(pk__in=batch)}
        for pk in batch:
            yield _entry(found[pk], flattened)


def _entry(dictionary: Dictionary, flattened: bool) -> Entry:
    checks = len(current_checks(dictionary))
    wire = wire_of(dictionary, flattened=flattened)
    return Entry.of(dictionary.name, dictionary.metadata, wire, checks)


def wire_of(dictionary: Dictionary, *, flattened: bool) -> dict[str, Any]:
    """The wire modes an export of one dictionary writes: its own, or ``flattened`` with its
    layers as its targets receive them (disabled rules left out)."""
    return layers.current_flat(dictionary).wire if flattened else current_wire(dictionary)


def vendor_export(
    queryset: QuerySet[Dictionary], file_format: str, stem: str, *, flattened: bool = False
) -> VendorExport:
    """Export in a vendor's format (pronunciations.transfer.vendors), each dictionary with its
    layers when ``flattened``. Files are written to a zip as they are made (on disk past
    8 MiB); a single file is answered as it is."""
    report = ExportReport(file_format, several=queryset.count() > 1)
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - returned
    entries = _entries(queryset, file_format in BY_LANGUAGE, flattened)
    files = vendor_files(file_format, entries, report)
    first, count = None, 0
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            first, count = (file if count == 0 else first), count + 1
            archive.writestr(file.name, file.content)
        archive.writestr(REPORT_FILE, report.to_text())
    if count == 1 and first is not None:
        spool.close()
        return VendorExport(report, first.name, first.content_type, io.BytesIO(first.content))
    spool.seek(0)
    return VendorExport(report, f"{stem}-{file_format}.zip", formats.CONTENT_TYPES["zip"], spool)


def vendor_response(
    queryset: QuerySet[Dictionary],
    file_format: str,
    stem: str,
    *,
    report_only: bool = False,
    flattened: bool = False,
) -> HttpResponseBase:
    """The vendor export as an attachment (``X-Lexicon-Export-Warnings`` counts the report's
    warnings), or with ``report_only`` its report as JSON."""
    export = vendor_export(queryset, file_format, stem, flattened=flattened)
    if report_only:
        export.body.close()
        return JsonResponse(export.report.to_wire(), json_dumps_params={"ensure_ascii": False})
    return vendor_file_response(export)


def vendor_file_response(export: VendorExport) -> FileResponse:
    """A vendor export's file (or zip) as an attachment, its warnings counted in a header."""
    response = FileResponse(export.body)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Content-Type"] = export.content_type
    response[WARNINGS_HEADER] = str(len(export.report.warnings()))
    return response

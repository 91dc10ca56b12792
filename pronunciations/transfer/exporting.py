"""Dictionaries out as files: every export an attachment, the tabular formats streamed."""

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse

from pronunciations import selectors
from pronunciations.transfer import formats
from pronunciations.transfer.rows import export_columns


def columns_for(queryset: QuerySet[Any]) -> list[str]:
    """The export's columns: every metadata key of the dictionaries, ``note`` if any has checks."""
    return export_columns(selectors.metadata_keys(queryset), checks=selectors.any_checks(queryset))


def as_attachment(response: HttpResponseBase, filename: str, file_format: str) -> HttpResponseBase:
    """Mark an export for saving, never for showing in the browser: every format alike
    (``filename`` is made of a validated name or slug, so it needs no quoting)."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Type"] = formats.CONTENT_TYPES[file_format]
    return response


def export_response(queryset: QuerySet[Any], file_format: str, stem: str) -> HttpResponseBase:
    """Stream the dictionaries in a tabular format as an attachment."""
    columns = columns_for(queryset)
    rows = queryset.iterator(chunk_size=200)
    response: HttpResponseBase
    if file_format == "xlsx":
        response = FileResponse(formats.xlsx_file(rows, columns))
    else:
        stream = formats.csv_stream if file_format == "csv" else formats.json_stream
        response = StreamingHttpResponse(stream(rows, columns))
    return as_attachment(response, f"{stem}.{file_format}", file_format)

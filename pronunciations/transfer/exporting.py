"""Dictionaries out as files: the tabular formats streamed as an attachment, and the import
template (an example file to fill in)."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse

from pronunciations import selectors
from pronunciations.models import Dictionary
from pronunciations.transfer import formats
from pronunciations.transfer.rows import export_columns


def export_response(queryset: QuerySet[Any], file_format: str, stem: str) -> HttpResponseBase:
    """Stream the dictionaries in a tabular format as an attachment."""
    columns = export_columns(selectors.metadata_keys(queryset))
    return _attachment(queryset.iterator(chunk_size=200), columns, file_format, stem)


def _attachment(
    dictionaries: Iterable[Dictionary], columns: list[str], file_format: str, stem: str
) -> HttpResponseBase:
    filename = f"{stem}.{file_format}"
    response: HttpResponseBase
    if file_format == "xlsx":
        response = FileResponse(formats.xlsx_file(dictionaries, columns), filename=filename)
    else:
        stream = formats.csv_stream if file_format == "csv" else formats.json_stream
        response = StreamingHttpResponse(stream(dictionaries, columns))
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Type"] = formats.CONTENT_TYPES[file_format]
    return response


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
    columns = export_columns(_TEMPLATE_METADATA)
    return _attachment([example], columns, file_format, "lexicon-import-template")

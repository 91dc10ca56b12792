"""Reading and writing import/export files: CSV, XLSX and JSON (tabular layout) and PLS.

Files are read by pronunciations.uploads (bounded, streaming). Exports are streamed as
generators: CSV and JSON as text, XLSX as the bytes of its zip (``xlsx_write``).
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator

from pronunciations.checks import current_checks
from pronunciations.content import current_wire
from pronunciations.models import Dictionary
from pronunciations.transfer import rows
from pronunciations.transfer.xlsx_write import xlsx_stream as workbook_stream
from pronunciations.validation import ParameterError, replace_unstorable

# The one place listing formats: what imports read, and what each export takes.
TABLE_FORMATS = ("csv", "xlsx", "json")
FORMATS = (*TABLE_FORMATS, "pls")  # import formats (PLS: one dictionary a file)
VENDOR_FORMATS = (
    "polly",
    "polly-xsampa",
    "azure",
    "elevenlabs",
    "elevenlabs-arpabet",
    "elevenlabs-json",
    "cartesia",
)
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pls": "application/pls+xml",
    "zip": "application/zip",
}
BOM = "\ufeff"


def export_formats(*, one_dictionary: bool) -> tuple[str, ...]:
    """The formats an export accepts: of one dictionary (PLS too), or of many; both take the
    vendor formats (pronunciations.transfer.vendors)."""
    return (*(FORMATS if one_dictionary else TABLE_FORMATS), *VENDOR_FORMATS)


def export_format(requested: str | None, *, one_dictionary: bool) -> str:
    """An export's ``format`` parameter (default ``csv``, any case): the one check of which
    formats the exports accept. Raises ParameterError naming ``format`` otherwise."""
    allowed = export_formats(one_dictionary=one_dictionary)
    file_format = ("csv" if requested is None else requested).lower()
    if file_format not in allowed:
        raise ParameterError({"format": [f"format must be one of {', '.join(allowed)}"]})
    return file_format


# -- export ---------------------------------------------------------------------------------


def _rows(dictionaries: Iterable[Dictionary], columns: list[str]) -> Iterator[list[str]]:
    for dictionary in dictionaries:
        modes, checks = current_wire(dictionary), current_checks(dictionary)
        yield from rows.dictionary_rows(
            dictionary.name, modes, dictionary.metadata, columns, checks
        )


CHUNK_CHARS = 64 * 1024  # a streamed export's pieces: one write each, not one per row


def csv_stream(dictionaries: Iterable[Dictionary], columns: list[str]) -> Iterator[str]:
    """The CSV export in pieces of about CHUNK_CHARS characters, every cell formula-escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(columns)
    for dictionary in dictionaries:
        modes, checks = current_wire(dictionary), current_checks(dictionary)
        writer.writerows(
            rows.dictionary_rows(
                dictionary.name, modes, dictionary.metadata, columns, checks, escaped=True
            )
        )
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_stream(dictionaries: Iterable[Dictionary], columns: list[str]) -> Iterator[str]:
    """An array of row objects with typed values (rows.dictionary_records), keys in ``columns``
    order, each holding only the columns that have a value; one object a line, in pieces of
    about CHUNK_CHARS characters."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    pieces, size, separator = ["["], 1, "\n"
    for dictionary in dictionaries:
        modes, checks = current_wire(dictionary), current_checks(dictionary)
        for record in rows.dictionary_records(dictionary.name, modes, dictionary.metadata, checks):
            item = encode({column: record[column] for column in columns if column in record})
            pieces.append(separator + item)
            size += len(item) + 2
            separator = ",\n"
        if size >= CHUNK_CHARS:
            yield "".join(pieces)
            pieces, size = [], 0
    pieces.append("\n]\n")
    yield "".join(pieces)


def xlsx_stream(dictionaries: Iterable[Dictionary], columns: list[str]) -> Iterator[bytes]:
    """The XLSX export in pieces, written as it goes in constant memory (one sheet, ``rules``).
    A cell cannot hold control characters: content stored before validation refused them is
    written with U+FFFD in their place, so the export never fails on stored content."""
    header = [replace_unstorable(column) for column in columns]
    cells = (
        [replace_unstorable(cell) for cell in rows.escape_row(row)]
        for row in _rows(dictionaries, columns)
    )
    return workbook_stream(header, cells, sheet="rules")


def csv_text(dictionaries: Iterable[Dictionary], columns: list[str]) -> str:
    """The whole CSV export as one string (for commands and tests)."""
    buffer = io.StringIO()
    for chunk in csv_stream(dictionaries, columns):
        buffer.write(chunk)
    return buffer.getvalue()

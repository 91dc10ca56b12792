"""Reading and writing import/export files: CSV, XLSX and JSON (tabular layout) and PLS.

Files are read by pronunciations.uploads (bounded, streaming). Exports are streamed: CSV and
JSON as generators, XLSX through openpyxl's write-only workbook.
"""

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from openpyxl import Workbook

from pronunciations.content import current_wire
from pronunciations.models import Dictionary
from pronunciations.transfer import rows
from pronunciations.validation import replace_unstorable

# The one place listing formats: what imports read, and what each export takes.
TABULAR = ("csv", "xlsx", "json")
FORMATS = (*TABULAR, "pls")  # import formats (PLS: one dictionary a file)
VENDOR_FORMATS = ("polly", "azure", "elevenlabs", "elevenlabs-json", "cartesia")
DICTIONARY_EXPORT_FORMATS = (*FORMATS, *VENDOR_FORMATS)  # GET …/dictionaries/{name}/export
SELECTION_EXPORT_FORMATS = (*TABULAR, *VENDOR_FORMATS)  # GET /v1/pronunciation/export
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pls": "application/pls+xml",
    "zip": "application/zip",
}
BOM = "\ufeff"


# -- export ---------------------------------------------------------------------------------


def _rows(dictionaries: Iterable[Dictionary], columns: list[str]) -> Iterator[list[str]]:
    for dictionary in dictionaries:
        modes = current_wire(dictionary)
        yield from rows.dictionary_rows(dictionary.name, modes, dictionary.metadata, columns)


class _Line:
    """A file-like that hands back what csv.writer writes, for streaming."""

    def write(self, text: str) -> str:
        return text


def csv_stream(dictionaries: Iterable[Dictionary], columns: list[str]) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BOM + writer.writerow(columns)
    for row in _rows(dictionaries, columns):
        yield writer.writerow([rows.escape_cell(cell) for cell in row])


def json_stream(dictionaries: Iterable[Dictionary], columns: list[str]) -> Iterator[str]:
    yield "["
    separator = "\n"
    for row in _rows(dictionaries, columns):
        item = {column: cell for column, cell in zip(columns, row, strict=True) if cell != ""}
        yield separator + json.dumps(item, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def xlsx_file(dictionaries: Iterable[Dictionary], columns: list[str]) -> IO[bytes]:
    """A spooled temporary file holding the workbook (write-only mode keeps memory flat)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("rules")
    # A cell cannot hold control characters: content stored before validation refused them is
    # written with U+FFFD in their place, so the export never fails on stored content.
    sheet.append([replace_unstorable(column) for column in columns])
    for row in _rows(dictionaries, columns):
        sheet.append([replace_unstorable(rows.escape_cell(cell)) for cell in row])
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned
    workbook.save(output)
    output.seek(0)
    return output


def csv_text(dictionaries: Iterable[Dictionary], columns: list[str]) -> str:
    """The whole CSV export as one string (for commands and tests)."""
    buffer = io.StringIO()
    for chunk in csv_stream(dictionaries, columns):
        buffer.write(chunk)
    return buffer.getvalue()

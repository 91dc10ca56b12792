"""Reading and writing import/export files: CSV, XLSX and JSON (tabular layout) and PLS.

Tabular files are read through django-import-export's format classes (tablib). Exports are
streamed: CSV and JSON as generators, XLSX through openpyxl's write-only workbook.
"""

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.core.exceptions import ValidationError
from import_export.formats.base_formats import CSV, XLSX
from openpyxl import Workbook

from pronunciations import tabular
from pronunciations.content import modes_from_rules, modes_to_wire
from pronunciations.models import Dictionary
from pronunciations.validation import replace_unstorable

FORMATS = ("csv", "xlsx", "json", "pls")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pls": "application/pls+xml",
}
BOM = "\ufeff"


def decode_utf8(data: bytes) -> str:
    """UTF-8 with or without a byte-order mark; any other encoding is refused clearly."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            {
                "file": [
                    f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                    f"{exc.start}); save it as UTF-8 and try again"
                ]
            }
        ) from exc


def read_table(data: bytes, file_format: str) -> tuple[list[str], list[list[Any]], bool]:
    """Headers, records and whether cells carry the formula escape (CSV and XLSX do)."""
    if file_format == "json":
        return _read_json(decode_utf8(data))
    try:
        if file_format == "csv":
            dataset = CSV().create_dataset(decode_utf8(data))
        else:
            dataset = XLSX().create_dataset(data)
    except ValidationError:
        raise
    except Exception as exc:  # tablib and openpyxl raise many types for a damaged file
        raise ValidationError(
            {"file": [f"the file cannot be read as {file_format}: {exc}"]}
        ) from exc
    return list(dataset.headers or []), [list(row) for row in dataset], True


def _read_json(text: str) -> tuple[list[str], list[list[Any]], bool]:
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise ValidationError({"file": [f"the file is not valid JSON: {exc}"]}) from exc
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ValidationError({"file": ["a JSON import is an array of row objects"]})
    headers: list[str] = []
    for item in items:
        headers += [key for key in item if key not in headers]
    return headers, [[item.get(h) for h in headers] for item in items], False


# -- export ---------------------------------------------------------------------------------


def _rows(dictionaries: Iterable[Dictionary], columns: list[str]) -> Iterator[list[str]]:
    for dictionary in dictionaries:
        modes = modes_to_wire(modes_from_rules(dictionary.rules.all()))
        yield from tabular.dictionary_rows(dictionary.name, modes, dictionary.metadata, columns)


class _Line:
    """A file-like that hands back what csv.writer writes, for streaming."""

    def write(self, text: str) -> str:
        return text


def csv_stream(dictionaries: Iterable[Dictionary], columns: list[str]) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BOM + writer.writerow(columns)
    for row in _rows(dictionaries, columns):
        yield writer.writerow([tabular.escape_cell(cell) for cell in row])


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
        sheet.append([replace_unstorable(tabular.escape_cell(cell)) for cell in row])
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

"""Records of the tabular layout to SourceRows, one at a time: the columns located once per file.

``RowParser`` is built from a file's headers and turns each record into a ``SourceRow`` or the
row's errors, holding nothing between rows, so an import can stream a file of any length;
``table_rows`` reads a table as its format's file holds it (the import and the admin's page).
"""

import functools
import json
import operator
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.core.exceptions import ValidationError

from pronunciations import validation
from pronunciations.models import Mode
from pronunciations.transfer.limits import MISSING
from pronunciations.transfer.rows import (
    BASE_COLUMNS,
    CHECK_MODE,
    DISABLED_COLUMN,
    METADATA_PREFIX,
    NOTE_COLUMN,
    RowError,
    SourceRow,
    metadata_value,
    needs_escape,
    unescape_cell,
)
from pronunciations.transfer.runs import Parsed, RecordRun, record_runs
from pronunciations.validation import VALUE_FIELD

# Looked up once: Mode.values is rebuilt on every access, and rows are parsed by the million.
_ROW_MODES = frozenset(("", *Mode.values, CHECK_MODE))
_VALUE_COLUMN = {
    **{mode.value: field for mode, field in VALUE_FIELD.items()},
    CHECK_MODE: "replace",
}
# Columns holding text; in JSON, where values have types, these must be strings (or null).
_TEXT_COLUMNS = ("dictionary", "mode", "match", "replace", "ipa", NOTE_COLUMN)


def _cell(value: object, *, escaped: bool) -> str:
    if value.__class__ is str:  # nearly every cell: CSV's always
        text: str = value  # type: ignore[assignment]
        return text[1:] if escaped and text[:1] == "'" and needs_escape(text[1:]) else text
    if value is None or value is MISSING:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dict | list | bool):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = value if isinstance(value, str) else str(value)
    return unescape_cell(text) if escaped else text


def column_label(column: str) -> str:
    """A header (or a file name) as reports and records carry it: characters that no report or
    database column can hold are written as escapes."""
    return column.encode("unicode_escape").decode("ascii") if column_problems(column) else column


def column_problems(column: str) -> list[str]:
    return validation.unstorable_errors(column)


def header_errors(headers: Sequence[str]) -> list[RowError]:
    """Unstorable, missing and unknown columns, reported on row 1."""
    unstorable = [
        RowError(1, column_label(column), f"the column name {problem}")
        for column in headers
        for problem in column_problems(column)
    ]
    if unstorable:
        return unstorable
    errors = [
        RowError(1, column, f"the required column {column!r} is missing")
        for column in ("dictionary", "mode", "match")
        if column not in headers
    ]
    if "replace" not in headers and "ipa" not in headers:
        errors.append(RowError(1, "replace", "a 'replace' or an 'ipa' column is required"))
    errors += [
        RowError(1, column, f"unknown column {column!r}")
        for column in headers
        if column not in BASE_COLUMNS
        and column not in (NOTE_COLUMN, DISABLED_COLUMN)
        and not column.startswith(METADATA_PREFIX)
    ]
    return errors


def clean_headers(headers: Sequence[object]) -> list[str]:
    return [str(h or "").strip() for h in headers]


class RowParser:
    """Parses the records of one file with its (valid) headers; ``escaped`` removes the formula
    escape (CSV, XLSX); ``typed`` (JSON) checks value types: text columns take strings,
    ``position`` a whole number, and a metadata column's value is taken as it is."""

    def __init__(
        self, headers: Sequence[str], *, escaped: bool, typed: bool = False, text: bool = False
    ) -> None:
        self.headers, self.escaped, self.typed, self.text = list(headers), escaped, typed, text
        where = {header: i for i, header in enumerate(self.headers)}  # the last of a repeat
        columns = (*BASE_COLUMNS, NOTE_COLUMN, DISABLED_COLUMN)
        self.at = {column: where.get(column, -1) for column in columns}
        self.metadata = tuple((h, i) for h, i in where.items() if h.startswith(METADATA_PREFIX))
        width = len(self.headers)  # an absent column reads the blank cell padded at the end
        self.pick = operator.itemgetter(*(i if i >= 0 else width for i in self.at.values()))
        self.pad = [""] * (width + 1)
        self.blank = [""]

    def parse(self, number: int, record: Sequence[object]) -> Parsed | None:
        """The row, its errors, or None for a blank line."""
        if self.text:  # CSV: every cell is text, and most rows are plain rules
            row = self._plain_row(number, record)  # type: ignore[arg-type]
            if row is not None:
                return row
        if self.typed:
            pairs = list(zip(self.headers, record, strict=False))
            if problems := _type_errors(number, pairs):
                return problems
        cells = self._cells(record)
        typed_metadata = self._typed_metadata(record) if self.typed else None
        if not any(cells) and not typed_metadata and not self._metadata_cells(record):
            return None  # blank lines are skipped
        return self._row(number, cells, record, typed_metadata)

    def _plain_row(self, number: int, record: list[str]) -> SourceRow | None:
        """A row of text cells with nothing to report and no metadata, or None: ``_row`` then
        parses it (the same rules, checked quickly here for the rows that pass them)."""
        width = len(self.pad) - 1  # a list or a tuple, padded with the blank cell at the end
        if len(record) == width and isinstance(record, list):  # nearly every record
            padded = record + self.blank
        else:
            padded = [*record[:width], *self.pad[min(len(record), width) :]]
        name, mode, match, replace, ipa, position, note, disabled = self.pick(padded)
        column = _VALUE_COLUMN.get(mode)
        if (
            disabled
            or column is None
            or not name
            or _name_problems(name)
            or (ipa if column == "replace" else replace)
            or (note and mode != CHECK_MODE)
            or (
                position and not (position.isascii() and position.isdigit() and len(position) <= 18)
            )
            or (self.metadata and self._metadata_cells(record))
        ):
            return None
        if self.escaped and "'" in (name[:1], match[:1], replace[:1], ipa[:1], note[:1]):
            return None  # an escaped cell: the general path removes the escape
        value = replace if column == "replace" else ipa
        return SourceRow(
            number, name, mode, match, value, int(position) if position else None, {}, note
        )

    def _cells(self, record: Sequence[object]) -> list[str]:
        """dictionary, mode, match, replace, ipa, position, note, disabled: text, "" where
        absent."""
        size, escaped = len(record), self.escaped
        return [
            _cell(record[i], escaped=escaped) if 0 <= i < size else "" for i in self.at.values()
        ]

    def _metadata_cells(self, record: Sequence[object]) -> dict[str, str]:
        size, escaped = len(record), self.escaped
        cells = {h: _cell(record[i], escaped=escaped) for h, i in self.metadata if i < size}
        return {h: cell for h, cell in cells.items() if cell}

    def _typed_metadata(self, record: Sequence[object]) -> dict[str, Any]:
        size = len(record)
        return {
            h.removeprefix(METADATA_PREFIX): record[i]
            for h, i in self.metadata
            if i < size and record[i] is not MISSING
        }

    def _row(
        self,
        number: int,
        cells: list[str],
        record: Sequence[object],
        typed_metadata: dict[str, Any] | None,
    ) -> Parsed:
        name, mode_cell, match, replace, ipa, position_cell, note, disabled_cell = cells
        mode = mode_cell.strip()
        errors = _name_errors(number, name) + _mode_errors(number, mode, match, replace, ipa)
        if note and mode != CHECK_MODE:
            errors.append(RowError(number, NOTE_COLUMN, "only a check row has a note"))
        position = None
        if position_cell:
            # isdigit() alone accepts '²', which int() refuses; 18 digits fit a database integer.
            if position_cell.isascii() and position_cell.isdigit() and len(position_cell) <= 18:
                position = int(position_cell)
            else:
                errors.append(RowError(number, "position", "position must be a whole number"))
        disabled = _disabled(number, mode, disabled_cell, errors)
        metadata = typed_metadata
        if metadata is None and self.metadata:
            metadata = _metadata(number, self._metadata_cells(record), errors)
        if errors:
            return errors
        value = ipa if _VALUE_COLUMN.get(mode) == "ipa" else replace
        row = SourceRow(number, name, mode, match, value, position, metadata or {}, note)
        row.disabled = disabled
        return row


def _disabled(number: int, mode: str, cell: str, errors: list[RowError]) -> bool:
    """A rule's ``disabled`` cell: empty or false (on), true (off); a check is never off."""
    flag = cell.strip().lower()
    if flag in ("", "false"):
        return False
    if flag != "true":
        errors.append(RowError(number, DISABLED_COLUMN, "disabled must be true, false or empty"))
    elif mode not in Mode.values:
        errors.append(RowError(number, DISABLED_COLUMN, "only a rule can be disabled"))
    return flag == "true"


def _name_errors(number: int, name: str) -> list[RowError]:
    if not name:
        return [RowError(number, "dictionary", "the dictionary name is empty")]
    # checked here: the name is looked up in the database before the rules are validated
    return [RowError(number, "dictionary", p) for p in _name_problems(name)]


def _mode_errors(number: int, mode: str, match: str, replace: str, ipa: str) -> list[RowError]:
    errors = []
    if mode not in _ROW_MODES:
        message = f"mode must be rewrite, ipa or check, got {mode!r}"
        errors.append(RowError(number, "mode", message))
    value_column = _VALUE_COLUMN.get(mode, "replace")
    other_column, other = ("ipa", ipa) if value_column == "replace" else ("replace", replace)
    if mode and other:
        what = "check" if mode == CHECK_MODE else f"{mode} rule"
        errors.append(RowError(number, other_column, f"a {what} has no {other_column}"))
    if not mode and (match or replace or ipa):
        errors.append(RowError(number, "mode", "a row with a rule needs a mode"))
    return errors


def _metadata(number: int, cells: dict[str, str], errors: list[RowError]) -> dict[str, Any]:
    metadata = {}
    for key, value in cells.items():
        try:
            metadata[key.removeprefix(METADATA_PREFIX)] = metadata_value(value, field=key)
        except ValidationError as exc:
            errors += [RowError(number, key, m) for ms in exc.message_dict.values() for m in ms]
    return metadata


@functools.lru_cache(maxsize=1024)
def _name_problems(name: str) -> tuple[str, ...]:
    """unstorable_errors of a dictionary name, remembered: a file repeats each name per rule."""
    return tuple(validation.unstorable_errors(name))


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    return {dict: "an object", list: "an array", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _type_errors(number: int, pairs: list[tuple[str, object]]) -> list[RowError]:
    """JSON values of the wrong type, located by row and column."""
    errors = []
    for column, value in pairs:
        if value is None or value is MISSING:
            continue
        if column in _TEXT_COLUMNS and not isinstance(value, str):
            message = f"must be a string, got {_type_name(value)}"
            errors.append(RowError(number, column, message))
        elif column == "position" and (isinstance(value, bool) or not isinstance(value, int | str)):
            message = f"must be a whole number, got {_type_name(value)}"
            errors.append(RowError(number, column, message))
    return errors


def iter_rows(
    headers: Sequence[object],
    records: Iterable[Sequence[object]],
    *,
    escaped: bool,
    first_row: int,
    typed: bool = False,
    text: bool = False,
) -> Iterator[Parsed | RecordRun]:
    """Each record parsed in turn (blank lines skipped): a SourceRow, or the row's errors;
    the header's errors alone when the headers are not valid. ``text``: every cell is a string
    (CSV), and the records come unparsed, as runs of one dictionary (``RecordRun``)."""
    names = clean_headers(headers)
    if errors := header_errors(names):
        yield errors
        return
    parser = RowParser(names, escaped=escaped, typed=typed, text=text)
    if text:  # CSV: a dictionary at a time, parsed when the import needs it (transfer.runs)
        yield from record_runs(records, parser, first_row)  # type: ignore[arg-type]
        return
    for number, record in enumerate(records, start=first_row):
        parsed = parser.parse(number, record)
        if parsed is not None:
            yield parsed


def table_rows(
    headers: Sequence[object],
    records: Iterable[Sequence[object]],
    *,
    file_format: str,
    escaped: bool,
) -> Iterator[Parsed | RecordRun]:
    """``iter_rows`` of a table read from a ``file_format`` file (``uploads.read_table``): JSON
    has no header row and typed values; CSV has text cells only."""
    json_rows = file_format == "json"
    first_row = 1 if json_rows else 2
    text = file_format == "csv"
    return iter_rows(
        headers, records, escaped=escaped, first_row=first_row, typed=json_rows, text=text
    )


def has_metadata(headers: Sequence[object]) -> bool:
    """Whether a table has metadata columns (then ``replace`` replaces the metadata)."""
    return any(str(header).startswith(METADATA_PREFIX) for header in headers)

"""The tabular layout shared by CSV, XLSX and JSON: one row per rule, and its cell rules.

Columns: ``dictionary``, ``mode`` (``rewrite`` or ``ipa``), ``match``, ``replace`` (rewrite) or
``ipa`` (ipa), optional ``position`` (order within the mode), and ``metadata.<key>`` per
metadata key. A dictionary without rules is one row with an empty ``mode``. Metadata cells are
filled on a dictionary's first row.

Checks (test sentences) are rows too: ``mode`` ``check``, ``match`` the text, ``replace`` what
it must become, ``note`` (a column exports add when a dictionary has checks) and ``position``
their order; they follow the dictionary's rules.

CSV and XLSX cells are text: a position is its digits, a metadata value is written as text when
it is plain text and as JSON otherwise (``metadata_cell``). JSON rows carry typed values: a
position is a number and a metadata value is the value itself (a string is always text there).
"""

import functools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from pronunciations import validation
from pronunciations.models import Mode
from pronunciations.transfer.limits import MISSING
from pronunciations.validation import VALUE_FIELD, Check

BASE_COLUMNS = ("dictionary", "mode", "match", "replace", "ipa", "position")
CHECK_MODE = "check"
NOTE_COLUMN = "note"  # a check's note; exports have it only when some dictionary has checks
METADATA_PREFIX = "metadata."
_FORMULA_STARTS = ("=", "+", "-", "@")
# Looked up once: Mode.values is rebuilt on every access, and rows are parsed by the 100,000.
_ROW_MODES = frozenset(("", *Mode.values, CHECK_MODE))
_VALUE_COLUMN = {
    **{mode.value: field for mode, field in VALUE_FIELD.items()},
    CHECK_MODE: "replace",
}
# Columns holding text; in JSON, where values have types, these must be strings (or null).
_TEXT_COLUMNS = ("dictionary", "mode", "match", "replace", "ipa", NOTE_COLUMN)
_TOO_DEEP = object()


def needs_escape(value: str) -> bool:
    """A cell a spreadsheet could run as a formula, or one that already looks escaped."""
    if value.startswith(_FORMULA_STARTS):
        return True
    return value.startswith("'") and needs_escape(value[1:])


def escape_cell(value: str) -> str:
    """Prefix ``'`` to cells starting with = + - @ (and to cells that already look escaped)."""
    return "'" + value if needs_escape(value) else value


def unescape_cell(value: str) -> str:
    """Remove exactly the prefix escape_cell added, so such values round-trip unchanged."""
    return value[1:] if value.startswith("'") and needs_escape(value[1:]) else value


def metadata_cell(value: Any) -> str:
    """A metadata value as a cell: plain text stays plain, anything JSON-like is JSON."""
    if isinstance(value, str) and value and not _parses_as_json(value):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def metadata_value(cell: str, *, field: str = "metadata") -> Any:
    """Inverse of metadata_cell: JSON when the cell parses as JSON, otherwise the text.

    JSON nested past LEXICON_MAX_JSON_DEPTH raises validation.parse_json's ValidationError.
    """
    try:
        value = json.loads(cell)
    except RecursionError:
        value = _TOO_DEEP
    except ValueError:
        return cell
    if value is _TOO_DEEP or validation.json_depth(value) > settings.LEXICON_MAX_JSON_DEPTH:
        validation.parse_json(cell, field=field)  # raises its depth error
    return value


def _parses_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except RecursionError:  # deeply nested brackets in stored text: JSON-like, so quote it
        return True
    except ValueError:
        return False
    return True


def export_columns(metadata_keys: Iterable[str], *, checks: bool = False) -> list[str]:
    """The columns of an export: ``note`` only when a dictionary exported has checks."""
    notes = [NOTE_COLUMN] if checks else []
    return [*BASE_COLUMNS, *notes, *(METADATA_PREFIX + key for key in sorted(set(metadata_keys)))]


def _records(modes: dict[str, Any], checks: Sequence[Check]) -> Iterator[dict[str, Any]]:
    """The typed cells of each rule, then of each check, without the dictionary's own."""
    for mode in (Mode.REWRITE, Mode.IPA):
        field = VALUE_FIELD[mode]
        for position, rule in enumerate(modes.get(mode.value, {}).get("rules", [])):
            yield {
                "mode": mode.value,
                "match": rule["match"],
                field: rule[field],
                "position": position,
            }
    for position, check in enumerate(checks):
        yield {
            "mode": CHECK_MODE,
            "match": check.text,
            "replace": check.expect,
            NOTE_COLUMN: check.note,
            "position": position,
        }


def dictionary_records(
    name: str, modes: dict[str, Any], metadata: dict[str, Any], checks: Sequence[Check] = ()
) -> Iterator[dict[str, Any]]:
    """The rows of one dictionary as typed values by column, holding only the columns that
    have a value: its rules, then its checks; ``position`` a number, ``metadata.<key>`` the
    value as stored (on the first row)."""
    meta = {METADATA_PREFIX + key: value for key, value in metadata.items()}
    first = True
    for record in _records(modes, checks):
        record["dictionary"] = name
        if first:
            record.update(meta)
            first = False
        yield record
    if first:  # no rules: one row keeps the dictionary and its metadata
        yield {"dictionary": name, **meta}


def _text(column: str, value: Any) -> str:
    """A typed value of ``column`` as a CSV or XLSX cell."""
    if column.startswith(METADATA_PREFIX):
        return metadata_cell(value)
    return value if isinstance(value, str) else str(value)


def dictionary_rows(
    name: str,
    modes: dict[str, Any],
    metadata: dict[str, Any],
    columns: list[str],
    checks: Sequence[Check] = (),
) -> Iterator[list[str]]:
    """The rows of one dictionary as text cells in ``columns`` order (not yet
    formula-escaped): its rules, then its checks."""
    for record in dictionary_records(name, modes, metadata, checks):
        yield [_text(column, record[column]) if column in record else "" for column in columns]


@dataclass(frozen=True)
class RowError:
    """An error located by row and column (the header is row 1)."""

    row: int
    column: str
    message: str

    @property
    def field(self) -> str:
        """The key of ``fieldErrors``."""
        return f"rows[{self.row}].{self.column}"

    def where(self) -> str:
        """Where it is, for people."""
        return f"row {self.row}, {self.column}"

    def to_wire(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class LexemeError(RowError):
    """An error in a PLS file, located by lexeme (0: the lexicon itself), grapheme and line
    (``row`` is the line, ``column`` the element, so errors sort in file order)."""

    lexeme: int = 0
    grapheme: str = ""

    @property
    def field(self) -> str:
        return f"lexemes[{self.lexeme}].{self.column}" if self.lexeme else self.column

    def where(self) -> str:
        """``lexeme 6 'MUJI', <grapheme> at line 32`` or ``<lexicon> at line 2``."""
        element = f"<{self.column}> at line {self.row}"
        if not self.lexeme:
            return element
        grapheme = f" {self.grapheme!r}" if self.grapheme else ""
        return f"lexeme {self.lexeme}{grapheme}, {element}"

    def to_wire(self) -> dict[str, Any]:
        return {
            "lexeme": self.lexeme,
            "grapheme": self.grapheme,
            "line": self.row,
            "element": self.column,
            "message": self.message,
        }


@dataclass(slots=True)
class SourceRow:
    """One parsed row; ``number`` is the row as the user sees it (header = row 1)."""

    number: int
    dictionary: str
    mode: str
    match: str  # a check's text
    value: str  # a check's expect
    position: int | None
    metadata: dict[str, Any]
    note: str = ""  # a check's note


# -- parsing rows -------------------------------------------------------------------------


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
        and column != NOTE_COLUMN
        and not column.startswith(METADATA_PREFIX)
    ]
    return errors


def parse_rows(
    headers: Sequence[str],
    records: Iterable[Sequence[object]],
    *,
    escaped: bool,
    first_row: int,
    typed: bool = False,
) -> tuple[list[SourceRow], list[RowError]]:
    """Turn records into SourceRows; ``escaped`` removes the formula escape (CSV, XLSX).

    ``typed`` (JSON) checks value types: text columns take strings, ``position`` a whole number;
    a metadata column's value is taken as it is (MISSING, an absent key, is no value).
    """
    headers = [str(h or "").strip() for h in headers]
    errors = header_errors(headers)
    if errors:
        return [], errors
    rows = []
    metadata_columns = tuple(h for h in headers if h.startswith(METADATA_PREFIX))
    for number, record in enumerate(records, start=first_row):
        pairs = list(zip(headers, record, strict=False))
        typed_metadata = None
        if typed:
            if problems := _type_errors(number, pairs):
                errors += problems
                continue
            typed_metadata = {
                h.removeprefix(METADATA_PREFIX): v
                for h, v in pairs
                if v is not MISSING and h.startswith(METADATA_PREFIX)
            }
        cells = {h: _cell(v, escaped=escaped) for h, v in pairs}
        if not any(cells.values()) and not typed_metadata:
            continue  # blank lines are skipped
        row, problems = _parse_row(number, cells, metadata_columns, typed_metadata)
        errors += problems
        if row is not None:
            rows.append(row)
    return rows, errors


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


@functools.lru_cache(maxsize=1024)
def _name_problems(name: str) -> tuple[str, ...]:
    """unstorable_errors of a dictionary name, remembered: a file repeats each name per rule."""
    return tuple(validation.unstorable_errors(name))


def _parse_row(
    number: int,
    cells: dict[str, str],
    metadata_columns: tuple[str, ...],
    typed_metadata: dict[str, Any] | None = None,
) -> tuple[SourceRow | None, list[RowError]]:
    errors = []
    name, mode = cells.get("dictionary", ""), cells.get("mode", "").strip()
    if not name:
        errors.append(RowError(number, "dictionary", "the dictionary name is empty"))
    else:  # checked here: the name is looked up in the database before the rules are validated
        errors += [RowError(number, "dictionary", p) for p in _name_problems(name)]
    if mode not in _ROW_MODES:
        message = f"mode must be rewrite, ipa or check, got {mode!r}"
        errors.append(RowError(number, "mode", message))
    value_column = _VALUE_COLUMN.get(mode, "replace")
    other_column = "ipa" if value_column == "replace" else "replace"
    if mode and cells.get(other_column):
        what = "check" if mode == CHECK_MODE else f"{mode} rule"
        errors.append(RowError(number, other_column, f"a {what} has no {other_column}"))
    if not mode and (cells.get("match") or cells.get("replace") or cells.get("ipa")):
        errors.append(RowError(number, "mode", "a row with a rule needs a mode"))
    note = cells.get(NOTE_COLUMN, "")
    if note and mode != CHECK_MODE:
        errors.append(RowError(number, NOTE_COLUMN, "only a check row has a note"))
    position = None
    if text := cells.get("position"):
        # isdigit() alone accepts '²', which int() refuses; 18 digits fit a database integer.
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            errors.append(RowError(number, "position", "position must be a whole number"))
        else:
            position = int(text)
    metadata = {}
    for key in () if typed_metadata is not None else metadata_columns:
        if value := cells.get(key, ""):
            try:
                metadata[key.removeprefix(METADATA_PREFIX)] = metadata_value(value, field=key)
            except ValidationError as exc:
                errors += [RowError(number, key, m) for ms in exc.message_dict.values() for m in ms]
    if errors:
        return None, errors
    if typed_metadata is not None:
        metadata = typed_metadata
    match, value = cells.get("match", ""), cells.get(value_column, "")
    return SourceRow(number, name, mode, match, value, position, metadata, note), []

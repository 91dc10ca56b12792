"""The tabular layout shared by CSV, XLSX and JSON: one row per rule, and its cell rules.

Columns: ``dictionary``, ``mode`` (``rewrite`` or ``ipa``), ``match``, ``replace`` (rewrite) or
``ipa`` (ipa), optional ``position`` (order within the mode), and ``metadata.<key>`` per
metadata key. A dictionary without rules is one row with an empty ``mode``. Metadata cells are
filled on a dictionary's first row.
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pronunciations.models import Mode
from pronunciations.validation import VALUE_FIELD

BASE_COLUMNS = ("dictionary", "mode", "match", "replace", "ipa", "position")
METADATA_PREFIX = "metadata."
_FORMULA_STARTS = ("=", "+", "-", "@")
# Looked up once: Mode.values is rebuilt on every access, and rows are parsed by the 100,000.
_ROW_MODES = frozenset(("", *Mode.values))
_VALUE_COLUMN = {mode.value: field for mode, field in VALUE_FIELD.items()}


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


def metadata_value(cell: str) -> Any:
    """Inverse of metadata_cell: JSON when the cell parses as JSON, otherwise the text."""
    try:
        return json.loads(cell)
    except ValueError:
        return cell


def _parses_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def export_columns(metadata_keys: Iterable[str]) -> list[str]:
    return [*BASE_COLUMNS, *(METADATA_PREFIX + key for key in sorted(set(metadata_keys)))]


def dictionary_rows(
    name: str, modes: dict[str, Any], metadata: dict[str, Any], columns: list[str]
) -> Iterator[list[str]]:
    """The rows of one dictionary in ``columns`` order (cells not yet formula-escaped)."""
    meta = {METADATA_PREFIX + key: metadata_cell(value) for key, value in metadata.items()}
    first = True
    for mode in (Mode.REWRITE, Mode.IPA):
        field = VALUE_FIELD[mode]
        for position, rule in enumerate(modes.get(mode.value, {}).get("rules", [])):
            cells = {
                "dictionary": name,
                "mode": mode.value,
                "match": rule["match"],
                field: rule[field],
                "position": str(position),
                **(meta if first else {}),
            }
            first = False
            yield [cells.get(column, "") for column in columns]
    if first:  # no rules: one row keeps the dictionary and its metadata
        cells = {"dictionary": name, **meta}
        yield [cells.get(column, "") for column in columns]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class SourceRow:
    """One parsed row; ``number`` is the row as the user sees it (header = row 1)."""

    number: int
    dictionary: str
    mode: str
    match: str
    value: str
    position: int | None
    metadata: dict[str, Any]


# -- parsing rows -------------------------------------------------------------------------


def _cell(value: object, *, escaped: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dict | list | bool):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = value if isinstance(value, str) else str(value)
    return unescape_cell(text) if escaped else text


def header_errors(headers: Sequence[str]) -> list[RowError]:
    """Missing required columns and unknown columns, reported on row 1."""
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
        if column not in BASE_COLUMNS and not column.startswith(METADATA_PREFIX)
    ]
    return errors


def parse_rows(
    headers: Sequence[str], records: Iterable[Sequence[object]], *, escaped: bool, first_row: int
) -> tuple[list[SourceRow], list[RowError]]:
    """Turn records into SourceRows; ``escaped`` removes the formula escape (CSV, XLSX)."""
    headers = [str(h or "").strip() for h in headers]
    errors = header_errors(headers)
    if errors:
        return [], errors
    rows = []
    for number, record in enumerate(records, start=first_row):
        cells = {h: _cell(v, escaped=escaped) for h, v in zip(headers, record, strict=False)}
        if not any(cells.values()):
            continue  # blank lines are skipped
        row, problems = _parse_row(number, cells)
        errors += problems
        if row is not None:
            rows.append(row)
    return rows, errors


def _parse_row(number: int, cells: dict[str, str]) -> tuple[SourceRow | None, list[RowError]]:
    errors = []
    name, mode = cells.get("dictionary", ""), cells.get("mode", "").strip()
    if not name:
        errors.append(RowError(number, "dictionary", "the dictionary name is empty"))
    if mode not in _ROW_MODES:
        errors.append(RowError(number, "mode", f"mode must be rewrite or ipa, got {mode!r}"))
    value_column = _VALUE_COLUMN.get(mode, "replace")
    other_column = "ipa" if value_column == "replace" else "replace"
    if mode and cells.get(other_column):
        errors.append(RowError(number, other_column, f"a {mode} rule has no {other_column}"))
    if not mode and (cells.get("match") or cells.get("replace") or cells.get("ipa")):
        errors.append(RowError(number, "mode", "a row with a rule needs a mode"))
    position = None
    if cells.get("position"):
        if not cells["position"].isdigit():
            errors.append(RowError(number, "position", "position must be a whole number"))
        else:
            position = int(cells["position"])
    metadata = {
        key.removeprefix(METADATA_PREFIX): metadata_value(value)
        for key, value in cells.items()
        if key.startswith(METADATA_PREFIX) and value != ""
    }
    if errors:
        return None, errors
    row = SourceRow(
        number, name, mode, cells.get("match", ""), cells.get(value_column, ""), position, metadata
    )
    return row, []

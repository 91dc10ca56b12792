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

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from pronunciations import validation
from pronunciations.models import Mode
from pronunciations.validation import VALUE_FIELD, Check

BASE_COLUMNS = ("dictionary", "mode", "match", "replace", "ipa", "position")
CHECK_MODE = "check"
NOTE_COLUMN = "note"  # a check's note; exports have it only when some dictionary has checks
# "true" on a rule switched off; exports have it only when some dictionary has one
DISABLED_COLUMN = "disabled"
METADATA_PREFIX = "metadata."
# A spreadsheet skips a leading tab, carriage return or line feed and runs what follows as a
# formula ("\t=cmd|..."), so a cell starting with one is escaped too (issue 22).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# What a cell escape_cell changes starts with (a quick test before the whole check).
_ESCAPE_FIRST = frozenset("".join(_FORMULA_STARTS) + "'")
_TOO_DEEP = object()


def needs_escape(value: str) -> bool:
    """A cell a spreadsheet could run as a formula, or one that already looks escaped."""
    if value.startswith(_FORMULA_STARTS):
        return True
    return value.startswith("'") and needs_escape(value[1:])


def escape_cell(value: str) -> str:
    """Prefix ``'`` to cells starting with = + - @, a tab, CR or LF (and to cells that already
    look escaped)."""
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


def export_columns(
    metadata_keys: Iterable[str], *, checks: bool = False, disabled: bool = False
) -> list[str]:
    """The columns of an export: ``note`` only when a dictionary exported has checks,
    ``disabled`` only when one has a disabled rule."""
    notes = [NOTE_COLUMN] if checks else []
    notes += [DISABLED_COLUMN] if disabled else []
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
                **({DISABLED_COLUMN: True} if rule.get("disabled") else {}),
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


def dictionary_rows(
    name: str,
    modes: dict[str, Any],
    metadata: dict[str, Any],
    columns: list[str],
    checks: Sequence[Check] = (),
    *,
    escaped: bool = False,
) -> Iterator[list[str]]:
    """The rows of one dictionary as text cells in ``columns`` order: its rules, then its
    checks; ``escaped``: every cell formula-escaped as ``escape_row`` would (only the text
    cells can need it: a mode, a position and ``true`` never do). The cells of
    ``dictionary_records``, written straight into their places (an export writes them by the
    million): each row is a copy of its mode's template, whose spare last cell takes what an
    absent column would hold and is dropped before the row is given."""
    cell = _escaped if escaped else str
    at = {column: i for i, column in enumerate(columns)}
    spare = len(columns)
    blank = [""] * (spare + 1)
    name_at, mode_at, match_at, position_at = (
        at.get(column, spare) for column in ("dictionary", "mode", "match", "position")
    )
    disabled_at = at.get(DISABLED_COLUMN, spare)
    blank[name_at] = cell(name)
    head = blank.copy()  # the first row: the metadata, as well
    for key, value in metadata.items():
        head[at.get(METADATA_PREFIX + key, spare)] = cell(metadata_cell(value))
    first = True
    for mode in (Mode.REWRITE, Mode.IPA):
        mode_name, field = mode.value, VALUE_FIELD[mode]
        value_at = at.get(field, spare)
        template = blank.copy()
        template[mode_at] = mode_name
        for position, rule in enumerate(modes.get(mode_name, {}).get("rules", ())):
            if first:
                row, first = head, False
                row[mode_at] = mode_name
            else:
                row = template.copy()
            row[match_at], row[value_at] = cell(rule["match"]), cell(rule[field])
            row[position_at] = str(position)
            if rule.get("disabled"):
                row[disabled_at] = "true"
            row.pop()
            yield row
    note_at, value_at = at.get(NOTE_COLUMN, spare), at.get("replace", spare)
    blank[mode_at] = CHECK_MODE
    for position, check in enumerate(checks):
        if first:
            row, first = head, False
            row[mode_at] = CHECK_MODE
        else:
            row = blank.copy()
        row[match_at], row[value_at] = cell(check.text), cell(check.expect)
        row[note_at], row[position_at] = cell(check.note), str(position)
        row.pop()
        yield row
    if first:  # no rules: one row keeps the dictionary and its metadata
        head.pop()
        yield head


def _escaped(value: str) -> str:
    return escape_cell(value) if value and value[0] in _ESCAPE_FIRST else value


def escape_row(row: list[str]) -> list[str]:
    """escape_cell of every cell (most cells need nothing: only those starting with one of the
    characters escape_cell looks at are passed to it)."""
    return [escape_cell(cell) if cell and cell[0] in _ESCAPE_FIRST else cell for cell in row]


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
    disabled: bool = False  # a rule switched off

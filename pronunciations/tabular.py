"""The tabular layout shared by CSV, XLSX and JSON: one row per rule, and its cell rules.

Columns: ``dictionary``, ``mode`` (``rewrite`` or ``ipa``), ``match``, ``replace`` (rewrite) or
``ipa`` (ipa), optional ``position`` (order within the mode), and ``metadata.<key>`` per
metadata key. A dictionary without rules is one row with an empty ``mode``. Metadata cells are
filled on a dictionary's first row.
"""

import json
from collections.abc import Iterable, Iterator
from typing import Any

from pronunciations.models import Mode
from pronunciations.validation import VALUE_FIELD

BASE_COLUMNS = ("dictionary", "mode", "match", "replace", "ipa", "position")
METADATA_PREFIX = "metadata."
_FORMULA_STARTS = ("=", "+", "-", "@")


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

"""Where an import plan's problems land: each on the row and column it came from."""

import operator

from django.core.exceptions import ValidationError

from pronunciations import checks, validation
from pronunciations.models import Mode
from pronunciations.transfer.rows import CHECK_MODE, NOTE_COLUMN, RowError, SourceRow
from pronunciations.validation import VALUE_FIELD, Check, match_key

CHECK_COLUMNS = {"text": "match", "expect": "replace", "note": NOTE_COLUMN}


_MODE, _MATCH = operator.attrgetter("mode"), operator.attrgetter("match")


def _distinct(rows: list[SourceRow]) -> bool:
    """True when no two rule rows share a mode and a match key (and none is a check or has a
    blank match): told in the interpreter's own loops, without a step of ours a row."""
    modes = list(map(_MODE, rows))
    if CHECK_MODE in modes or "" in modes:
        return False
    keys = set(zip(modes, map(match_key, map(_MATCH, rows)), strict=True))
    return len(keys) == len(rows) and all(key for _, key in keys)


def duplicate_rows(rows: list[SourceRow]) -> list[RowError]:
    """Rows that repeat an earlier row's match in the same mode, or an earlier check's text
    exactly (which one would win?)."""
    if _distinct(rows):
        return []
    seen: dict[tuple[str, str], int] = {}
    errors = []
    for row in rows:
        if not row.mode or not row.match.strip():
            continue
        check = row.mode == CHECK_MODE
        key = row.match if check else match_key(row.match)
        first = seen.setdefault((row.mode, key), row.number)
        if first != row.number:
            message = (
                f"duplicates the text of the check in row {first}"
                if check
                else f"duplicates the match of row {first} (matches compare case-insensitively)"
            )
            errors.append(RowError(row.number, "match", message))
    return errors


def row_of(path: str, planned_sources: dict[str, list[int]], first_row: int) -> tuple[int, str]:
    """Map a validation path such as modes.ipa.rules[3].ipa to (row number, column)."""
    parts = path.split(".")
    if len(parts) == 4 and parts[0] == "modes" and parts[2].startswith("rules["):
        index = int(parts[2][6:-1])
        rows = planned_sources.get(parts[1], [])
        row = rows[index] if index < len(rows) and rows[index] else first_row
        return row, parts[3]
    if len(parts) == 3 and parts[0] == "modes":  # a mode's rule count
        return first_row, "mode"
    column = {"name": "dictionary", "metadata": "metadata"}.get(parts[0], "match")
    return first_row, column


def shadowed_errors(
    rows: list[SourceRow], sources: dict[str, list[int]], check_rows: list[int]
) -> list[RowError]:
    """The own problems of rows a later row of the same match (or check text) replaced in the
    plan: validated alone, so a duplicate never hides an earlier row's own error (issue 23)."""
    kept = {number for numbers in sources.values() for number in numbers}
    kept.update(check_rows)
    errors: list[RowError] = []
    for row in rows:
        if not row.mode or row.number in kept:
            continue
        if row.mode == CHECK_MODE:
            alone = Check(row.match, row.value, row.note)
            try:
                validation.validate_checks(checks.checks_to_wire((alone,)))
            except ValidationError as exc:
                errors += _alone_errors(row.number, exc, CHECK_COLUMNS)
            continue
        field_name = VALUE_FIELD[Mode(row.mode)]
        rules = {"rules": [{"match": row.match, field_name: row.value}]}
        try:
            validation.validate_modes({Mode.REWRITE.value: {"rules": []}, row.mode: rules})
        except ValidationError as exc:
            errors += _alone_errors(row.number, exc, {"match": "match", field_name: field_name})
    return errors


def _alone_errors(number: int, exc: ValidationError, columns: dict[str, str]) -> list[RowError]:
    """A row validated alone: each problem on the row, in the column its path ends with."""
    return [
        RowError(number, columns.get(path.rpartition(".")[2], "match"), message)
        for path, messages in exc.message_dict.items()
        for message in messages
    ]

"""Pasting many rules into the editor: every line's fate shown before anything is added.

A paste is read as records: a line ``match → replacement``, or cells separated by tabs (as a
spreadsheet copies them) or commas, with CSV quoting (a quoted cell may hold the separator, a
doubled quote or a line break). A first record whose cells name a match column and a value
column (``Word``, ``Say it as``; ``match``, ``replace``) is a header: it is skipped, said so,
and its columns say where the match and the value are. Cells past those two are never joined
into a value: each line says which of its cells it ignores.
"""

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pronunciations import validation
from pronunciations.admin import wording
from pronunciations.admin.editor import check
from pronunciations.admin.wording import PageRules
from pronunciations.validation import MAX_RULES_PER_MODE

# A paste holds at most a full mode of rules; each line at most a match, a separator and a value.
PASTE_MAX_CHARS = MAX_RULES_PER_MODE * (validation.MATCH_MAX_LENGTH + validation.VALUE_MAX_LENGTH)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MATCH_HEADERS = frozenset(
    ("match", "word", "words", "term", "terms", "spelling", "written", "written as", "text")
    + ("grapheme", "from", "original", "source", "abbreviation", "acronym", "name")
)
_VALUE_HEADERS = frozenset(
    ("replace", "replacement", "say", "say it as", "say as", "spoken", "spoken as", "to")
    + ("pronunciation", "pronounce", "pronounced", "pronounced as", "sounds like", "reading")
    + ("ipa", "alias", "phoneme", "phonemes")
)


@dataclass
class PastedLine:
    """One record of a paste: ``status`` is ``add``, ``change`` (the match is a rule already,
    with another value), ``same`` (already there as it is), ``conflict``, ``invalid`` or
    ``header`` (skipped); ``ignored`` are the cells not taken, worded for the linguist."""

    number: int
    match: str
    value: str
    status: str = "add"
    message: str = ""
    existing: int | None = None
    ignored: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.number,
            "match": self.match,
            "value": self.value,
            "status": self.status,
            "message": self.message,
            "existing": self.existing,
            "ignored": self.ignored,
        }


@dataclass(frozen=True)
class _Record:
    number: int  # the line it starts on
    cells: list[str]
    commas: bool  # comma-separated: extra cells are more likely an unquoted comma


def _separator(line: str) -> str:
    return "→" if "→" in line else "\t" if "\t" in line else ","


def _open_quote(text: str) -> bool:
    """A quoted cell that this text starts but does not close (it continues on the next line)."""
    cells = re.split(r"[\t,]", text)
    return text.count('"') % 2 == 1 and any(cell.lstrip().startswith('"') for cell in cells)


def _records(text: str) -> Iterator[_Record]:
    """The paste's records; a quoted cell left open joins the following lines until it closes
    (when it never closes, each line stands alone)."""
    lines = _LINE_BREAK.split(text.removeprefix("\ufeff"))
    index = 0
    while index < len(lines):
        line, end = lines[index], index
        if "→" not in line and _open_quote(line):
            joined = line
            for later in range(index + 1, len(lines)):
                joined += "\n" + lines[later]
                if joined.count('"') % 2 == 0:
                    line, end = joined, later
                    break
        separator = _separator(line)
        if separator == "→":
            cells = line.split("→")
        else:
            cells = next(csv.reader([line], delimiter=separator, strict=False), [])
        yield _Record(index + 1, [cell.strip() for cell in cells], separator == ",")
        index = end + 1


def _header_key(cell: str) -> str:
    return " ".join(cell.casefold().strip(" :*#").split())


def _header_columns(cells: Sequence[str]) -> tuple[int, int] | None:
    """The match and value columns a header names, or None when the record is not a header."""
    keys = [_header_key(cell) for cell in cells]
    match = next((i for i, key in enumerate(keys) if key in _MATCH_HEADERS), None)
    value = next((i for i, key in enumerate(keys) if key in _VALUE_HEADERS and i != match), None)
    return None if match is None or value is None else (match, value)


def parse_pasted(text: str) -> list[PastedLine]:
    """Every non-empty record as a line of the plan; a first record naming its columns is the
    header, shown as skipped."""
    lines: list[PastedLine] = []
    columns: tuple[int, int] = (0, 1)
    names: list[str] | None = None  # the header's cells
    for record in _records(text):
        if not any(record.cells):
            continue
        if not lines and (header := _header_columns(record.cells)):
            columns, names = header, record.cells
            lines.append(PastedLine(record.number, "", "", "header", wording.paste_header(names)))
            continue
        lines.append(_line(record, columns, names))
    return lines


def _line(record: _Record, columns: tuple[int, int], names: list[str] | None) -> PastedLine:
    """A record's match and value; its other cells ignored, each said. Extra cells in a
    comma-separated line without a header make it invalid: likely a comma left unquoted."""
    cells = record.cells + [""] * (max(columns) + 1 - len(record.cells))
    line = PastedLine(record.number, cells[columns[0]], cells[columns[1]])
    extra = [(i, cell) for i, cell in enumerate(cells) if i not in columns and cell]
    if len(record.cells) < 2 or (extra and record.commas and names is None):
        line.status, line.message = "invalid", wording.paste_shape(len(record.cells))
    elif "\n" in line.match + line.value:  # the editor's fields hold one line
        line.status, line.message = "invalid", wording.paste_line_break()
    labels = (names or []) + [""] * len(cells)
    line.ignored = [wording.paste_ignored(i, labels[i], cell) for i, cell in extra]
    return line


def paste_plan(rules: PageRules, mode: str, text: str) -> tuple[list[PastedLine], list[str]]:
    """What pasting ``text`` into ``mode`` would do to the page's rules, line by line, checked
    by validation against the rules already on the page; nothing is changed."""
    lines = parse_pasted(text)
    existing = list(rules.get(mode, ()))
    parsed = [line for line in lines if line.status == "add"]
    combined = {**rules, mode: existing + [(line.match, line.value) for line in parsed]}
    checked = check(combined, lint=False)
    claimed: dict[int, PastedLine] = {}
    for problem in checked.rows:
        if problem.mode != mode or problem.index < len(existing):
            continue
        line = parsed[problem.index - len(existing)]
        if problem.code != "duplicate" or problem.other is None:
            line.status, line.message = "invalid", problem.message
        elif problem.other < len(existing):
            _against_existing(line, problem.other, existing[problem.other], mode, claimed)
        else:
            first = parsed[problem.other - len(existing)]
            line.status, line.message = "conflict", wording.paste_twice(line.match, first.number)
    return lines, checked.general


def _against_existing(
    line: PastedLine,
    index: int,
    rule: tuple[str, str],
    mode: str,
    claimed: dict[int, PastedLine],
) -> None:
    line.existing = index
    if index in claimed:
        line.status = "conflict"
        line.message = wording.paste_twice(line.match, claimed[index].number)
        return
    claimed[index] = line
    if rule[1] == line.value:
        line.status, line.message = "same", wording.paste_same(rule, mode)
    else:
        line.status, line.message = "change", wording.paste_exists(line.match, rule, mode)


def paste_summary(lines: Sequence[PastedLine]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.status] = counts.get(line.status, 0) + 1
    return counts

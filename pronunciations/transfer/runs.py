"""CSV records a dictionary at a time, parsed only when needed: unchanged dictionaries are skipped.

A CSV file is read as ``RecordRun``s: the consecutive records whose dictionary cell is the same,
as the reader gave them. A run's ``digest`` hashes its records together with everything else
the outcome of importing them depends on (``DIGEST_VERSION``, the headers, the formula escape,
the import's mode, and whether the file has metadata columns and check rows). The import
(``transfer.importing``) remembers the digest of each dictionary it leaves as the file says,
with the revision it left it at (``store.remember_import_digests``). Importing the same records
again with the same settings into a dictionary still at that revision changes nothing: in
``replace`` mode the outcome depends on the rows alone (plus what the dictionary keeps, which
is what that import left), and ``merge`` of the same rows into their own outcome is the same
outcome. Such a run is skipped without parsing a record. Every write of a dictionary raises its
revision (``store``), so a digest never outlives the state it was taken of; every LEXICON_MAX_*
setting is part of a digest, so a file a tightened limit refuses is read again. The digests are
read once, unlocked; before a batch goes on, its skipped dictionaries are confirmed at their
digest's revision under lock (``importing._confirm_skipped``), and if one was written meanwhile
the import starts again reading every row.
"""

import hashlib
import marshal
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from pronunciations.transfer.rows import RowError, SourceRow
from pronunciations.validation import MAX_CHECKS, MAX_RULES_PER_MODE

Parsed = SourceRow | list[RowError]  # a row, or its errors

# Raise when parsing or planning changes what the same records import as, or when a migration
# changes stored content without a revision: digests taken before then no longer match, so no
# dictionary is skipped on an outdated reading.
DIGEST_VERSION = "1"
# More records than a valid dictionary can have (two modes and its checks, and a metadata row):
# a run this long is read in pieces, none of which may be skipped.
MAX_RUN = 2 * MAX_RULES_PER_MODE + MAX_CHECKS + 1


class Parser(Protocol):
    """What a run needs of the file's parser (``parsing.RowParser``)."""

    headers: list[str]
    escaped: bool
    at: dict[str, int]  # each column's index

    def parse(self, number: int, record: Sequence[object]) -> Parsed | None: ...


def limits() -> tuple[tuple[str, str], ...]:
    """Every LEXICON_MAX_* setting: what parsing and validation accept depends on some of them
    (a metadata cell's depth and size), so a changed limit changes every digest."""
    names = sorted(name for name in dir(settings) if name.startswith("LEXICON_MAX_"))
    return tuple((name, repr(getattr(settings, name))) for name in names)


@dataclass(frozen=True)
class ImportSettings:
    """What, besides a dictionary's own records, decides what importing them does."""

    mode: str
    has_metadata: bool
    has_checks: bool
    limits: tuple[tuple[str, str], ...]  # ``limits()``, read once an import


class RecordRun:
    """Consecutive records under one dictionary cell, from row ``first``; ``whole`` is False
    for a piece of a run longer than ``MAX_RUN`` (never skipped)."""

    __slots__ = ("cell", "first", "parser", "records", "whole")

    def __init__(
        self, cell: str, first: int, records: list[list[str]], parser: Parser, whole: bool
    ) -> None:
        self.cell, self.first, self.records = cell, first, records
        self.parser, self.whole = parser, whole

    def parse(self) -> Iterator[Parsed]:
        """Each record parsed in turn (blank lines skipped)."""
        parse = self.parser.parse
        for number, record in enumerate(self.records, start=self.first):
            parsed = parse(number, record)
            if parsed is not None:
                yield parsed

    def digest(self, imported: ImportSettings) -> str:
        """The hash of the run's records and all else their import depends on."""
        head = [
            DIGEST_VERSION,
            imported.limits,
            self.parser.headers,
            self.parser.escaped,
            imported.mode,
            imported.has_metadata,
            imported.has_checks,
        ]
        # marshal's version 2 writes values, never references to an object met before, so equal
        # records always give the same bytes (and different records different bytes); twice as
        # fast as JSON here. Another Python may write other bytes: those digests just differ.
        return hashlib.sha256(marshal.dumps([head, self.records], 2)).hexdigest()


def record_runs(
    records: Iterable[list[str]], parser: Parser, first_row: int
) -> Iterator[RecordRun]:
    """The records as runs: a blank line belongs to the run it is in (parsing skips it)."""
    at = parser.at["dictionary"]
    cell: str | None = None
    run: list[list[str]] = []
    first, whole = first_row, True
    for number, record in enumerate(records, start=first_row):
        name = record[at] if at < len(record) else ""
        if name != cell and (name or any(record)):
            if run:
                yield RecordRun(cell or "", first, run, parser, whole)
            cell, run, first, whole = name, [], number, True
        elif len(run) >= MAX_RUN:
            yield RecordRun(cell or "", first, run, parser, False)
            run, first, whole = [], number, False
        run.append(record)
    if run:
        yield RecordRun(cell or "", first, run, parser, whole)

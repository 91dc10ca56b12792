"""What a pass of an import over its file needs besides the rows: where each dictionary ends
when the file is read twice (``Layout``), and why a pass starts again (``Restart``)."""

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pronunciations import validation
from pronunciations.transfer.rows import CHECK_MODE, RowError, SourceRow
from pronunciations.transfer.runs import Parsed, RecordRun

# Opens the file's rows (CSV: its records a dictionary at a time), from the start, each call.
RowStream = Callable[[], Iterable[Parsed | RecordRun]]


def row_stream(rows: list[SourceRow], errors: list[RowError]) -> RowStream:
    """A stream of rows already parsed (a PLS file, the admin's import page)."""
    return lambda: [errors, *rows] if errors else rows


@functools.lru_cache(maxsize=4096)
def dictionary_key(name: str) -> tuple[str, tuple[str, ...]]:
    """A dictionary name's normalized key and its problems (remembered: each row repeats it)."""
    return validation.normalize_name(name), tuple(validation.name_errors(name))


@dataclass(frozen=True)
class Layout:
    """What a first reading of the file tells: each dictionary's last row, and any check row."""

    last: dict[str, int]
    has_checks: bool


def file_layout(stream: RowStream) -> Layout:
    last: dict[str, int] = {}
    has_checks = False
    for item in stream():
        for parsed in item.parse() if isinstance(item, RecordRun) else (item,):
            if isinstance(parsed, SourceRow):
                has_checks = has_checks or parsed.mode == CHECK_MODE
                key, problems = dictionary_key(parsed.dictionary)
                if not problems:
                    last[key] = parsed.number
    return Layout(last, has_checks)


class Restart(Exception):
    """The file's layout is needed: a dictionary came back, or a check row came late; or
    (``stale``) a dictionary skipped by its digest was written meanwhile: read every row."""

    def __init__(self, *, stale: bool = False) -> None:
        super().__init__()
        self.stale = stale

"""The caps on an import file, read from settings, and the refusals that name them."""

import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError

from pronunciations.errors import RequestTooLarge

Source = bytes | IO[bytes]
Record = list[Any]


class _Missing:
    """The type of MISSING."""

    def __repr__(self) -> str:
        return "MISSING"


# A JSON row object's value for a column it does not have: in JSON, null is a value
# (a metadata value of null), so an absent key needs its own marker.
MISSING: Any = _Missing()
RowProgress = Callable[[int], None]  # rows read so far

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    upload_bytes: int
    inflated_bytes: int
    rows: int
    cells: int
    columns: int

    @classmethod
    def current(cls) -> "Limits":
        return cls(
            upload_bytes=settings.LEXICON_MAX_UPLOAD_BYTES,
            inflated_bytes=settings.LEXICON_MAX_INFLATED_BYTES,
            rows=settings.LEXICON_MAX_IMPORT_ROWS,
            cells=settings.LEXICON_MAX_IMPORT_CELLS,
            columns=settings.LEXICON_MAX_IMPORT_COLUMNS,
        )


class UploadTooLarge(RequestTooLarge):
    """413: the file, or what it inflates to, is past one of the caps; the message names it."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"The file is too large: {problem}.")


@dataclass(frozen=True)
class Inspection:
    """What ``inspect`` learned. ``work_bytes`` is what the readers will parse (for XLSX, the
    inflated sheet and shared strings); ``rows`` an upper bound of data rows, None if unknown."""

    size: int
    work_bytes: int
    rows: int | None


def as_file(source: Source) -> IO[bytes]:
    """A seekable binary file at its start (bytes are wrapped, files rewound)."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source))
    source.seek(0)
    return source


def file_size(file: IO[bytes]) -> int:
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    return size


def check_size(size: int, limits: Limits | None = None) -> None:
    limits = limits or Limits.current()
    if size > limits.upload_bytes:
        raise UploadTooLarge(f"the limit is {limits.upload_bytes} bytes")


def too_many_rows(limits: Limits) -> UploadTooLarge:
    return UploadTooLarge(f"it has more than {limits.rows} rows (LEXICON_MAX_IMPORT_ROWS)")


def too_many_cells(limits: Limits) -> UploadTooLarge:
    return UploadTooLarge(f"it has more than {limits.cells} cells (LEXICON_MAX_IMPORT_CELLS)")


def too_many_columns(limits: Limits) -> UploadTooLarge:
    return UploadTooLarge(
        f"a row has more than {limits.columns} columns (LEXICON_MAX_IMPORT_COLUMNS)"
    )


def unreadable(file_format: str, problem: object) -> ValidationError:
    return ValidationError({"file": [f"the file cannot be read as {file_format}: {problem}"]})


def not_utf8(byte: int, offset: int) -> ValidationError:
    return ValidationError(
        {
            "file": [
                f"the file is not UTF-8 (byte 0x{byte:02x} at offset {offset}); save it as "
                "UTF-8 and try again"
            ]
        }
    )


class Budget:
    """Rows and cells read so far, refused past the caps."""

    def __init__(self, limits: Limits) -> None:
        self.limits, self.rows, self.cells = limits, 0, 0

    def row(self, cells: int) -> None:
        self.rows += 1
        self.cells += cells
        if self.rows > self.limits.rows + 1:  # the header is not a data row
            raise too_many_rows(self.limits)
        if cells > self.limits.columns:
            raise too_many_columns(self.limits)
        if self.cells > self.limits.cells:
            raise too_many_cells(self.limits)

    def counted(self, records: Iterable[Record]) -> Iterator[Record]:
        """Each record, counted as ``row`` counts it: COUNTED records at a time in the
        interpreter's own loops (for the files of a million rows), and one by one through
        ``row`` for a run that passes a cap, so that the records before it come first and
        ``row`` says which cap was passed. A record that cannot be read (the csv module's
        error, bad UTF-8) is raised after the records before it, counted alike."""
        limits = self.limits
        max_rows, max_columns, max_cells = limits.rows + 1, limits.columns, limits.cells
        records = iter(records)
        while True:
            chunk: list[Record] = []
            try:
                chunk.extend(itertools.islice(records, COUNTED))
            except BaseException:  # the records read before it keep what a cap says of them
                yield from self._each(chunk)
                raise
            if not chunk:
                return
            sizes = list(map(len, chunk))
            cells = sum(sizes)
            if (
                self.rows + len(chunk) > max_rows
                or max(sizes) > max_columns
                or self.cells + cells > max_cells
            ):
                yield from self._each(chunk)
                continue
            self.rows += len(chunk)
            self.cells += cells
            yield from chunk

    def _each(self, records: list[Record]) -> Iterator[Record]:
        for record in records:
            self.row(len(record))
            yield record


COUNTED = 256  # records read ahead and counted at once by Budget.counted

"""XLSX, the zip: its directory, each part's declared and inflated size, checked before any
parse, and the cheap first look (``inspect_xlsx``) that counts rows, cells and strings."""

import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from posixpath import dirname, join, normpath
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from pronunciations.transfer.limits import (
    Inspection,
    Limits,
    UploadTooLarge,
    too_many_cells,
    too_many_rows,
    unreadable,
)

PART_CHUNK = 1024 * 1024  # zipfile inflates 1 MiB reads 3x faster than 64 KiB ones
# A spreadsheet written by Excel, LibreOffice or openpyxl has a few dozen parts; more is not a
# workbook but an attempt to make zipfile build millions of entries.
MAX_ZIP_ENTRIES = 1000
MAX_ZIP_DIRECTORY_BYTES = 1024 * 1024
MAX_SMALL_PART_BYTES = 4 * 1024 * 1024  # workbook.xml and the relationship parts
_ZIP_END = b"PK\x05\x06"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


class Inflated:
    """Bytes inflated so far across the parts of one workbook, refused past the cap."""

    def __init__(self, limits: Limits) -> None:
        self.limits, self.total = limits, 0

    def add(self, count: int) -> None:
        self.total += count
        if self.total > self.limits.inflated_bytes:
            raise self.error()

    def error(self) -> UploadTooLarge:
        return UploadTooLarge(
            f"it inflates to more than {self.limits.inflated_bytes} bytes "
            "(LEXICON_MAX_INFLATED_BYTES)"
        )


@dataclass(frozen=True)
class _Parts:
    sheet: str
    strings: str | None


def open_zip(file: IO[bytes], size: int) -> zipfile.ZipFile:
    """The workbook's zip, after checking its central directory is of a workbook's size."""
    tail_size = min(size, 22 + 65535)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    end = tail.rfind(_ZIP_END)
    if end < 0 or len(tail) < end + 22:
        raise unreadable("xlsx", "it is not a zip archive")
    entries, directory = struct.unpack("<HI", tail[end + 10 : end + 16])
    if entries >= MAX_ZIP_ENTRIES or directory > MAX_ZIP_DIRECTORY_BYTES:
        raise UploadTooLarge(f"its zip archive has more than {MAX_ZIP_ENTRIES} parts")
    file.seek(0)
    try:
        return zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise unreadable("xlsx", exc) from None


def _small_part(archive: zipfile.ZipFile, name: str, inflated: Inflated) -> Any:
    """A workbook or relationship part, parsed whole: these are small in any real workbook."""
    too_large = UploadTooLarge(
        f"its part {name} inflates to more than {MAX_SMALL_PART_BYTES} bytes"
    )
    try:
        info = archive.getinfo(name)
        if info.file_size > MAX_SMALL_PART_BYTES:
            raise too_large
        with archive.open(info) as part:
            data = part.read(MAX_SMALL_PART_BYTES + 1)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise unreadable("xlsx", exc) from None
    inflated.add(len(data))
    if len(data) > MAX_SMALL_PART_BYTES:
        raise too_large
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except ParseError as exc:
        raise unreadable("xlsx", f"{name}: {exc}") from None
    except DefusedXmlException:
        raise unreadable("xlsx", f"{name} declares a DTD or entities") from None


def _relationships(archive: zipfile.ZipFile, owner: str, inflated: Inflated) -> dict[str, Any]:
    """Relationship id -> (type, absolute part name) for the part ``owner`` ('' is the package)."""
    rels = join(dirname(owner), "_rels", owner.rsplit("/", 1)[-1] + ".rels")
    if rels not in archive.namelist():
        return {}
    found = {}
    for rel in _small_part(archive, rels, inflated).iter(f"{{{_PKG_REL_NS}}}Relationship"):
        target = rel.get("Target", "")
        name = target.lstrip("/") if target.startswith("/") else join(dirname(owner), target)
        found[rel.get("Id", "")] = (rel.get("Type", ""), normpath(name))
    return found


def workbook_parts(archive: zipfile.ZipFile, inflated: Inflated) -> _Parts:
    """The first worksheet and the shared strings, found the way spreadsheet programs do."""
    names = set(archive.namelist())
    workbook = next(
        (
            name
            for kind, name in _relationships(archive, "", inflated).values()
            if kind.endswith("/officeDocument")
        ),
        "xl/workbook.xml",
    )
    if workbook not in names:
        raise unreadable("xlsx", "it has no workbook")
    links = _relationships(archive, workbook, inflated)
    sheets = _small_part(archive, workbook, inflated).iter(f"{{{_MAIN_NS}}}sheet")
    first = next(sheets, None)
    sheet = links.get(first.get(f"{{{_REL_NS}}}id", ""), ("", ""))[1] if first is not None else ""
    if sheet not in names:
        raise unreadable("xlsx", "it has no worksheet")
    strings = next((name for kind, name in links.values() if kind.endswith("/sharedStrings")), None)
    return _Parts(sheet, strings if strings in names else None)


def check_declared(archive: zipfile.ZipFile, parts: _Parts, inflated: Inflated) -> None:
    declared = sum(archive.getinfo(n).file_size for n in (parts.sheet, parts.strings) if n)
    if inflated.total + declared > inflated.limits.inflated_bytes:
        raise inflated.error()


def stream_part(archive: zipfile.ZipFile, name: str, inflated: Inflated) -> Iterator[bytes]:
    try:
        with archive.open(name) as part:
            while chunk := part.read(PART_CHUNK):
                inflated.add(len(chunk))
                yield chunk
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise unreadable("xlsx", exc) from None


def _tag_counter(name: bytes) -> Callable[[bytes], int]:
    """Counts start tags ``<name ...>``, ``<name>`` and ``<name/>`` (bytes.count: C speed)."""
    patterns = [b"<" + name + end for end in (b" ", b">", b"/")]
    return lambda data: sum(data.count(pattern) for pattern in patterns)


_COUNT_ROWS, _COUNT_CELLS, _COUNT_STRINGS = (_tag_counter(n) for n in (b"row", b"c", b"si"))


def _count_tags(
    chunks: Iterator[bytes], counted: list[tuple[Callable[[bytes], int], int, UploadTooLarge]]
) -> list[int]:
    """Tag counts over a streamed part, refused as soon as one passes its limit. The last bytes
    of each chunk go in front of the next, fewer than any pattern's, so a tag split between two
    chunks is counted once."""
    counts = [0] * len(counted)
    tail = b""
    for chunk in chunks:
        data = tail + chunk
        for i, (counter, limit, refusal) in enumerate(counted):
            counts[i] += counter(data)
            if counts[i] > limit:
                raise refusal
        tail = data[-4:]
    return counts


def inspect_xlsx(file: IO[bytes], size: int, limits: Limits) -> Inspection:
    """Inflate the parts the reader will parse once, keeping nothing, and count their tags."""
    inflated = Inflated(limits)
    with open_zip(file, size) as archive:
        parts = workbook_parts(archive, inflated)
        check_declared(archive, parts, inflated)
        cells = (_COUNT_CELLS, limits.cells, too_many_cells(limits))
        if parts.strings:
            strings = stream_part(archive, parts.strings, inflated)
            _count_tags(strings, [(_COUNT_STRINGS, limits.cells, too_many_cells(limits))])
        sheet = stream_part(archive, parts.sheet, inflated)
        rows, _ = _count_tags(sheet, [(_COUNT_ROWS, limits.rows + 1, too_many_rows(limits)), cells])
    file.seek(0)
    return Inspection(size=size, work_bytes=inflated.total, rows=max(rows - 1, 0))

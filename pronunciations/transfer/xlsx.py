"""XLSX: the zip's directory and sizes checked first, the first sheet read as a stream."""

import io
import re
import struct
import zipfile
from array import array
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from posixpath import dirname, join, normpath
from typing import IO, Any
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from pronunciations.transfer.limits import (
    Budget,
    Inspection,
    Limits,
    Record,
    UploadTooLarge,
    file_size,
    too_many_cells,
    too_many_columns,
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
_CELL_REF = re.compile(r"[A-Z]{1,3}[0-9]*")
_INTEGER = re.compile(r"-?[0-9]{1,30}")


class _Inflated:
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


def _open_zip(file: IO[bytes], size: int) -> zipfile.ZipFile:
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


def _small_part(archive: zipfile.ZipFile, name: str, inflated: _Inflated) -> Any:
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


def _relationships(archive: zipfile.ZipFile, owner: str, inflated: _Inflated) -> dict[str, Any]:
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


def _parts(archive: zipfile.ZipFile, inflated: _Inflated) -> _Parts:
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


def _checked_declared(archive: zipfile.ZipFile, parts: _Parts, inflated: _Inflated) -> None:
    declared = sum(archive.getinfo(n).file_size for n in (parts.sheet, parts.strings) if n)
    if inflated.total + declared > inflated.limits.inflated_bytes:
        raise inflated.error()


def _stream_part(archive: zipfile.ZipFile, name: str, inflated: _Inflated) -> Iterator[bytes]:
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
    inflated = _Inflated(limits)
    with _open_zip(file, size) as archive:
        parts = _parts(archive, inflated)
        _checked_declared(archive, parts, inflated)
        cells = (_COUNT_CELLS, limits.cells, too_many_cells(limits))
        if parts.strings:
            strings = _stream_part(archive, parts.strings, inflated)
            _count_tags(strings, [(_COUNT_STRINGS, limits.cells, too_many_cells(limits))])
        sheet = _stream_part(archive, parts.sheet, inflated)
        rows, _ = _count_tags(sheet, [(_COUNT_ROWS, limits.rows + 1, too_many_rows(limits)), cells])
    file.seek(0)
    return Inspection(size=size, work_bytes=inflated.total, rows=max(rows - 1, 0))


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag: str) -> str:
    """``{namespace}name`` -> ``name``, memoized: a sheet repeats a handful of names millions
    of times."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _LOCAL_NAMES[tag] = tag.rsplit("}", 1)[-1]
        if len(_LOCAL_NAMES) > 10_000:  # a hostile part with endless names: start over
            _LOCAL_NAMES.clear()
    return name


class _Refused(Exception):
    """A DTD, entity declaration or external reference: refused as defusedxml refuses them."""


def _refuse(*_: object) -> int:
    raise _Refused


class _Feeder:
    """Feeds a part to expat, calling ``target``'s start, end and data; no tree is built.

    expat directly, not ElementTree's parser: 3x faster on a 1 M-row sheet. It refuses what
    defusedxml refuses (any DOCTYPE, entity declaration or external entity reference).
    """

    def __init__(self, target: Any) -> None:
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.buffer_size = PART_CHUNK
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _refuse
        parser.EntityDeclHandler = _refuse
        parser.UnparsedEntityDeclHandler = _refuse
        parser.ExternalEntityRefHandler = _refuse
        parser.StartElementHandler = target.start
        parser.EndElementHandler = target.end
        parser.CharacterDataHandler = target.data
        self.parser = parser

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError as exc:
            raise unreadable("xlsx", exc) from None
        except _Refused:
            raise unreadable("xlsx", "it declares a DTD or entities") from None

    def close(self) -> None:
        self.feed(b"", final=True)


class _SharedStrings:
    """The shared strings, kept compactly: one text buffer and an offset per string."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.buffer = io.StringIO()
        self.offsets = array("q", [0])
        self.text = ""
        self.parts: list[str] | None = None
        self.collect = False
        self.phonetic = 0

    # parser target interface
    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = _local(tag)
        if name == "si":
            self.parts = []
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and self.parts is not None and not self.phonetic:
            self.collect = True

    def end(self, tag: str) -> None:
        name = _local(tag)
        if name == "t":
            self.collect = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si" and self.parts is not None:
            text = "".join(self.parts)
            self.buffer.write(text)
            self.offsets.append(self.offsets[-1] + len(text))
            self.parts = None
            if len(self.offsets) - 1 > self.limits.cells:
                raise too_many_cells(self.limits)

    def data(self, text: str) -> None:
        if self.collect and self.parts is not None:
            self.parts.append(text)

    def close(self) -> None:
        self.text = self.buffer.getvalue()
        self.buffer = io.StringIO()

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self.offsets) - 1:
            raise IndexError(index)
        return self.text[self.offsets[index] : self.offsets[index + 1]]


_COLUMNS: dict[str, int] = {}


def _column(reference: str | None, following: int) -> int:
    """0-based column of a cell reference such as "C7"; the next column when there is none."""
    if not reference:
        return following
    letters = reference.rstrip("0123456789")
    known = _COLUMNS.get(letters)
    if known is not None:
        return known
    if not _CELL_REF.fullmatch(reference):
        return following
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    if len(_COLUMNS) < 20_000:
        _COLUMNS[letters] = number - 1
    return number - 1


class _Sheet:
    """Parser target for a worksheet: completed rows land in ``ready`` as (number, record)."""

    def __init__(self, strings: _SharedStrings | None, limits: Limits) -> None:
        self.strings, self.limits = strings, limits
        self.budget = Budget(limits)
        self.ready: list[tuple[int, Record]] = []
        self.row_number = 0
        self.cells: dict[int, Any] = {}
        self.cell_type = "n"
        self.column = -1
        self.parts: list[str] | None = None
        self.collect = False
        self.phonetic = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = _local(tag)
        if name == "row":
            number = attrib.get("r", "")
            self.row_number = (
                int(number) if number.isascii() and number.isdigit() else (self.row_number + 1)
            )
            if self.row_number > self.limits.rows + 1:
                raise too_many_rows(self.limits)
            self.cells, self.column = {}, -1
        elif name == "c":
            self.column = _column(attrib.get("r"), self.column + 1)
            if self.column >= self.limits.columns:
                raise too_many_columns(self.limits)
            self.cell_type = attrib.get("t", "n")
            self.parts = None
        elif name == "rPh":
            self.phonetic += 1
        elif name in ("v", "t") and not self.phonetic:
            self.parts = self.parts if self.parts is not None else []
            self.collect = True

    def data(self, text: str) -> None:
        if self.collect and self.parts is not None:
            self.parts.append(text)

    def end(self, tag: str) -> None:
        name = _local(tag)
        if name in ("v", "t"):
            self.collect = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "c":
            value = self._value("".join(self.parts) if self.parts is not None else None)
            if value is not None:
                self.cells[self.column] = value
            self.parts = None
        elif name == "row":
            width = max(self.cells, default=-1) + 1
            self.budget.row(len(self.cells))
            self.ready.append((self.row_number, [self.cells.get(i) for i in range(width)]))

    def _value(self, text: str | None) -> Any:
        kind = self.cell_type
        if text is None:
            return None
        if kind == "s":
            try:
                return self.strings[int(text)] if self.strings is not None else None
            except (ValueError, IndexError):
                raise unreadable(
                    "xlsx", f"row {self.row_number}: no shared string {text!r}"
                ) from None
        if kind == "b":
            return text.strip() == "1"
        if kind in ("n", ""):
            return _number(text)
        return text

    def close(self) -> None:
        """Nothing to finish: rows are handed over as they end."""


def _number(text: str) -> Any:
    """A numeric cell's value: int when written as one (exactly), else float, else the text."""
    if not text:
        return None
    try:
        return int(text) if _INTEGER.fullmatch(text) else float(text)
    except ValueError:  # not a number, or an integer past Python's conversion limit
        return text


def xlsx_records(file: IO[bytes], limits: Limits) -> Iterator[Record]:
    size = file_size(file)
    inflated = _Inflated(limits)
    with _open_zip(file, size) as archive:
        parts = _parts(archive, inflated)
        _checked_declared(archive, parts, inflated)
        strings = None
        if parts.strings:
            strings = _SharedStrings(limits)
            feeder = _Feeder(strings)
            for chunk in _stream_part(archive, parts.strings, inflated):
                feeder.feed(chunk)
            feeder.close()
        sheet = _Sheet(strings, limits)
        feeder = _Feeder(sheet)
        expected = 1
        for chunk in _stream_part(archive, parts.sheet, inflated):
            feeder.feed(chunk)
            expected = yield from _ready_rows(sheet, expected)
        feeder.close()
        yield from _ready_rows(sheet, expected)


def _ready_rows(sheet: _Sheet, expected: int) -> Generator[Record, None, int]:
    """Hand over the rows the parser completed, a blank one for each row the sheet leaves out."""
    for number, record in sheet.ready:
        if number < expected:
            raise unreadable("xlsx", f"row {number} comes after row {expected - 1}")
        for _ in range(expected, number):
            yield []
        expected = number + 1
        yield record
    sheet.ready.clear()
    return expected

"""Every uploaded file is bounded here, before and while it is parsed: the one home of these caps.

``inspect`` is the cheap first look that every entry point (API, admin, command, job) runs before
any parse: the file's size, and for XLSX the zip's directory, each part's declared size and its
actually inflated size (streamed, nothing kept), with a count of rows, cells and shared strings.
It refuses a bomb with ``UploadTooLarge`` (413) holding no more than one chunk in memory.
``read_table`` then streams the rows (CSV through the csv module, XLSX through an expat parser
target that builds no tree, JSON element by element) and enforces the same caps while it reads,
so a file that lied to ``inspect`` is refused the same way. Caps come from settings:
``LEXICON_MAX_UPLOAD_BYTES``, ``LEXICON_MAX_INFLATED_BYTES``, ``LEXICON_MAX_IMPORT_ROWS``,
``LEXICON_MAX_IMPORT_CELLS`` and ``LEXICON_MAX_IMPORT_COLUMNS``.
"""

import codecs
import csv
import io
import json
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
from django.conf import settings
from django.core.exceptions import ValidationError

from pronunciations import validation
from pronunciations.errors import RequestTooLarge

Source = bytes | IO[bytes]
Record = list[Any]
RowProgress = Callable[[int], None]  # rows read so far

CHUNK = 64 * 1024
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


def _size(file: IO[bytes]) -> int:
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    return size


def check_size(size: int, limits: Limits | None = None) -> None:
    limits = limits or Limits.current()
    if size > limits.upload_bytes:
        raise UploadTooLarge(f"the limit is {limits.upload_bytes} bytes")


def inspect(source: Source, file_format: str, limits: Limits | None = None) -> Inspection:
    """The cheap, flat-memory first look; raises UploadTooLarge or ValidationError."""
    limits = limits or Limits.current()
    file = as_file(source)
    size = _size(file)
    check_size(size, limits)
    if file_format == "xlsx":
        return _inspect_xlsx(file, size, limits)
    rows = None
    if file_format == "csv":
        rows = _count_lines(file)
        if rows > limits.rows + 1:  # lines bound rows from above; count exactly only now
            rows = sum(1 for _ in _csv_records(file, limits, count_only=True)) - 1
        else:
            rows = max(rows - 1, 0)
    file.seek(0)
    return Inspection(size=size, work_bytes=size, rows=rows)


def _count_lines(file: IO[bytes]) -> int:
    lines, last = 0, b"\n"
    while chunk := file.read(CHUNK):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    file.seek(0)
    return lines + (last != b"\n")


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


# -- reading ----------------------------------------------------------------------------------


def read_table(
    source: Source,
    file_format: str,
    *,
    limits: Limits | None = None,
    progress: RowProgress | None = None,
) -> tuple[list[str], Iterator[Record], bool]:
    """Headers, a stream of records, and whether cells carry the formula escape (CSV, XLSX).

    The caps hold while the stream is consumed: rows, cells, columns, inflated bytes.
    """
    limits = limits or Limits.current()
    file = as_file(source)
    check_size(_size(file), limits)
    if file_format == "json":
        headers, records = _json_table(file, limits)
        escaped = False
    else:
        stream = _csv_records(file, limits) if file_format == "csv" else _xlsx_records(file, limits)
        first = next(stream, None)
        headers = [str(cell) if cell is not None else "" for cell in first or []]
        records, escaped = stream, True
    return headers, _counted(records, progress), escaped


def _counted(records: Iterator[Record], progress: RowProgress | None) -> Iterator[Record]:
    count = 0
    for record in records:
        yield record
        count += 1
        if progress is not None and count % 10_000 == 0:
            progress(count)
    if progress is not None:
        progress(count)


class _Budget:
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


# CSV ------------------------------------------------------------------------------------------


def _csv_records(file: IO[bytes], limits: Limits, *, count_only: bool = False) -> Iterator[Record]:
    file.seek(0)
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    budget = _Budget(limits)
    try:
        for record in reader:
            budget.row(len(record))
            yield [] if count_only else record
    except UnicodeDecodeError:
        raise _decode_error(file) from None
    except csv.Error as exc:
        raise ValidationError({"file": [f"line {reader.line_num}: {exc}"]}) from None
    finally:
        text.detach()  # leave the caller's file open


def _decode_error(file: IO[bytes]) -> ValidationError:
    """Where the first byte that is not UTF-8 is (the decoder's own offset is per chunk)."""
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    while chunk := file.read(CHUNK):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            position = exc.start - len(exc.object) + len(chunk)  # pending bytes come first
            start = offset + position
            file.seek(start)
            return not_utf8(file.read(1)[0], start)
        offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:  # a multi-byte sequence cut off by the end of the file
        start = offset - len(exc.object) + exc.start
        file.seek(start)
        return not_utf8(file.read(1)[0], start)
    return not_utf8(0, offset)


def decode_text(file: IO[bytes]) -> str:
    """The whole file as text: UTF-8 with or without a byte-order mark."""
    file.seek(0)
    data = file.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise not_utf8(data[exc.start], exc.start) from None


# JSON -----------------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _skip(text: str, at: int) -> int:
    """The index of the first character at or after ``at`` that is not JSON whitespace."""
    found = _WHITESPACE.match(text, at)
    return found.end() if found else at


def _json_items(text: str) -> Iterator[tuple[int, Any]]:
    """The elements of a top-level array, one at a time, each bounded in depth."""
    decoder = json.JSONDecoder()
    at = _skip(text, 0)
    if text[at : at + 1] != "[":
        raise ValidationError({"file": ["a JSON import is an array of row objects"]})
    at = _skip(text, at + 1)
    number = 0
    if text[at : at + 1] == "]":
        return
    while True:
        number += 1
        field = f"rows[{number}]"
        try:
            item, end = decoder.raw_decode(text, at)
        except RecursionError:
            validation.parse_json(text[at:], field=field)  # raises the depth error
            raise ValidationError({field: ["is not valid JSON"]}) from None
        except ValueError as exc:
            raise ValidationError({"file": [f"the file is not valid JSON: {exc}"]}) from None
        if validation.json_depth(item) > settings.LEXICON_MAX_JSON_DEPTH:
            validation.parse_json(text[at:end], field=field)  # raises the depth error
        yield number, item
        at = _skip(text, end)
        separator = text[at : at + 1]
        if separator == "]":
            rest = text[at + 1 :].strip()
            if rest:
                raise ValidationError({"file": ["the file is not valid JSON: extra data"]})
            return
        if separator != ",":
            raise ValidationError({"file": ["the file is not valid JSON: expected ',' or ']'"]})
        at = _skip(text, at + 1)


def _json_table(file: IO[bytes], limits: Limits) -> tuple[list[str], Iterator[Record]]:
    """Two passes over the text: the union of keys for the headers, then the records."""
    text = decode_text(file)
    headers: dict[str, None] = {}
    budget = _Budget(limits)
    budget.row(0)  # JSON has no header row
    for _, item in _json_items(text):
        if not isinstance(item, dict):
            raise ValidationError({"file": ["a JSON import is an array of row objects"]})
        budget.row(len(item))
        headers.update(dict.fromkeys(item))
        if len(headers) > limits.columns:
            raise too_many_columns(limits)
    columns = list(headers)

    def records() -> Iterator[Record]:
        for _, item in _json_items(text):
            yield [item.get(column) for column in columns]

    return columns, records()


# XLSX -----------------------------------------------------------------------------------------


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


def _inspect_xlsx(file: IO[bytes], size: int, limits: Limits) -> Inspection:
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
        self.budget = _Budget(limits)
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


def _xlsx_records(file: IO[bytes], limits: Limits) -> Iterator[Record]:
    size = _size(file)
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

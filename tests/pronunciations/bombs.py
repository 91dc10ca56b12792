"""Hostile and huge import files, generated on the fly (never committed): XLSX zips built part by
part so a member can inflate to gigabytes, and honest CSVs of many rows. Shared by the tests and
bench/uploads.py."""

import csv
import io
import struct
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER = ("dictionary", "mode", "match", "replace")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
PACKAGE_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
    '<sheets><sheet name="rules" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
SHEET_END = "</sheetData></worksheet>"
STRINGS_START = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'
STRINGS_END = "</sst>"


def _inline(column: str, row: int, text: str) -> str:
    return f'<c r="{column}{row}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row() -> str:
    cells = "".join(_inline(c, 1, name) for c, name in zip("ABCD", HEADER, strict=True))
    return f'<row r="1">{cells}</row>'


def write_xlsx(
    path: Path,
    sheet: Iterable[str],
    strings: Iterable[str] | None = None,
    *,
    level: int = 9,
    zip64: bool = False,
) -> Path:
    """A workbook whose sheet XML and shared strings XML are the chunks given, streamed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, chunks in (
            ("xl/sharedStrings.xml", strings),
            ("xl/worksheets/sheet1.xml", sheet),
        ):
            if chunks is None:
                continue
            with archive.open(name, "w", force_zip64=zip64) as part:
                buffer = io.BufferedWriter(part, 1024 * 1024)  # type: ignore[arg-type]
                for chunk in chunks:
                    buffer.write(chunk.encode("utf-8"))
                buffer.flush()
    return path


def _repeat(unit: str, count: int, batch: int = 65536) -> Iterator[str]:
    full, rest = divmod(count, batch)
    block = unit * batch
    for _ in range(full):
        yield block
    yield unit * rest


def huge_shared_string(path: Path, inflated_bytes: int) -> Path:
    """One shared string of ``inflated_bytes`` characters ('a'), used by the header's first cell:
    a few MB on disk (the issue's was 3 MB for 3.1 GB)."""
    strings = [STRINGS_START, "<si><t>", *_repeat("a", inflated_bytes, 1 << 20), "</t></si>"]
    strings.append(STRINGS_END)
    sheet = [SHEET_START, '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', SHEET_END]
    return write_xlsx(path, sheet, strings, level=1, zip64=inflated_bytes >= 1 << 31)


def understate_size(path: Path, member: str, declared: int) -> Path:
    """Rewrite ``member``'s uncompressed size in its local header and the central directory to
    ``declared``: a zip that lies about what it inflates to (not for zip64 members)."""
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo(member).header_offset
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, offset + 22, declared)
    entry = data.find(b"PK\x01\x02")
    while entry >= 0:
        length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46 : entry + 46 + length] == member.encode():
            struct.pack_into("<I", data, entry + 24, declared)
        entry = data.find(b"PK\x01\x02", entry + 46)
    path.write_bytes(bytes(data))
    return path


def many_shared_strings(path: Path, count: int) -> Path:
    """``count`` empty shared strings (13 bytes each inflated): the issue's 20 M made 478 MB."""
    strings = [STRINGS_START, *_repeat("<si><t/></si>", count), STRINGS_END]
    return write_xlsx(path, [SHEET_START, header_row(), SHEET_END], strings, level=1)


def many_rows(path: Path, count: int) -> Path:
    """A header and ``count`` empty rows (the issue's 2 M rows were 1.3 MB)."""
    return write_xlsx(path, [SHEET_START, header_row(), *_repeat("<row/>", count), SHEET_END])


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int, width: int) -> str:
    text = ""
    for _ in range(width):
        number, digit = divmod(number, 36)
        text = _DIGITS[digit] + text
    return text


def rule_rows(count: int, *, rules_per_dictionary: int = 250) -> Iterator[tuple[str, ...]]:
    """``count`` valid rewrite rows, ``rules_per_dictionary`` to a dictionary, 18 bytes each as
    CSV (so 1 M rows are the issue's honest 18-19 MB file)."""
    for i in range(count):
        dictionary, rule = divmod(i, rules_per_dictionary)
        yield (f"d{_base36(dictionary, 3)}", "rewrite", _base36(rule, 2), "r")


def write_csv(path: Path, rows: Iterable[Iterable[str]]) -> Path:
    """A CSV file of the tabular layout's rewrite columns; cells must need no quoting (joined
    directly, 4x faster than csv.writer for a million rows)."""
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write(",".join(HEADER) + "\n")
        file.writelines(",".join(row) + "\n" for row in rows)
    return path


def csv_bytes(rows: Iterable[Iterable[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")

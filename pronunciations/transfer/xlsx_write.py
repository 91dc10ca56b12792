"""An XLSX workbook of one sheet of text cells, written as a stream of bytes in constant memory.

The export writes a million rows: openpyxl's write-only workbook kept memory flat but wrote
the whole sheet to a temporary file and zipped it before the first byte could leave, at about
a third of the CSV export's pace. Here the zip is written as it goes (``zipfile`` on a stream
that cannot seek, so each part ends with a data descriptor) and each row is a few string joins:
every cell an inline string (a shared-strings table would grow with the file), which Excel,
LibreOffice, openpyxl and our own reader (``pronunciations.transfer.xlsx``) all read.
"""

import zipfile
from collections.abc import Iterable, Iterator
from typing import IO
from xml.sax.saxutils import escape

PIECE_BYTES = 256 * 1024  # the stream's pieces: one write each
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>"
)
_SHEET_END = "</sheetData></worksheet>"


class _Pieces:
    """A write-only file the zip writes into; what it holds is taken out as pieces."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = self.offset = 0

    def write(self, data: bytes, /) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:  # zipfile asks where each part starts
        return self.offset

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def column_letters(index: int) -> str:
    """The letters of the 0-based column ``index``: A … Z, AA …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _row_xml(number: int, cells: list[str], letters: list[str]) -> str:
    """One ``<row>``: each non-empty cell an inline string, spaces kept."""
    parts = [f'<row r="{number}">']
    for letter, cell in zip(letters, cells, strict=False):
        if cell:
            parts.append(
                f'<c r="{letter}{number}" t="inlineStr"><is><t xml:space="preserve">'
                f"{escape(cell)}</t></is></c>"
            )
    parts.append("</row>")
    return "".join(parts)


def xlsx_stream(header: list[str], rows: Iterable[list[str]], *, sheet: str) -> Iterator[bytes]:
    """The workbook's bytes in pieces of about PIECE_BYTES: ``header`` then ``rows``, cells
    already free of characters XML cannot hold (``replace_unstorable``)."""
    out = _Pieces()
    archive = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    for name, text in (
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _RELS),
        ("xl/workbook.xml", _WORKBOOK.format(name=escape(sheet, {'"': "&quot;"}))),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
    ):
        archive.writestr(name, text)
    letters = [column_letters(i) for i in range(len(header))]
    part: IO[bytes]
    with archive.open("xl/worksheets/sheet1.xml", "w") as part:
        chunk = [_SHEET_START, _row_xml(1, header, letters)]
        for number, row in enumerate(rows, start=2):
            chunk.append(_row_xml(number, row, letters))
            if len(chunk) >= 512:
                part.write("".join(chunk).encode("utf-8"))
                chunk = []
                if out.size >= PIECE_BYTES:
                    yield out.take()
        chunk.append(_SHEET_END)
        part.write("".join(chunk).encode("utf-8"))
    archive.close()
    yield out.take()

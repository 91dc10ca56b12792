"""The XLSX export is written as a stream in constant memory, and reads back cell for cell."""

import gc
import io
import tracemalloc

import openpyxl

from pronunciations.transfer.limits import Limits
from pronunciations.transfer.xlsx import xlsx_records
from pronunciations.transfer.xlsx_write import column_letters, xlsx_stream

HEADER = ["dictionary", "mode", "match", "replace", "position"]


def _rows(count: int) -> list[list[str]]:
    return [["brand", "rewrite", f" Wörd {i} <&> ", '\'=spoken "x"', str(i)] for i in range(count)]


def _workbook(count: int) -> bytes:
    return b"".join(xlsx_stream(HEADER, iter(_rows(count)), sheet="rules"))


def test_every_cell_reads_back_as_written_spaces_and_markup_included() -> None:
    book = openpyxl.load_workbook(io.BytesIO(_workbook(3)), read_only=True)

    values = [list(row) for row in book["rules"].iter_rows(values_only=True)]

    assert values == [HEADER, *_rows(3)]


def test_our_own_reader_takes_the_export() -> None:
    data = io.BytesIO(_workbook(2))

    records = [list(record) for record in xlsx_records(data, Limits.current())]

    assert records[1:] == _rows(2)
    assert records[0] == HEADER


def test_an_empty_cell_is_left_out_and_columns_past_z_are_lettered() -> None:
    assert [column_letters(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    data = b"".join(xlsx_stream(["a", "b"], iter([["", "x"]]), sheet="rules"))

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)

    assert [list(row) for row in book["rules"].iter_rows(values_only=True)] == [
        ["a", "b"],
        [None, "x"],
    ]


def _peak(count: int) -> int:
    rows = (["brand", "rewrite", f"word{i}", "spoken", str(i)] for i in range(count))
    gc.collect()
    tracemalloc.start()
    try:
        for _piece in xlsx_stream(HEADER, rows, sheet="rules"):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_rows() -> None:
    """Eight times the rows: the peak stays that of a piece or two, not of the file."""
    small, large = _peak(5_000), _peak(40_000)

    assert large < small * 1.5, (small, large)

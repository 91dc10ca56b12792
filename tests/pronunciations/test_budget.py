"""A file's records counted against the caps a few hundred at a time: the same records come
through, and the cap a record passes is refused at that record, with the records before it
handed on first."""

import csv
from collections.abc import Iterator
from dataclasses import replace

import pytest

from pronunciations.transfer.limits import COUNTED, Budget, Limits, UploadTooLarge

LIMITS = Limits(upload_bytes=10**9, inflated_bytes=10**9, rows=1000, cells=4000, columns=5)


def _records(sizes: list[int]) -> list[list[str]]:
    return [["x"] * size for size in sizes]


def _read(budget: Budget, records: list[list[str]]) -> tuple[int, str]:
    """How many records came through before the refusal, and its message ("" for none)."""
    seen = 0
    try:
        for record in budget.counted(records):
            assert record is records[seen]
            seen += 1
    except UploadTooLarge as refused:
        return seen, str(refused)
    return seen, ""


@pytest.mark.parametrize(
    ("sizes", "through", "cap"),
    [
        ([3] * 1001, 1001, ""),  # the header and 1,000 rows
        ([3] * 1002, 1001, "LEXICON_MAX_IMPORT_ROWS"),
        ([3] * 300 + [6] + [3] * 10, 300, "LEXICON_MAX_IMPORT_COLUMNS"),
        ([4] * 1000 + [1], 1000, "LEXICON_MAX_IMPORT_CELLS"),
        ([3] * (COUNTED + 7), COUNTED + 7, ""),
    ],
)
def test_each_cap_is_refused_at_the_record_that_passes_it(
    sizes: list[int], through: int, cap: str
) -> None:
    budget = Budget(LIMITS)

    seen, message = _read(budget, _records(sizes))

    assert (seen, cap in message, bool(message)) == (through, True, bool(cap))
    if not cap:
        assert (budget.rows, budget.cells) == (len(sizes), sum(sizes))


def test_counts_go_on_from_one_read_to_the_next() -> None:
    budget = Budget(LIMITS)
    assert _read(budget, _records([3] * 600)) == (600, "")

    seen, message = _read(budget, _records([3] * 600))

    assert seen == 401
    assert "LEXICON_MAX_IMPORT_ROWS" in message


def _unreadable_after(count: int) -> Iterator[list[str]]:
    yield from _records([3] * count)
    raise csv.Error("line 9: field larger than field limit")


def test_an_unreadable_record_comes_after_the_records_before_it() -> None:
    """The records read ahead of an unreadable one are handed on first, and a cap one of them
    passes is the refusal (not the unreadable record)."""
    within = Budget(LIMITS)
    seen: list[list[str]] = []
    with pytest.raises(csv.Error):
        seen.extend(within.counted(_unreadable_after(5)))
    assert (len(seen), within.rows) == (5, 5)

    capped = Budget(replace(LIMITS, rows=3))
    seen.clear()
    with pytest.raises(UploadTooLarge, match="LEXICON_MAX_IMPORT_ROWS"):
        seen.extend(capped.counted(_unreadable_after(5)))
    assert len(seen) == 4

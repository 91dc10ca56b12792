"""The rows of a dictionary that repeat a match: the quick test for none changes no answer."""

from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from pronunciations.transfer import planrows
from pronunciations.transfer.rows import CHECK_MODE, SourceRow

MATCHES = st.sampled_from(["SLNG", "slng", "S L N G", "s  l n g", "Lexicon", " ", "", "é", "É"])
MODES = st.sampled_from(["rewrite", "ipa", CHECK_MODE, ""])


def _rows(pairs: list[tuple[str, str]]) -> list[SourceRow]:
    return [
        SourceRow(number, "brands", mode, match, "said", None, {})
        for number, (mode, match) in enumerate(pairs, start=2)
    ]


@settings(max_examples=300, deadline=None)
@given(pairs=st.lists(st.tuples(MODES, MATCHES), max_size=12))
def test_the_quick_test_gives_the_row_by_row_answer(pairs: list[tuple[str, str]]) -> None:
    rows = _rows(pairs)
    quick = planrows.duplicate_rows(rows)

    with mock.patch.object(planrows, "_distinct", return_value=False):
        assert quick == planrows.duplicate_rows(rows)


def test_rows_that_differ_only_by_case_and_spaces_are_duplicates() -> None:
    errors = planrows.duplicate_rows(_rows([("rewrite", "SLNG"), ("rewrite", "s l n g".upper())]))
    assert errors == []
    errors = planrows.duplicate_rows(_rows([("rewrite", "S  L N G"), ("rewrite", "s l n g")]))
    assert [(e.row, e.column) for e in errors] == [(3, "match")]

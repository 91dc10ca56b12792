"""Why a check fails, in a linguist's terms: what was expected and what the model gets, compared
word by word (the differing pieces marked), and the rules that fired where they differ.

Pure: it reads the engine's result (``engine.RewriteResult``: the text and every replacement
made, with its span in the output), so the checks editor and the Review page say the same.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from pronunciations.engine import RewriteResult

# Words, runs of spaces, and each other character (punctuation) on its own.
_PIECE = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)

Pieces = list[tuple[str, bool]]  # (text, differs)


@dataclass(frozen=True)
class Explanation:
    """``expected`` and ``got`` as pieces, those that differ marked; ``rules`` the rules
    (``match → replace``) whose replacement lies where ``got`` differs."""

    expected: Pieces
    got: Pieces
    rules: list[str]

    def to_wire(self) -> dict[str, Any]:
        return {
            "expected": [[text, differs] for text, differs in self.expected],
            "got": [[text, differs] for text, differs in self.got],
            "rules": self.rules,
        }


def _pieces(text: str) -> list[str]:
    return _PIECE.findall(text)


def _offsets(pieces: list[str]) -> list[int]:
    """Where each piece starts in the text, and the text's length last."""
    offsets = [0]
    for piece in pieces:
        offsets.append(offsets[-1] + len(piece))
    return offsets


def _touches(start: int, end: int, span: tuple[int, int]) -> bool:
    """Whether a replacement's output [start, end) overlaps the span (a point: touches it)."""
    low, high = span
    if low == high:
        return start <= low <= end
    return start < high and low < end


def explain(expect: str, result: RewriteResult) -> Explanation:
    """Compare ``expect`` with ``result.text`` by word and name the rules that fired where they
    differ (a place where the expected text has words the result lacks counts as a point)."""
    want, got = _pieces(expect), _pieces(result.text)
    at = _offsets(got)
    want_marks, got_marks = [False] * len(want), [False] * len(got)
    spans: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, want, got, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        want_marks[i1:i2] = [True] * (i2 - i1)
        got_marks[j1:j2] = [True] * (j2 - j1)
        spans.append((at[j1], at[j2]))
    rules = []
    for applied in result.applied:
        named = f"{applied.match} → {applied.replace}"
        if named not in rules and any(
            _touches(applied.out_start, applied.out_end, s) for s in spans
        ):
            rules.append(named)
    return Explanation(
        list(zip(want, want_marks, strict=True)), list(zip(got, got_marks, strict=True)), rules
    )


def explain_failures(rewrite: Any, results: list[dict[str, Any]]) -> list[Explanation | None]:
    """Each stored result explained when it failed (None when it passed): ``rewrite(text)`` is
    the engine's result for the rules the results were recorded with."""
    return [
        None
        if result.get("passed")
        else explain(str(result.get("expect", "")), rewrite(result["text"]))
        for result in results
    ]

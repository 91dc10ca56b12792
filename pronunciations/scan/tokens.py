"""Tokens of a text: words and punctuated terms (``C++``, ``.NET``, ``SKU-4471``, ``U.S.``),
with their spans, and what each looks like (case, letters, digits, symbols).

Text is cut at whitespace; each piece loses the punctuation around it (quotes, brackets, a
sentence's full stop) but keeps what belongs to a term: a leading dot before letters
(``.NET``), trailing ``+`` and ``#`` (``C++``, ``50+``, ``C#``), the dots of ``e.g.``. Words
joined by a hyphen or a slash (``follow-up``, ``and/or``) are read as their words; a hyphen or
slash next to a digit keeps the term whole (``SKU-4471``, ``24/7``). Pieces are cached, so a
long text costs one dictionary lookup per word.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

_PIECE = re.compile(r"\S+")
# What may surround a term and is not part of it.
_LEAD = "\"'“”‘’«»([{<*_~,;:!?…—–-"
_TRAIL = "\"'“”‘’«»)]}>*_~,;:!?…—–-."
_DOTTED = re.compile(r"(?:[^\W\d_]\.){2,}")  # e.g. U.S. i.e.
_JOINED = re.compile(r"[-/]")
_SYMBOL_CHARS = frozenset("+#&@%$€£=^|\\<>~*")
_APOSTROPHE_S = re.compile(r"['’]s$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Token:
    """A term and where it is in its turn: [start, end) in code points."""

    text: str
    start: int
    end: int


@lru_cache(maxsize=65536)
def terms(piece: str) -> tuple[tuple[int, str], ...]:
    """The terms in one whitespace-free piece of text, each with its offset in the piece."""
    start, end = 0, len(piece)
    while start < end and piece[start] in _LEAD:
        start += 1
    while start < end and piece[start] == ".":
        start += 1
    kept = piece[start:end]
    if _DOTTED.fullmatch(kept.rstrip(_TRAIL.replace(".", "")) or ""):
        end = start + len(kept.rstrip(_TRAIL.replace(".", "")))
    else:
        while end > start and piece[end - 1] in _TRAIL:
            end -= 1
    if start > 0 and piece[start - 1] == "." and (start < 2 or piece[start - 2] in _LEAD):
        start -= 1  # .NET keeps its dot; "...next" and "end.Next" do not
    term = piece[start:end]
    if not term:
        return ()
    if _JOINED.search(term) and not any(char.isdigit() for char in term):
        return tuple(_split(term, start))
    return ((start, term),)


def _split(term: str, offset: int) -> Iterator[tuple[int, str]]:
    at = 0
    for part in _JOINED.split(term):
        if part.strip(".'’"):
            yield offset + at, part
        at += len(part) + 1


def tokens(turn: str) -> Iterator[Token]:
    """Every term of a turn, in order."""
    for piece in _PIECE.finditer(turn):
        base = piece.start()
        for offset, term in terms(piece.group()):
            yield Token(term, base + offset, base + offset + len(term))


@lru_cache(maxsize=65536)
def word_key(term: str) -> str | None:
    """A plain word's lookup form (lower case, ``'s`` dropped), or None for anything else
    (digits, symbols, dots, a mix of scripts)."""
    bare = _APOSTROPHE_S.sub("", term).replace("’", "'")
    letters = bare.replace("'", "")
    if not letters.isalpha():
        return None
    return bare.lower()


def has_symbol(term: str) -> bool:
    """``C++``, ``C#``, ``AT&T``, ``50+``, ``.NET``: characters a voice reads its own way."""
    if term.startswith(".") and len(term) > 1 and term[1].isalpha():
        return True
    return any(char in _SYMBOL_CHARS for char in term)


def letters_and_digits(term: str) -> bool:
    return any(char.isdigit() for char in term) and any(char.isalpha() for char in term)


def is_acronym(term: str) -> bool:
    """All capitals (``SKU``, ``NASA``, ``U.S.``): two to eight letters, nothing else."""
    letters = term.replace(".", "")
    return (
        not term.startswith(".")
        and 2 <= len(letters) <= 8
        and letters.isalpha()
        and letters.isupper()
    )


def is_case_mix(term: str) -> bool:
    """A brand-like mix of case: a capital after a small letter (``QubePay``, ``iPhone``,
    ``SaaS``), not a plain capitalized word or an acronym."""
    letters = term.replace("'", "").replace("’", "")
    if not letters.isalpha() or letters.isupper() or letters.islower():
        return False
    return any(a.islower() and b.isupper() for a, b in zip(letters, letters[1:], strict=False))


def is_punctuated(term: str) -> bool:
    """A term with characters between its letters that a streaming client may cut at."""
    return any(not (char.isalnum() or char in "'’") for char in term)

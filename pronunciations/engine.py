"""Rewrite engine: apply a dictionary's rewrite rules to text the way SLNG does, in linear time."""

import re
import threading
import unicodedata
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

CACHE_SIZE = 512

# Trie edge standing for "one or more whitespace characters"; rule keys never hold other whitespace.
_SPACE = " "

# Code-point blocks of scripts written without spaces between words: Thai, Lao, Myanmar, Khmer,
# Hiragana, Katakana and Han (CJK ideographs, iteration marks, compatibility forms, planes 2-3).
# Only word characters count (see _char_class), so block punctuation stays a plain boundary.
_NO_SPACE_BLOCKS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer Symbols
    (0x3000, 0x30FF),  # CJK Symbols and Punctuation (々 〆 〇), Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana Phonetic Extensions
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xA9E0, 0xA9FF),  # Myanmar Extended-B
    (0xAA60, 0xAA7F),  # Myanmar Extended-A
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF66, 0xFF9F),  # Halfwidth Katakana
    (0x1AFF0, 0x1B16F),  # Kana Extended-B, Kana Supplement, Kana Extended-A, Small Kana Extension
    (0x20000, 0x3FFFF),  # CJK Unified Ideographs Extensions B-H, Compatibility Supplement
)
_NO_SPACE_STARTS = tuple(first for first, _ in _NO_SPACE_BLOCKS)
_NO_SPACE_SET = "".join(
    f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in _NO_SPACE_BLOCKS
)

# Positions where a match may start, and some more: re's \w is exactly our word characters minus
# combining marks (checked over all of Unicode 14), so "(?<!\w)" keeps every position after a
# non-word character. Finding them in C instead of visiting every position makes the 100 KiB bench
# text about 3x faster; a text with no no-space-script character skips the two extra lookarounds,
# about 1.15x faster again (bench/engine.py texts, measured against those two variants).
_NO_SPACE_CHAR = re.compile(f"[{_NO_SPACE_SET}]")
_AFTER_NON_WORD = re.compile(r"(?<!\w)")
_MAY_START = re.compile(rf"(?<!\w)|(?<=[{_NO_SPACE_SET}])|(?=[{_NO_SPACE_SET}])")

_BOUNDARY, _WORD, _NO_SPACE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Rule:
    """One rewrite rule: text matching `match` is replaced by `replace`, inserted verbatim."""

    match: str
    replace: str


@dataclass(frozen=True, slots=True)
class Applied:
    """One replacement made: the rule's position in the list, its span in the input and output.

    Spans are Python string indices (code points), end exclusive.
    """

    index: int
    match: str
    replace: str
    start: int
    end: int
    out_start: int
    out_end: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A rule whose match the text holds at [start, end), whether or not it was applied there.

    ``left_ok`` / ``right_ok`` say whether a word boundary is on that side (see _left_ok).
    """

    index: int
    start: int
    end: int
    left_ok: bool
    right_ok: bool


@dataclass(frozen=True, slots=True)
class RewriteResult:
    """The rewritten text and every replacement made, in text order."""

    text: str
    applied: tuple[Applied, ...]


class _Node:
    """A trie node: children keyed by one case-folded character (or _SPACE), rule ending here."""

    __slots__ = ("children", "rule", "space")

    def __init__(self, *, space: bool = False) -> None:
        self.children: dict[str, _Node] = {}
        self.rule = -1
        self.space = space


@lru_cache(maxsize=8192)
def _char_class(char: str) -> int:
    """Classify a character: boundary, word character, or word character of a no-space script."""
    if char != "_" and unicodedata.category(char)[0] not in "LMN":
        return _BOUNDARY
    point = ord(char)
    block = bisect_right(_NO_SPACE_STARTS, point) - 1
    if block >= 0 and point <= _NO_SPACE_BLOCKS[block][1]:
        return _NO_SPACE
    return _WORD


def _left_ok(text: str, start: int) -> bool:
    """True when a match may begin at `start`: no word character glued to its left edge."""
    if start == 0 or _char_class(text[start - 1]) != _WORD:
        return True
    return _char_class(text[start]) == _NO_SPACE


def _right_ok(text: str, end: int) -> bool:
    """True when a match may end at `end`: no word character glued to its right edge."""
    if end == len(text) or _char_class(text[end]) != _WORD:
        return True
    return _char_class(text[end - 1]) == _NO_SPACE


def rule_key(match: str) -> str:
    """Return the form a rule's match is compared in: whitespace runs as one space, case-folded.

    Two rules with the same key are the same rule to the engine (the first one in the list wins).
    An empty key (blank match) never matches.
    """
    return " ".join(match.split()).casefold()


def _fold(text: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """Case-fold `text`; map folded positions to input indices (-1 inside a character) and back.

    Case folding is context-free, so the folded text is the concatenation of each character's
    folding; when no character expands (the common case) both maps are the identity.
    """
    folded = text.casefold()
    if len(folded) == len(text):
        return folded, range(len(text) + 1), range(len(text) + 1)
    positions: list[int] = []
    starts: list[int] = []
    for index, char in enumerate(text):
        starts.append(len(positions))
        positions.append(index)
        positions.extend([-1] * (len(char.casefold()) - 1))
    positions.append(len(text))
    starts.append(len(folded))
    return folded, positions, starts


def _may_start(text: str) -> Iterator[re.Match[str]]:
    """Find the positions where a match may start (a superset: each is checked again)."""
    pattern = _MAY_START if _NO_SPACE_CHAR.search(text) else _AFTER_NON_WORD
    return pattern.finditer(text)


def _skip_space(folded: str, pos: int) -> int:
    """Return the position just past the whitespace run starting at `pos`."""
    while pos < len(folded) and folded[pos].isspace():
        pos += 1
    return pos


class Matcher:
    """A compiled rule list: rewrites text in time linear in its length, whatever the rule count."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        """Compile `rules` into a trie of case-folded characters, in time linear in their length."""
        self._rules = tuple(rules)
        self._root = _Node()
        for index, rule in enumerate(self._rules):
            self._insert(rule_key(rule.match), index)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self._rules

    def _insert(self, key: str, index: int) -> None:
        if not key:
            return
        node = self._root
        for char in key:
            child = node.children.get(char)
            if child is None:
                child = node.children[char] = _Node(space=char == _SPACE)
            node = child
        if node.rule < 0:  # same key twice: the first rule in list order wins
            node.rule = index

    def rewrite(self, text: str) -> RewriteResult:
        """Apply the rules to `text`: left to right, longest whole-word match, never re-scanned."""
        folded, positions, starts = _fold(text)
        first_chars = self._root.children
        pieces: list[str] = []
        applied: list[Applied] = []
        copied = out_len = 0
        for candidate in _may_start(text):
            start = candidate.start()
            if start < copied or start == len(text) or folded[starts[start]] not in first_chars:
                continue
            hit = self._match_at(text, folded, positions, starts[start])
            if hit is None:
                continue
            index, end = hit
            rule = self._rules[index]
            pieces += (text[copied:start], rule.replace)
            out_start = out_len + start - copied
            out_len = out_start + len(rule.replace)
            applied.append(Applied(index, rule.match, rule.replace, start, end, out_start, out_len))
            copied = end
        pieces.append(text[copied:])
        return RewriteResult("".join(pieces), tuple(applied))

    def candidates(self, text: str, *, limit: int) -> list[Candidate]:
        """Every place a rule's match occurs in ``text``, on word boundaries or not: at most
        ``limit``, by start then length. Explains a rewrite (which rules lost, and why); it
        tries every position, in time ``len(text)`` times the longest match.
        """
        folded, positions, starts = _fold(text)
        first_chars = self._root.children
        found: list[Candidate] = []
        for start in range(len(text)):
            if folded[starts[start]] not in first_chars:
                continue
            for index, stop in self._ends_at(folded, positions, starts[start]):
                end = positions[stop]
                found.append(
                    Candidate(index, start, end, _left_ok(text, start), _right_ok(text, end))
                )
                if len(found) >= limit:
                    return found
        return found

    def _match_at(
        self, text: str, folded: str, positions: Sequence[int], pos: int
    ) -> tuple[int, int] | None:
        """Return (rule index, input end) of the longest rule matching on boundaries at `pos`."""
        if not _left_ok(text, positions[pos]):
            return None
        for index, stop in reversed(self._ends_at(folded, positions, pos)):
            if _right_ok(text, positions[stop]):
                return index, positions[stop]
        return None

    def _ends_at(self, folded: str, positions: Sequence[int], pos: int) -> list[tuple[int, int]]:
        """Walk the trie from `pos`; return every (rule index, folded end), shortest first.

        A rule may only end on a whole input character, never inside one that folds to several.
        """
        node, ends = self._root, []
        while pos < len(folded) and node.children:
            char = folded[pos]
            child = node.children.get(char)
            if child is None:
                child = node.children.get(_SPACE) if char.isspace() else None
                if child is None:
                    break
            node = child
            pos = _skip_space(folded, pos) if node.space else pos + 1
            if node.rule >= 0 and positions[pos] >= 0:
                ends.append((node.rule, pos))
        return ends


_cache: OrderedDict[str, Matcher] = OrderedDict()
_cache_lock = threading.Lock()


def matcher_cached(content_key: str) -> Matcher | None:
    """The compiled Matcher stored for ``content_key``, if any (callers then skip reading rules)."""
    with _cache_lock:
        matcher = _cache.get(content_key)
        if matcher is not None:
            _cache.move_to_end(content_key)
        return matcher


def matcher_for(content_key: str, rules: Sequence[Rule]) -> Matcher:
    """Return the compiled Matcher for a dictionary, cached by its content hash (LRU, thread-safe).

    `content_key` must identify `rules` exactly (the dictionary's content hash): on a hit the
    rules passed are ignored. Compiling happens outside the lock; if two threads miss at once,
    both get the Matcher stored first.
    """
    matcher = matcher_cached(content_key)
    if matcher is not None:
        return matcher
    built = Matcher(rules)
    with _cache_lock:
        matcher = _cache.setdefault(content_key, built)
        _cache.move_to_end(content_key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return matcher

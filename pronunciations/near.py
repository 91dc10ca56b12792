"""Near spellings: rules whose match is written almost like a part of a text.

"Almost" means equal once case, spaces, hyphens, underscores and dots are ignored (*Qube Pay*,
*qube-pay* and *QubePay* share the key ``qubepay``), or a few letters apart on those keys: a
small optimal-string-alignment distance (an insertion, a deletion, a substitution or two
neighbours swapped each count one), scaled by length. The work is bounded: the text gives at
most MAX_SPANS distinct keys (runs of one to MAX_WORDS words), and each is compared only with
the rule keys whose length is within its allowed distance.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import process
from rapidfuzz.distance import OSA

T = TypeVar("T")

MAX_WORDS = 3  # a typed run of words compared with rule matches
MAX_SPANS = 300  # distinct keys taken from one text
MAX_FOUND = 20  # near rules listed at most
_IGNORED = re.compile(r"[\s\-\u2010-\u2015_.·]+")
_WORD = re.compile(r"[^\s\"“”«»()\[\]{},;:!?]+")


def spelling_key(text: str) -> str:
    """The text without case, spaces, hyphens, underscores and dots."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


def allowed_distance(length: int) -> int:
    """How many letters two keys of this (shorter) length may differ by and still be near."""
    return 0 if length < 5 else 1 if length < 10 else 2


@dataclass(frozen=True)
class Near(Generic[T]):
    """A rule written almost like ``typed``: ``distance`` letters apart once case, spaces and
    hyphens are ignored (0: only those differ)."""

    item: T
    typed: str
    distance: int


def spans(text: str) -> dict[str, str]:
    """Key → the text as typed, for every run of one to MAX_WORDS words (first MAX_SPANS)."""
    words = list(_WORD.finditer(text))
    found: dict[str, str] = {}
    for start in range(len(words)):
        for end in range(start, min(start + MAX_WORDS, len(words))):
            typed = text[words[start].start() : words[end].end()]
            key = spelling_key(typed)
            if len(key) >= 2:
                found.setdefault(key, typed)
            if len(found) >= MAX_SPANS:
                return found
    return found


class NearIndex(Generic[T]):
    """Rules (any items) by the key of their match, looked up by near spelling."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self._all: list[T] = []
        self._items: dict[str, list[int]] = defaultdict(list)
        for match, item in entries:
            if key := spelling_key(match):
                self._items[key].append(len(self._all))
                self._all.append(item)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for key in self._items:
            self._by_length[len(key)].append(key)

    def _keys_near(self, key: str) -> Iterator[tuple[str, int]]:
        reach = allowed_distance(len(key))
        lengths = range(len(key) - reach, len(key) + reach + 1)
        choices = [choice for length in lengths for choice in self._by_length.get(length, ())]
        for choice, distance, _ in process.extract(
            key, choices, scorer=OSA.distance, score_cutoff=reach, limit=None
        ):
            if distance <= allowed_distance(min(len(key), len(choice))):
                yield choice, int(distance)

    def near(self, text: str, found_keys: frozenset[str] = frozenset()) -> list[Near[T]]:
        """The items whose match is near a run of words of ``text``, nearest first, each once.
        A run whose key is in ``found_keys`` (a rule matched it as typed) is offered only rules
        that differ from it by case, spaces or hyphens: its other neighbours are noise."""
        found: dict[int, Near[T]] = {}
        for key, typed in spans(text).items():
            for choice, distance in self._keys_near(key):
                if distance and key in found_keys:
                    continue
                for index in self._items[choice]:
                    seen = found.get(index)
                    if seen is None or distance < seen.distance:
                        found[index] = Near(self._all[index], typed, distance)
        ranked = sorted(found.items(), key=lambda pair: (pair[1].distance, pair[0]))
        return [near for _, near in ranked[:MAX_FOUND]]

"""Heteronyms: words written alike with two readings (``read``, ``live``, ``lead``, ``wind``).

The list (``data/heteronyms-<language>.json``) holds facts any dictionary gives: each reading's
IPA, a respelling a rewrite rule can use, its sense, a check sentence, and the words that
usually come before or after it in that sense. The idea of a curated, sense-keyed list follows
published ones (misaki's part-of-speech-keyed entries, NeMo's heteronym list); this one is our
own and small. A reading is guessed from the neighbouring words only, so it is a hint.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Reading:
    ipa: str
    say: str
    sense: str
    check: str
    before: frozenset[str]
    after: frozenset[str]


@lru_cache(maxsize=8)
def heteronyms(language: str) -> dict[str, tuple[Reading, ...]]:
    """The heteronyms of a language (its base tag: "en" for "en-GB"); empty when none are
    listed."""
    path = DATA / f"heteronyms-{language.split('-')[0].lower()}.json"
    if not path.is_file():
        return {}
    words = json.loads(path.read_text(encoding="utf-8"))["words"]
    return {
        word: tuple(
            Reading(
                r["ipa"],
                r["say"],
                r["sense"],
                r["check"],
                frozenset(r["before"]),
                frozenset(r["after"]),
            )
            for r in entry["readings"]
        )
        for word, entry in words.items()
    }


def reading_of(readings: tuple[Reading, ...], before: str, after: str) -> int | None:
    """The reading the neighbouring words point to (index), or None when they say nothing or
    point both ways."""
    hits = {
        index
        for index, reading in enumerate(readings)
        if before in reading.before or after in reading.after
    }
    return hits.pop() if len(hits) == 1 else None

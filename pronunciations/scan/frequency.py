"""How common a word is: wordfreq's Zipf scale (log10 of uses per billion words; "the" is
7.7, "refund" 3.9, a brand name 0), from its frequency table, which ships in its wheel."""

import math
from collections.abc import Callable
from functools import lru_cache


@lru_cache(maxsize=8)
def _table(language: str) -> dict[str, float] | None:
    # Imported on the first scan: with its dependencies it is about a fifth of the start-up
    # of every process (manage.py, web server, worker), which mostly never scans.
    import wordfreq

    if language not in wordfreq.available_languages(wordlist="best"):
        return None
    return dict(wordfreq.get_frequency_dict(language, wordlist="best"))


def zipf_for(language: str) -> Callable[[str], float] | None:
    """A lookup of a lower-case word's Zipf frequency in ``language`` (a BCP 47 tag; its base
    language is used), or None when wordfreq has no table for it."""
    table = _table(language.split("-")[0].lower())
    if table is None:
        return None

    def zipf(word: str) -> float:
        found = table.get(word)
        if found is None and "'" in word:
            found = table.get(word.split("'")[0])
        return math.log10(found * 1e9) if found else 0.0

    return zipf

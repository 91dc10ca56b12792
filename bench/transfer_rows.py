"""The transfer benchmark's file: the same pseudo-words every run, as rows and as CSV bytes.

Imported by ``bench/transfer.py`` after Django is set up (``match_key`` is the engine's own).
"""

import csv
import io
import random
from collections.abc import Iterable, Sequence

from pronunciations.validation import match_key

SEED = 20250726
HEADER = ("dictionary", "mode", "match", "replace", "position")
DOMAINS = ("brands", "pharma", "places", "people", "products", "finance", "Sports", "Media")
SYLLABLES: tuple[str, ...] = ("ka", "lo", "ve", "mi", "tor", "zan", "bel", "ri", "qua", "nos")
SYLLABLES += ("dex", "fi", "gar", "lu", "pen", "sto", "vik", "ya", "rho", "tel", "cam", "dor")
ACCENTS = {"a": "å", "e": "é", "i": "ï", "o": "ö", "u": "ü", "n": "ñ", "c": "ç"}

Row = tuple[str, str, str, str, str]


def make_word(rng: random.Random) -> tuple[str, str]:
    """A capitalized pseudo-word and its respelling; about one in eight carries an accent."""
    parts = rng.choices(SYLLABLES, k=rng.randint(2, 4))
    stress = rng.randrange(len(parts))
    spoken = "-".join(part.upper() if i == stress else part for i, part in enumerate(parts))
    word = "".join(parts)
    if rng.random() < 0.125:
        at = rng.choice([i for i, letter in enumerate(word) if letter in ACCENTS] or [0])
        word = word[:at] + ACCENTS.get(word[at], word[at]) + word[at + 1 :]
    return word.capitalize(), spoken


def make_rules(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``count`` rules of one or two words whose matches are distinct as the engine compares."""
    rules: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(rules) < count:
        words = [make_word(rng) for _ in range(1 if rng.random() < 0.7 else 2)]
        match = " ".join(word for word, _ in words)
        if match_key(match) in seen:
            continue
        seen.add(match_key(match))
        separator = ", " if rng.random() < 0.05 else " "  # a few cells need CSV quoting
        rules.append((match, separator.join(spoken for _, spoken in words)))
    return rules


def make_rows(dictionaries: int, rules: int) -> list[Row]:
    """The same rows every run: ``rules`` rewrite rules for each of ``dictionaries``."""
    rng = random.Random(SEED)
    rows: list[Row] = []
    for i in range(dictionaries):
        name = f"{DOMAINS[i % len(DOMAINS)]}-{i:04d}"
        pairs = make_rules(rng, rules)
        rows += [(name, "rewrite", m, v, str(p)) for p, (m, v) in enumerate(pairs)]
    return rows


def csv_bytes(rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")

"""The words and terms at risk in a scan's texts: why each is at risk, how often, where.

Structural reasons are read off the term itself (case, digits, symbols, the heteronym list);
the lexical one needs two sources: a word that is rare (wordfreq's Zipf frequency under
RARE_ZIPF) *and* unknown to espeak-ng's lexicon (read by letter-to-sound rules). Common words
are never findings, whatever espeak-ng says ("world" is read by rules and comes out right).
espeak-ng is asked once per scan, for the rare words only; without it, rare alone counts and
the report says so.
"""

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from pronunciations.engine import rule_key
from pronunciations.scan import tokens as tk
from pronunciations.scan.heteronyms import Reading, heteronyms, reading_of

UNKNOWN, RARE, ACRONYM, ALNUM = "unknown", "rare", "acronym", "letters_digits"
CASE_MIX, SYMBOLS, HETERONYM, SPLIT = "case_mix", "symbols", "heteronym", "split"
REASONS = (CASE_MIX, SYMBOLS, ALNUM, UNKNOWN, RARE, ACRONYM, HETERONYM, SPLIT)
# How much each reason puts a finding at risk: brands and symbols first, heteronyms after.
WEIGHTS = {
    CASE_MIX: 50,
    SYMBOLS: 45,
    ALNUM: 40,
    UNKNOWN: 40,
    RARE: 35,
    ACRONYM: 30,
    HETERONYM: 20,
    SPLIT: 0,
}
RARE_ZIPF = 2.5  # "sku" is 2.45, "reschedule" 2.92: below this a word is rare
COMPOUND_ZIPF = 3.5  # both halves of a compound at least this common ("boarding" is 3.6)
SHOUTED_ZIPF = 4.5
MAX_OCCURRENCES = 200
MAX_VERDICTS = 200_000  # terms remembered per scan  # kept per finding, for coverage and examples
MAX_EXAMPLES = 3
CONTEXT = 40
_PIECE = re.compile(r"\S+")
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Occurrence:
    turn: int
    start: int
    end: int
    before: str = ""  # the neighbouring words, lower case (heteronyms)
    after: str = ""


@dataclass
class Finding:
    """One term at risk (all its spellings, compared as rules compare matches)."""

    key: str
    reasons: set[str]
    count: int = 0
    spellings: Counter[str] = field(default_factory=Counter)
    occurrences: list[Occurrence] = field(default_factory=list)
    readings: tuple[Reading, ...] = ()

    @property
    def text(self) -> str:
        return self.spellings.most_common(1)[0][0]

    @property
    def score(self) -> float:
        strongest = max((WEIGHTS[reason] for reason in self.reasons), default=0)
        return strongest + 3 * (len(self.reasons) - 1) + math.log2(1 + self.count)


@lru_cache(maxsize=65536)
def structural_reasons(term: str, language: str) -> frozenset[str]:
    """What the term's form says (the lexical reasons are added later)."""
    reasons = set()
    if tk.has_symbol(term) or ("/" in term and any(c.isdigit() for c in term)):
        reasons.add(SYMBOLS)
    if tk.letters_and_digits(term):
        reasons.add(ALNUM)
    if tk.is_acronym(term):
        reasons.add(ACRONYM)
    elif tk.is_case_mix(term):
        reasons.add(CASE_MIX)
    word = tk.word_key(term)
    if word is not None and not term.isupper() and word in heteronyms(language):
        reasons.add(HETERONYM)
    if reasons - {HETERONYM} and tk.is_punctuated(term):
        reasons.add(SPLIT)
    return frozenset(reasons)


def _shouting(turn: str) -> bool:
    """A turn written in capitals: its all-capital words are not acronyms."""
    letters = [char for char in turn[:2000] if char.isalpha()]
    return len(letters) > 20 and sum(char.isupper() for char in letters) > 0.6 * len(letters)


class Collector:
    """Gathers candidate terms over the turns; ``rare_words`` still await espeak-ng."""

    def __init__(self, language: str, frequency: Callable[[str], float]) -> None:
        self.language = language
        self.frequency = frequency
        self.found: dict[str, Finding] = {}
        self.rare_words: dict[str, set[str]] = {}  # word → finding keys that are rare words
        self.words = 0
        self._zipf: dict[str, float] = {}
        self._verdicts: dict[str, tuple[frozenset[str], str | None] | None] = {}

    def _zipf_of(self, word: str) -> float:
        zipf = self._zipf.get(word)
        if zipf is None:
            zipf = self._zipf[word] = self.frequency(word)
        return zipf

    def _shouted(self, found: Sequence[tuple[int, str]], position: int) -> bool:
        """A common word in capitals next to another one ("PLEASE NOTE"): emphasis, not an
        acronym ("REST API" stays: "api" is not that common)."""

        def common_capitals(at: int) -> bool:
            if not 0 <= at < len(found) or not tk.is_acronym(found[at][1]):
                return False
            return self._zipf_of(found[at][1].lower()) >= SHOUTED_ZIPF

        neighbours = common_capitals(position - 1) or common_capitals(position + 1)
        return common_capitals(position) and neighbours

    def _rare(self, word: str) -> bool:
        """Rare, and not a compound of two common words ("onboarding", "checkout"), which a
        voice reads part by part."""
        if len(word) <= 2 or self._zipf_of(word) >= RARE_ZIPF:
            return False
        return not any(
            self._zipf_of(word[:cut]) >= COMPOUND_ZIPF
            and self._zipf_of(word[cut:]) >= COMPOUND_ZIPF
            for cut in range(2, len(word) - 2)
        )

    def _verdict(self, term: str) -> tuple[frozenset[str], str | None] | None:
        """A term's structural reasons and, if it is a rare word, that word; None for a term
        that is neither (most of them). Cached per term: a long text repeats its words."""
        if term in self._verdicts:
            return self._verdicts[term]
        reasons = structural_reasons(term, self.language)
        word = tk.word_key(term)
        rare = word if word is not None and self._rare(word) else None
        verdict = (reasons, rare) if reasons or rare else None
        if len(self._verdicts) < MAX_VERDICTS:
            self._verdicts[term] = verdict
        return verdict

    def add_turn(self, index: int, turn: str) -> None:
        found = [
            (piece.start() + offset, term)
            for piece in _PIECE.finditer(turn)
            for offset, term in tk.terms(piece.group())
        ]
        self.words += len(found)
        shouting = None
        for position, (_, term) in enumerate(found):
            verdict = self._verdict(term)
            if verdict is None:
                continue
            reasons, rare_word = verdict
            if reasons == {ACRONYM}:
                shouting = _shouting(turn) if shouting is None else shouting
                if shouting or self._shouted(found, position):
                    continue
            self._add(index, found, position, reasons, rare_word)

    def _add(
        self,
        turn: int,
        found: Sequence[tuple[int, str]],
        position: int,
        reasons: frozenset[str],
        rare_word: str | None,
    ) -> None:
        start, text = found[position]
        key = rule_key(text)
        finding = self.found.get(key)
        if finding is None:
            finding = self.found[key] = Finding(key, set(reasons))
            if HETERONYM in reasons:
                finding.readings = heteronyms(self.language)[tk.word_key(text) or ""]
        finding.reasons |= reasons
        if rare_word is not None:
            self.rare_words.setdefault(rare_word, set()).add(key)
        finding.count += 1
        finding.spellings[text] += 1
        if len(finding.occurrences) < MAX_OCCURRENCES:
            before = found[position - 1][1].lower() if position else ""
            after = found[position + 1][1].lower() if position + 1 < len(found) else ""
            finding.occurrences.append(Occurrence(turn, start, start + len(text), before, after))

    def settle(self, known: dict[str, bool] | None) -> list[Finding]:
        """Add the lexical reasons (``known``: espeak-ng's answers; None when it could not
        answer, so rare alone counts) and drop the rare words it knows; ranked."""
        for word, keys in self.rare_words.items():
            for key in keys:
                finding = self.found[key]
                answer = None if known is None else known.get(word)
                if answer is None:  # espeak-ng could not say (missing, or past its batch)
                    finding.reasons.add(RARE)
                elif answer is False:
                    finding.reasons |= {RARE, UNKNOWN}
        kept = [finding for finding in self.found.values() if finding.reasons]
        return sorted(kept, key=lambda f: (-f.score, -f.count, f.key))


def examples(finding: Finding, turns: Sequence[str]) -> list[tuple[str, str, str]]:
    """Up to MAX_EXAMPLES places the finding occurs (before, term, after), from different
    turns when it can."""
    chosen: list[Occurrence] = []
    seen: set[int] = set()
    for occurrence in finding.occurrences:
        if occurrence.turn not in seen:
            chosen.append(occurrence)
            seen.add(occurrence.turn)
        if len(chosen) == MAX_EXAMPLES:
            break
    for occurrence in finding.occurrences:
        if len(chosen) == MAX_EXAMPLES:
            break
        if occurrence not in chosen:
            chosen.append(occurrence)
    return [snippet(turns[o.turn], o.start, o.end) for o in chosen]


def snippet(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The text around [start, end) on one line: what comes before, the span, what after."""
    before = text[max(start - CONTEXT, 0) : start]
    after = text[end : end + CONTEXT]
    return (
        ("…" if start > CONTEXT else "") + " ".join(before.splitlines()),
        text[start:end],
        " ".join(after.splitlines()) + ("…" if end + CONTEXT < len(text) else ""),
    )


def heteronym_senses(finding: Finding) -> list[tuple[int, Occurrence]]:
    """Each occurrence of a heteronym whose neighbours point to one reading, with its index."""
    senses = []
    for occurrence in finding.occurrences:
        index = reading_of(finding.readings, occurrence.before, occurrence.after)
        if index is not None:
            senses.append((index, occurrence))
    return senses


def collect(
    turns: Iterable[str],
    language: str,
    frequency: Callable[[str], float],
    progress: Progress | None = None,
    total: int = 0,
) -> Collector:
    """Read every turn into a Collector (progress by turn, every 1,000 turns)."""
    collector = Collector(language, frequency)
    for index, turn in enumerate(turns):
        collector.add_turn(index, turn)
        if progress is not None and index % 1000 == 999:
            progress("read", index + 1, total)
    return collector

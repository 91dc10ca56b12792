"""Amazon Polly: PLS lexicons within Polly's limits (docs/vendors.md has each limit's source).

Each dictionary becomes as many lexicons as its rules need at 4,000 characters a lexicon, named
as PutLexicon takes them (``[0-9A-Za-z]{1,20}``, unique in the export); an alias or phoneme over
100 characters is not carried. SynthesizeSpeech applies at most 5 lexicons, an account stores
at most 100: the report says when an export needs more.
"""

import re
from collections.abc import Iterable, Iterator

from pronunciations.transfer import alphabets
from pronunciations.transfer.formats import CONTENT_TYPES
from pronunciations.transfer.pls import NO_LANGUAGE, Lexeme
from pronunciations.transfer.vendors.common import (
    Entry,
    ExportFile,
    ExportReport,
    Packable,
    case_variants,
    in_alphabet,
    pack,
    pairs,
    rule_label,
)

LEXICON_CHARACTERS = 4000
VALUE_CHARACTERS = 100
NAME_LENGTH = 20
LEXICONS_PER_REQUEST = 5
LEXICONS_PER_ACCOUNT = 100
NAME_PATTERN = re.compile(f"[0-9A-Za-z]{{1,{NAME_LENGTH}}}")
_NOT_NAME = re.compile("[^0-9A-Za-z]")


class Names:
    """Lexicon names Polly accepts, unique in the export (compared case-insensitively)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, dictionary: str, parts: int) -> list[str]:
        base = _NOT_NAME.sub("", dictionary) or "lexicon"
        width = len(str(parts)) if parts > 1 else 0
        return [self._free(base, width, part) for part in range(1, parts + 1)]

    def _free(self, base: str, width: int, part: int) -> str:
        suffix = str(part).zfill(width) if width else ""
        name = base[: NAME_LENGTH - len(suffix)] + suffix
        extra = 1
        while name.lower() in self.used:  # another dictionary took it: add a number
            extra += 1
            tail = f"{suffix}x{extra}"
            name = base[: NAME_LENGTH - len(tail)] + tail
        self.used.add(name.lower())
        return name


def _lexemes(entry: Entry, report: ExportReport, alphabet: str) -> Iterator[Packable]:
    for pair in pairs(entry):
        alias = pair.alias
        phoneme, written_in = in_alphabet(entry, pair, alphabet, report)
        if alias is not None and len(alias) > VALUE_CHARACTERS:
            report.lose(
                f"its alias is longer than Polly's {VALUE_CHARACTERS} characters",
                report.example(entry, rule_label(pair, alias)),
            )
            alias = None
        if phoneme is not None and len(phoneme) > VALUE_CHARACTERS:
            report.lose(
                f"its phoneme is longer than Polly's {VALUE_CHARACTERS} characters",
                report.example(entry, rule_label(pair, phoneme)),
            )
            phoneme = None
        if alias is None and phoneme is None:
            continue
        if alias is not None and phoneme is not None:
            report.note(
                "Matches with an alias and an IPA phoneme are written in one lexeme; SLNG "
                "speaks the alias (IPA is stored only), which one Polly uses is not documented",
                report.example(entry, rule_label(pair)),
            )
        carried = (alias is not None) + (phoneme is not None)
        label = report.example(entry, rule_label(pair))
        lexeme = Lexeme(case_variants(pair.match), alias, phoneme, written_in if phoneme else "")
        yield Packable(lexeme, carried, label)


def export_xsampa(entries: Iterable[Entry], report: ExportReport) -> Iterator[ExportFile]:
    """As ``export``, each phoneme written in X-SAMPA (``alphabet="x-sampa"``), which Polly's
    ``phoneme`` documentation names beside IPA."""
    return export(entries, report, alphabet=alphabets.XSAMPA)


def export(
    entries: Iterable[Entry], report: ExportReport, alphabet: str = ""
) -> Iterator[ExportFile]:
    """Every dictionary's lexicons, in order; the report gets what was not carried. With
    ``alphabet``, phonemes are converted from IPA (``transfer.alphabets``)."""
    names, total = Names(), 0
    for entry in entries:
        if entry.language is None:
            report.limit(
                "Dictionaries without a language (metadata.language): their lexicons say "
                f'xml:lang="{NO_LANGUAGE}", which Polly refuses; set the voice\'s language (such '
                "as en-US) and export again",
                entry.name,
            )
        documents = pack(
            _lexemes(entry, report, alphabet),
            language=entry.language or NO_LANGUAGE,
            limit=LEXICON_CHARACTERS,
            size=len,
            report=report,
            container=f"a lexicon of {LEXICON_CHARACTERS} characters",
        )
        if not documents:
            report.limit("Dictionaries with no rule Polly can carry: no lexicon", entry.name)
            continue
        if len(documents) > LEXICONS_PER_REQUEST:
            report.limit(
                f"Dictionaries that need more lexicons of at most {LEXICON_CHARACTERS} "
                f"characters than the {LEXICONS_PER_REQUEST} one SynthesizeSpeech request "
                "applies",
                f"{entry.name} ({len(documents)} lexicons)",
            )
        total += len(documents)
        for name, (document, rules) in zip(
            names.take(entry.name, len(documents)), documents, strict=True
        ):
            yield ExportFile(f"{name}.pls", document.encode("utf-8"), CONTENT_TYPES["pls"], rules)
    if total > LEXICONS_PER_ACCOUNT:
        report.limit(
            f"The export has {total} lexicons; Polly stores at most {LEXICONS_PER_ACCOUNT} "
            "an account in a Region"
        )
    _notes(report)


def _notes(report: ExportReport) -> None:
    report.note(
        "Polly matches graphemes as written, case included (SLNG ignores case): each rule is "
        "written in the casings as stored, lower, Sentence, Title and UPPER case; other mixes "
        "of case will not match"
    )
    report.note(
        "Polly uses the first lexicon listed in LexiconNames that has a grapheme; each grapheme "
        "is in one lexicon only, so the order of a dictionary's lexicons does not matter"
    )

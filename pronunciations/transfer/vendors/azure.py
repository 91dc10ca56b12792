"""Azure AI Speech: one custom lexicon (PLS) per language, each file under 100 KB.

A custom lexicon holds one locale, so dictionaries are written per language (``en-US.pls``),
split into parts (``en-US-2.pls``) past the size limit. Azure reads IPA phonemes without white
space and only for words, in decomposed Unicode; an alias wins over a phoneme of the same
grapheme, as in SLNG. Sources of every limit: docs/vendors.md.
"""

import itertools
import unicodedata
from collections.abc import Iterable, Iterator

from pronunciations.transfer.formats import CONTENT_TYPES
from pronunciations.transfer.pls import NO_LANGUAGE, Lexeme
from pronunciations.transfer.vendors.common import (
    Entry,
    ExportFile,
    ExportReport,
    Packable,
    Pair,
    case_variants,
    file_stem,
    note_chained,
    pack,
    pairs,
    rule_label,
)
from pronunciations.validation import match_key

# "100 KB": read as 100,000 bytes, the stricter of the two readings.
LEXICON_BYTES = 100_000


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def _phoneme(entry: Entry, pair: Pair, report: ExportReport) -> str | None:
    if pair.phoneme is None:
        return None
    if " " in pair.match:
        report.lose(
            "Azure sets a phoneme for a word, not a phrase (give the phrase an alias)",
            report.example(entry, rule_label(pair, pair.phoneme)),
        )
        return None
    if " " in pair.phoneme:
        report.lose(
            "Azure's IPA phonemes may not contain white space",
            report.example(entry, rule_label(pair, pair.phoneme)),
        )
        return None
    decomposed = unicodedata.normalize("NFD", pair.phoneme)
    if decomposed != pair.phoneme:
        report.note(
            "IPA phonemes are written in decomposed Unicode, the only form Azure reads "
            "(same sounds)",
            report.example(entry, rule_label(pair)),
        )
    return decomposed


def _lexemes(entries: Iterable[Entry], report: ExportReport) -> Iterator[Packable]:
    """The lexemes of one language's dictionaries; a match that an earlier dictionary (by
    name) already has is written once, the earlier one's."""
    seen: dict[str, tuple[Pair, str]] = {}
    for entry in entries:
        entry_pairs = pairs(entry)
        note_chained(
            entry,
            entry_pairs,
            report,
            "Aliases that hold another rule's match: Azure may look an alias up again (it "
            "documents doing so for phonemes), SLNG never rewrites a replacement",
        )
        for pair in entry_pairs:
            key = match_key(pair.match)
            if key in seen:
                first, owner = seen[key]
                if (first.alias, first.phoneme) != (pair.alias, pair.phoneme):
                    report.lose(
                        f"{owner}, of the same language, has the same match (kept)",
                        report.example(entry, rule_label(pair, pair.alias or pair.phoneme)),
                    )
                continue
            seen[key] = (pair, entry.name)
            phoneme = _phoneme(entry, pair, report)
            if pair.alias is None and phoneme is None:
                continue
            carried = (pair.alias is not None) + (phoneme is not None)
            lexeme = Lexeme(case_variants(pair.match), pair.alias, phoneme)
            yield Packable(lexeme, carried, report.example(entry, rule_label(pair)))


def _language(entry: Entry) -> str:
    return entry.language or NO_LANGUAGE


def export(entries: Iterable[Entry], report: ExportReport) -> Iterator[ExportFile]:
    """One file per language (``entries`` come grouped by language, each group by name)."""
    for language, group in itertools.groupby(entries, key=_language):
        members = list(group)
        for entry in members:
            if entry.language is None:
                report.limit(
                    "Dictionaries without a language (metadata.language), written to "
                    f"{NO_LANGUAGE}.pls: Azure applies a lexicon only to its own locale; set "
                    "the language and export again",
                    entry.name,
                )
        if len(members) > 1:
            report.note(
                "Files holding several dictionaries of one language: SLNG applies one "
                "dictionary a request, Azure every lexicon the SSML names",
                f"{language}: " + ", ".join(entry.name for entry in members),
            )

        documents = pack(
            _lexemes(members, report),
            language=language,
            limit=LEXICON_BYTES,
            size=_utf8_size,
            report=report,
            container=f"a file of {LEXICON_BYTES} bytes",
        )
        if not documents:
            report.limit("Languages with no rule Azure can carry: no file", language)
        for part, (document, rules) in enumerate(documents, start=1):
            stem = file_stem(language)
            name = f"{stem}.pls" if part == 1 else f"{stem}-{part}.pls"
            yield ExportFile(name, document.encode("utf-8"), CONTENT_TYPES["pls"], rules)
    report.note(
        "Azure matches a lexeme case-sensitively (SLNG ignores case): each rule is written in "
        "the casings as stored, lower, Sentence, Title and UPPER case; other mixes of case will "
        "not match"
    )

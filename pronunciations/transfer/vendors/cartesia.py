"""Cartesia: the JSON body of its pronunciation dictionary create call (name and items).

An item maps a ``text`` to a ``pronunciation``: "sounds-like" text (an SLNG alias) or IPA in
Cartesia's notation, phonemes between ``<<`` and ``>>`` separated by ``|``. Items are unique by
text, so a match with an alias and an IPA phoneme keeps the alias (what SLNG speaks). Matching
is case-sensitive, but a lower-case item also matches its sentence-start capital. The dictionary
is documented as a simple search and replace. Sources: docs/vendors.md.
"""

import json
import unicodedata
from collections.abc import Iterable, Iterator

from pronunciations.transfer.formats import CONTENT_TYPES
from pronunciations.transfer.pls.notes import shown
from pronunciations.transfer.vendors.common import (
    Entry,
    ExportFile,
    ExportReport,
    Pair,
    case_variants,
    note_chained,
    pairs,
    rule_label,
)

# Cartesia's English phone set (charsiu) writes these pairs of IPA symbols as one phoneme.
_TWO_SYMBOL_PHONEMES = frozenset(("aɪ", "aʊ", "dʒ", "eɪ", "oʊ", "tʃ", "ɔɪ"))
# Marks that belong to the symbol before them (length, aspiration, palatalization, …).
_MODIFIERS = frozenset("ːˑʰʲʷˠˤ̃")
_TIE = "\u0361"
_DROPPED = frozenset("./[]")  # syllable breaks and the slashes or brackets around IPA


def _symbols(word: str) -> list[str]:
    symbols, i = [], 0
    while i < len(word):
        if word[i] in _DROPPED:
            i += 1
            continue
        if word[i : i + 2] in _TWO_SYMBOL_PHONEMES:
            symbols.append(word[i : i + 2])
            i += 2
            continue
        end = i + 1
        while end < len(word) and (unicodedata.combining(word[end]) or word[end] in _MODIFIERS):
            end += 2 if word[end] == _TIE else 1  # a tie bar joins the next symbol too
        symbols.append(word[i:end])
        i = end
    return symbols


def cartesia_ipa(ipa: str) -> str:
    """IPA in Cartesia's notation: ``<<ˈ|b|ɑ|ˈ|j|u>>``, one group per word."""
    groups = [_symbols(word) for word in ipa.split()]
    return " ".join("<<" + "|".join(symbols) + ">>" for symbols in groups if symbols)


def _items(entry: Entry, pair: Pair, report: ExportReport) -> list[dict[str, str]]:
    if pair.alias is not None:
        if pair.phoneme is not None:
            report.lose(
                "its IPA: an item has one pronunciation, and the alias (what SLNG speaks) is kept",
                report.example(entry, rule_label(pair, pair.phoneme)),
            )
        pronunciation = pair.alias
    else:
        assert pair.phoneme is not None  # noqa: S101 - a pair has an alias or a phoneme
        pronunciation = cartesia_ipa(pair.phoneme)
        report.note(
            "IPA phonemes are written in Cartesia's notation (<<…|…>>, its charsiu phone "
            "set); check symbols outside its English set",
            report.example(entry, f"{rule_label(pair, pair.phoneme)} as {shown(pronunciation)}"),
        )
    variants = case_variants(pair.match, lower_covers_sentence=True)
    return [{"text": text, "pronunciation": pronunciation} for text in variants]


def export(entries: Iterable[Entry], report: ExportReport) -> Iterator[ExportFile]:
    """One JSON body per dictionary (name and items)."""
    for entry in entries:
        entry_pairs = pairs(entry)
        note_chained(
            entry,
            entry_pairs,
            report,
            "Aliases that hold another rule's match: whether Cartesia replaces inside a "
            "replacement is not documented (SLNG never does)",
        )
        items = [item for pair in entry_pairs for item in _items(entry, pair, report)]
        content = json.dumps({"name": entry.name, "items": items}, ensure_ascii=False, indent=2)
        yield ExportFile(
            f"{entry.name}.json",
            content.encode("utf-8") + b"\n",
            CONTENT_TYPES["json"],
            len(entry_pairs),
        )
    report.note(
        "Cartesia matches case-sensitively, but a lower-case item also matches its "
        "sentence-start capital (SLNG ignores case): each rule is written in lower, as stored, "
        "Title and UPPER case; other mixes of case will not match"
    )
    report.note(
        "Cartesia documents its dictionary as a simple search and replace, without saying "
        "whether it keeps to word boundaries as SLNG does: a short match may also change "
        "longer words that contain it"
    )

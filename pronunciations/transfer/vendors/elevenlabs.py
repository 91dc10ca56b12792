"""ElevenLabs: a PLS file its "add from file" takes, or the JSON body of its "add from rules".

Both are one file per dictionary. ElevenLabs matches PLS graphemes case-sensitively (its own
guide writes ``tomato`` and ``Tomato``), so every rule goes in its casings. The JSON rules hold
one rule per ``string_to_replace`` (a second replaces the first): an alias and a phoneme of the
same match cannot both go, and the alias, the part SLNG speaks, is kept. Sources: docs/vendors.md.
"""

import json
from collections.abc import Iterable, Iterator
from typing import Any

from pronunciations.transfer import alphabets
from pronunciations.transfer.formats import CONTENT_TYPES
from pronunciations.transfer.pls import NO_LANGUAGE, Lexeme, pls_document
from pronunciations.transfer.vendors.common import (
    Entry,
    ExportFile,
    ExportReport,
    Pair,
    case_variants,
    in_alphabet,
    note_chained,
    pairs,
    rule_label,
)


def _common_notes(entry: Entry, entry_pairs: list[Pair], report: ExportReport) -> None:
    note_chained(
        entry,
        entry_pairs,
        report,
        "Aliases that hold another rule's match: whether ElevenLabs looks an alias up again "
        "is not documented (SLNG never rewrites a replacement)",
    )
    if any(pair.phoneme is not None for pair in entry_pairs):
        report.note(
            "ElevenLabs uses phoneme rules only with some models (eleven_flash_v2, eleven_v3) "
            "and, but for eleven_v3, only in English; other models skip them"
        )


def export_pls_arpabet(entries: Iterable[Entry], report: ExportReport) -> Iterator[ExportFile]:
    """As ``export_pls``, each phoneme written in CMU ARPAbet (``alphabet="cmu-arpabet"``),
    which ElevenLabs' phoneme rules take beside IPA."""
    return export_pls(entries, report, alphabet=alphabets.ARPABET)


def export_pls(
    entries: Iterable[Entry], report: ExportReport, alphabet: str = ""
) -> Iterator[ExportFile]:
    """One PLS file per dictionary, for ElevenLabs' "add from file"; with ``alphabet``, the
    phonemes converted from IPA (``transfer.alphabets``)."""
    for entry in entries:
        entry_pairs = pairs(entry)
        _common_notes(entry, entry_pairs, report)
        if entry.language is None:
            report.limit(
                'Dictionaries without a language (metadata.language): xml:lang="und"', entry.name
            )
        lexemes = []
        for pair in entry_pairs:
            phoneme, written_in = in_alphabet(entry, pair, alphabet, report)
            if pair.alias is not None or phoneme is not None:
                lexeme = Lexeme(case_variants(pair.match), pair.alias, phoneme, written_in)
                lexemes.append(lexeme)
        if not lexemes:
            report.limit("Dictionaries without rules: no file", entry.name)
            continue
        document = pls_document(lexemes, language=entry.language or NO_LANGUAGE)
        rules = sum((p.alias is not None) + (p.phoneme is not None) for p in entry_pairs)
        yield ExportFile(f"{entry.name}.pls", document.encode("utf-8"), CONTENT_TYPES["pls"], rules)
    report.note(
        "ElevenLabs matches PLS graphemes case-sensitively (SLNG ignores case): each rule is "
        "written in the casings as stored, lower, Sentence, Title and UPPER case; other mixes "
        "of case will not match"
    )


def _rules(entry: Entry, pair: Pair, report: ExportReport) -> list[dict[str, Any]]:
    if pair.alias is not None and pair.phoneme is not None:
        report.lose(
            "its IPA: a JSON rule holds an alias or a phoneme, and the alias (what SLNG speaks) "
            "is kept",
            report.example(entry, rule_label(pair, pair.phoneme)),
        )
    rules = []
    for variant in case_variants(pair.match):
        if pair.alias is not None:
            rules.append({"string_to_replace": variant, "type": "alias", "alias": pair.alias})
        elif pair.phoneme is not None:
            rules.append(
                {
                    "string_to_replace": variant,
                    "type": "phoneme",
                    "phoneme": pair.phoneme,
                    "alphabet": "ipa",
                }
            )
    return rules


def export_json(entries: Iterable[Entry], report: ExportReport) -> Iterator[ExportFile]:
    """One JSON body per dictionary, for ElevenLabs' "add from rules" (name and rules)."""
    for entry in entries:
        entry_pairs = pairs(entry)
        _common_notes(entry, entry_pairs, report)
        rules = [rule for pair in entry_pairs for rule in _rules(entry, pair, report)]
        body = {"name": entry.name, "rules": rules}
        content = json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
        carried = len(entry_pairs)
        yield ExportFile(f"{entry.name}.json", content + b"\n", CONTENT_TYPES["json"], carried)
    report.note(
        "Each rule is written once per casing (as stored, lower, Sentence, Title, UPPER): "
        "ElevenLabs' rules match case-sensitively unless told otherwise (newer API versions "
        "document case_sensitive and word_boundaries flags; this file does not rely on them)"
    )

"""What every vendor export shares: a dictionary's rules paired by match, case variants, packing
lexemes into size-limited PLS documents, and the export's report.

SLNG matches case-insensitively, on word boundaries, longest match first, and never rewrites a
replacement again. Vendors differ (docs/vendors.md): an export writes what keeps SLNG's meaning
where it can (case variants for case-sensitive vendors, longer matches first) and its report
says what it could not carry and where the vendor's matching still differs.
"""

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pronunciations.content import without_disabled
from pronunciations.engine import Matcher, Rule
from pronunciations.transfer import alphabets
from pronunciations.transfer.pls import Lexeme, lexeme_xml, normalize_text
from pronunciations.transfer.pls.notes import EXAMPLES, quoted, shown
from pronunciations.transfer.pls.writing import TAIL, head
from pronunciations.validation import match_key


@dataclass(frozen=True)
class Entry:
    """One dictionary as the exporters read it: its name, language and wire-form modes, and
    how many checks (test sentences) it has, which no vendor format holds."""

    name: str
    language: str | None
    modes: dict[str, Any]
    checks: int = 0

    @classmethod
    def of(
        cls, name: str, metadata: dict[str, Any], modes: dict[str, Any], checks: int = 0
    ) -> "Entry":
        """The dictionary as a vendor gets it: its disabled rules left out, as from SLNG."""
        language = metadata.get("language")
        known = language if isinstance(language, str) and language else None
        return cls(name, known, without_disabled(modes), checks)


@dataclass(frozen=True)
class Pair:
    """A match's rules: its alias (the rewrite rule's replace) and its IPA, either may be None.
    Texts have their white space tidied (runs as one space, trimmed), as vendors read them."""

    match: str
    alias: str | None
    phoneme: str | None


def pairs(entry: Entry) -> list[Pair]:
    """The dictionary's rules paired by match, longer matches first (SLNG prefers the longest
    match wherever two apply; vendors that take the first listed then agree with it)."""
    found: dict[str, dict[str, str]] = {}
    for mode, value_field, slot in (("rewrite", "replace", "alias"), ("ipa", "ipa", "phoneme")):
        for rule in (entry.modes.get(mode) or {}).get("rules") or []:
            match = " ".join(rule["match"].split())
            pair = found.setdefault(match_key(match), {"match": match})
            pair[slot] = normalize_text(rule[value_field])
    ordered = sorted(found.values(), key=lambda pair: -len(pair["match"]))
    return [Pair(pair["match"], pair.get("alias"), pair.get("phoneme")) for pair in ordered]


def case_variants(match: str, *, lower_covers_sentence: bool = False) -> tuple[str, ...]:
    """The casings a case-sensitive vendor needs to match what SLNG matches: as stored, lower,
    Sentence, Title and UPPER case (``lower_covers_sentence``: the vendor's lower-case entries
    also match the sentence-start capital, as Cartesia's do). Other mixes will not match."""
    lower = match.lower()
    sentence = lower[:1].upper() + lower[1:]
    title = " ".join(word[:1].upper() + word[1:] for word in lower.split(" "))
    candidates = [match, lower, sentence, title, match.upper()]
    if lower_covers_sentence:  # the lower-case entry matches these already
        candidates = [c for c in candidates if c == match or c != sentence]
    key = match_key(match)
    variants: list[str] = []
    for candidate in candidates:
        if candidate not in variants and match_key(candidate) == key:
            variants.append(candidate)
    return tuple(variants)


def chained(pairs_: Sequence[Pair]) -> list[tuple[Pair, str]]:
    """Aliases whose text holds another rule's match: SLNG never rewrites a replacement, a
    vendor that looks an alias up again would. Each with the match it holds."""
    rules = [Rule(pair.match, pair.alias or "") for pair in pairs_]
    matcher = Matcher(rules)
    found = []
    for pair in pairs_:
        if pair.alias is not None and (applied := matcher.rewrite(pair.alias).applied):
            found.append((pair, applied[0].match))
    return found


_NOT_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def file_stem(text: str) -> str:
    """``text`` as a file name's stem (a language tag is free text): unsafe characters as _."""
    return _NOT_FILE_NAME.sub("_", text).lstrip(".") or "_"


@dataclass(frozen=True)
class ExportFile:
    """One file of an export: its name, bytes and media type, and how many rules it carries."""

    name: str
    content: bytes
    content_type: str
    rules: int

    def to_wire(self) -> dict[str, Any]:
        text = self.content.decode("utf-8")
        return {
            "name": self.name,
            "bytes": len(self.content),
            "characters": len(text),
            "rules": self.rules,
        }


@dataclass
class _Lines:
    count: int = 0
    examples: list[str] = field(default_factory=list)


class ExportReport:
    """What an export wrote, what it could not carry (``warnings``, grouped by reason with a
    count and a few examples) and how the vendor's matching differs (``notes``)."""

    def __init__(self, file_format: str, several: bool) -> None:
        self.format = file_format
        self.several = several  # several dictionaries: examples name theirs
        self.files: list[dict[str, Any]] = []
        self.lost: dict[str, _Lines] = {}
        self.limits: dict[str, _Lines] = {}
        self.notes: dict[str, _Lines] = {}

    def example(self, entry: Entry, text: str) -> str:
        return f"{text} ({entry.name})" if self.several else text

    def lose(self, reason: str, example: str) -> None:
        """A rule (or part of one) not carried, for ``reason``."""
        _count(self.lost, reason, example)

    def limit(self, message: str, example: str = "") -> None:
        """A vendor limit the export reaches (more lexicons than one request applies …), or a
        dictionary the vendor will refuse; the same message is one line, with examples."""
        _count(self.limits, message, example)

    def note(self, note: str, example: str = "") -> None:
        """A difference in matching, or what the export did to keep SLNG's meaning; notes with
        examples are counted."""
        _count(self.notes, note, example)

    def warnings(self) -> list[str]:
        lines = _counted_lines(self.limits)
        for reason, lost in self.lost.items():
            rules = "1 rule" if lost.count == 1 else f"{lost.count} rules"
            lines.append(f"{rules} not carried: {reason}: {_examples(lost)}")
        return lines

    def note_lines(self) -> list[str]:
        return _counted_lines(self.notes)

    def to_wire(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "files": self.files,
            "warnings": self.warnings(),
            "notes": self.note_lines(),
        }

    def to_text(self) -> str:
        """The report as the text file a zip carries."""
        lines = [f"Lexicon export for {self.format}", "", "Files:"]
        lines += [
            f"  {f['name']}: {f['rules']} rules, {f['characters']} characters, {f['bytes']} bytes"
            for f in self.files
        ]
        for title, items in (("Warnings", self.warnings()), ("Notes", self.note_lines())):
            lines += ["", f"{title}:"] + [f"  - {item}" for item in items or ["none"]]
        return "\n".join(lines) + "\n"

    def to_json(self) -> bytes:
        return json.dumps(self.to_wire(), ensure_ascii=False, indent=2).encode("utf-8")


def _count(into: dict[str, _Lines], key: str, example: str) -> None:
    lines = into.setdefault(key, _Lines())
    lines.count += 1
    if example and len(lines.examples) < EXAMPLES:
        lines.examples.append(example)


def _counted_lines(counted: dict[str, _Lines]) -> list[str]:
    """``message (count): examples``, or the message alone when it has no examples."""
    lines = []
    for message, found in counted.items():
        examples = _examples(found)
        lines.append(f"{message} ({found.count}): {examples}" if examples else message)
    return lines


def _examples(lines: _Lines) -> str:
    if not lines.examples:
        return ""
    more = ", …" if lines.count > len(lines.examples) else ""
    return ", ".join(lines.examples) + more


def rule_label(pair: Pair, value: str | None = None) -> str:
    """``ACH "ay see aitch"``: a match, and a value when given, as examples show them."""
    return shown(pair.match) + (f" {quoted(value)}" if value is not None else "")


@dataclass(frozen=True)
class Packable:
    """A lexeme to pack, the number of SLNG rules it carries, and how a report names it."""

    lexeme: Lexeme
    rules: int
    label: str


def pack(
    lexemes: Iterable[Packable],
    *,
    language: str,
    limit: int,
    size: Callable[[str], int],
    report: ExportReport,
    container: str,
) -> list[tuple[str, int]]:
    """Pack lexemes into PLS documents of at most ``limit`` (``size`` measures characters or
    bytes). A lexeme too big for an empty document is tried with its first grapheme only, then
    reported as not fitting in ``container``. Returns each document with its rule count."""
    empty = size(head(language)) + size(TAIL)
    documents: list[tuple[str, int]] = []
    parts: list[str] = []
    used, rules = empty, 0
    for item in lexemes:
        lexeme, xml = item.lexeme, lexeme_xml(item.lexeme)
        if empty + size(xml) > limit and len(lexeme.graphemes) > 1:
            lexeme = Lexeme(lexeme.graphemes[:1], lexeme.alias, lexeme.phoneme)
            xml = lexeme_xml(lexeme)
        if empty + size(xml) > limit:
            report.lose(f"its lexeme does not fit in {container}", item.label)
            continue
        if used + size(xml) > limit:
            documents.append((head(language) + "".join(parts) + TAIL, rules))
            parts, used, rules = [], empty, 0
        parts.append(xml)
        used, rules = used + size(xml), rules + item.rules
    if parts:
        documents.append((head(language) + "".join(parts) + TAIL, rules))
    return documents


def note_chained(
    entry: Entry, entry_pairs: Sequence[Pair], report: ExportReport, note: str
) -> None:
    """Note each alias holding another rule's match, for a vendor that may rewrite it again."""
    for pair, inner in chained(entry_pairs):
        report.note(note, report.example(entry, f"{rule_label(pair, pair.alias)} holds {inner}"))


def in_alphabet(
    entry: Entry, pair: Pair, alphabet: str, report: ExportReport
) -> tuple[str | None, str]:
    """The pair's phoneme written in ``alphabet`` (IPA as stored when ``alphabet`` is empty),
    and the alphabet attribute to write; a phoneme with a symbol the alphabet lacks is not
    carried (the report says so)."""
    if pair.phoneme is None or not alphabet:
        return pair.phoneme, ""
    written = alphabets.from_ipa(alphabet, pair.phoneme)
    if written is None:
        report.lose(
            f"its IPA has a symbol {alphabet} has no equivalent for",
            report.example(entry, rule_label(pair, pair.phoneme)),
        )
        return None, ""
    return written, alphabet

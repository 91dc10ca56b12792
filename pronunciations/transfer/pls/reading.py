"""PLS read as it is found in the wild: Azure, Polly and ElevenLabs lexicons as teams keep them.

- Grapheme, alias and phoneme text is XML text: trimmed, white-space runs as one space (unless
  ``xml:space="preserve"``), so pretty-printed files read as they look.
- SLNG matches case-insensitively, so graphemes that match alike (``hm`` and ``Hm``, in one
  lexeme or several) are one rule: when they say the same they are merged, when they differ the
  first in document order is kept (what SLNG does with two equal matches) and the other is
  reported with both values, or refused by the caller (``conflicts``).
- A lexicon without ``alphabet`` reads its phonemes as IPA; without ``xml:lang`` it gives no
  language. Both are reported.
- Whatever is not imported is reported, grouped by kind (see notes.py), every example located
  by lexeme, grapheme and line; a file that gives no rule at all says so, and why, first.
"""

from dataclasses import dataclass, field
from typing import Any

from pronunciations.transfer import alphabets
from pronunciations.transfer.pls.notes import Notes, Where, quoted
from pronunciations.transfer.pls.xml import (
    NO_LANGUAGE,
    XML_LANG,
    Node,
    PlsError,
    check_lexicon,
    normalize_text,
    parse,
    preserves_space,
)
from pronunciations.validation import match_key

# What a lexicon without an ``alphabet`` attribute is read as (documented in the README).
DEFAULT_ALPHABET = "ipa"
MODES = (("rewrite", "replace", "alias"), ("ipa", "ipa", "IPA phoneme"))
_WHAT = {mode: what for mode, _, what in MODES}


@dataclass(frozen=True)
class PlsRule:
    """A rule as the file gave it: where its grapheme is, and the line of its value."""

    match: str
    value: str
    where: Where
    value_line: int


@dataclass(frozen=True)
class Conflict:
    """A grapheme matching like an earlier one (``kept``) with another value (``lost``)."""

    mode: str
    kept: PlsRule
    lost: PlsRule

    def message(self) -> str:
        kept = self.kept.where.label(self.kept.value)
        return (
            f"SLNG ignores case, so it matches like {kept}, but its {_WHAT[self.mode]} is "
            f"{quoted(self.lost.value)}"
        )


@dataclass(frozen=True)
class PlsImport:
    """An imported lexicon.

    ``rules`` per mode (``rewrite``, ``ipa``) in file order, each with where it came from;
    ``modes`` the same in wire form, with "ipa" only when it has rules; ``language`` the
    xml:lang (None when missing, empty or "und"); ``warnings`` one line per kind of thing not
    imported (at most ``max_warnings`` lines, ``more_warnings`` counts the others);
    ``conflicts`` the graphemes that lost to an earlier one; ``line`` the lexicon's line.
    """

    modes: dict[str, Any]
    language: str | None
    warnings: tuple[str, ...]
    more_warnings: int = 0
    rules: dict[str, tuple[PlsRule, ...]] = field(default_factory=dict, compare=False)
    conflicts: tuple[Conflict, ...] = field(default=(), compare=False)
    line: int = field(default=1, compare=False)


class _Lexicon:
    """The rules and notes of a lexicon, one lexeme at a time."""

    def __init__(self, notes: Notes, *, report_conflicts: bool) -> None:
        self.notes = notes
        self.report_conflicts = report_conflicts
        self.lexemes = 0
        self.rules: dict[str, list[PlsRule]] = {"rewrite": [], "ipa": []}
        self.first: dict[str, dict[str, PlsRule]] = {"rewrite": {}, "ipa": {}}
        self.conflicts: list[Conflict] = []
        self.merged: set[tuple[int, int, str]] = set()

    def child(self, root: Node, child: Node) -> None:
        if child.name == "lexeme":
            self.lexemes += 1
            self.lexeme(root, child, self.lexemes)
        else:
            self.notes.add("lexicon-element", f"line {child.line}", arg=child.name)

    def lexeme(self, root: Node, node: Node, number: int) -> None:
        parts: dict[str, list[Node]] = {"grapheme": [], "alias": [], "phoneme": []}
        for part in node.children:
            parts[part.name].append(part)
        graphemes = [(g, _text(g, node, root)) for g in parts["grapheme"]]
        where = Where(number, graphemes[0][1] if graphemes else "", node.line)
        for name, (count, line) in node.others.items():
            self.notes.add("element", _at(where, line).label(), arg=name, count=count)
        if role := node.attrib.get("role"):
            self.notes.add("role", where.label(extra=f"role {quoted(role)}"))
        alias = self._first(parts["alias"], "alias", where, node, root)
        ipa, other_alphabets = self._ipa(parts["phoneme"], where, node, root)
        if not graphemes:
            self.notes.add("no-grapheme", where.label())
        elif alias is None and ipa is None and not other_alphabets:
            self.notes.add("empty", where.label())  # (with other alphabets, their note says why)
        for grapheme, match in graphemes:
            at = Where(number, match, grapheme.line)
            if alias is not None:
                self._add("rewrite", PlsRule(match, alias[0], at, alias[1]))
            if ipa is not None:
                self._add("ipa", PlsRule(match, ipa[0], at, ipa[1]))

    def _first(
        self, elements: list[Node], what: str, where: Where, lexeme: Node, root: Node
    ) -> tuple[str, int] | None:
        """The first element's text and line; each further one is noted as not imported."""
        for extra in elements[1:]:
            label = _at(where, extra.line).label(_text(extra, lexeme, root))
            self.notes.add("extra", label, arg=what)
        return (_text(elements[0], lexeme, root), elements[0].line) if elements else None

    def _ipa(
        self, phonemes: list[Node], where: Where, lexeme: Node, root: Node
    ) -> tuple[tuple[str, int] | None, bool]:
        """The first IPA phoneme (own alphabet, else the lexicon's, else IPA; X-SAMPA and CMU
        ARPAbet converted to IPA, ``transfer.alphabets``), and whether phonemes in other
        alphabets were left out (each alphabet noted once a lexeme)."""
        kept: list[tuple[str, int]] = []
        others: list[str] = []
        for phoneme in phonemes:
            alphabet = phoneme.attrib.get("alphabet") or root.attrib.get("alphabet")
            alphabet = alphabet or DEFAULT_ALPHABET
            if alphabet.lower() == "ipa":
                kept.append((_text(phoneme, lexeme, root), phoneme.line))
            elif converted := alphabets.to_ipa(alphabet, _text(phoneme, lexeme, root)):
                kept.append((converted, phoneme.line))
                if len(kept) == 1:
                    self.notes.add("converted", _at(where, phoneme.line).label(), arg=alphabet)
            elif alphabet not in others:
                others.append(alphabet)
                self.notes.add("alphabet", _at(where, phoneme.line).label(), arg=alphabet)
        for extra in kept[1:]:
            self.notes.add("extra", _at(where, extra[1]).label(extra[0]), arg="IPA phoneme")
        return (kept[0] if kept else None), bool(others)

    def _add(self, mode: str, rule: PlsRule) -> None:
        key = match_key(rule.match)
        first = self.first[mode].get(key) if key else None
        if first is None:
            if key:  # a blank match is kept for validation to report
                self.first[mode][key] = rule
            self.rules[mode].append(rule)
        elif first.value == rule.value:
            seen = (rule.where.lexeme, rule.where.line, rule.match)
            if seen not in self.merged:  # once per grapheme, even with an alias and a phoneme
                self.merged.add(seen)
                self.notes.add("merged", f"{rule.where.label()} = {first.where.label()}")
        else:
            conflict = Conflict(mode, first, rule)
            self.conflicts.append(conflict)
            if self.report_conflicts:
                lost, kept = rule.where.label(rule.value), first.where.label(first.value)
                self.notes.add("conflict", f"{lost} lost to {kept}", arg=_WHAT[mode])


def _at(where: Where, line: int) -> Where:
    return Where(where.lexeme, where.grapheme, line)


def _text(element: Node, lexeme: Node, root: Node) -> str:
    text = element.text()
    return text if preserves_space(element, lexeme, root) else normalize_text(text)


def pls_load(
    data: bytes,
    *,
    max_bytes: int,
    max_warnings: int | None = None,
    report_conflicts: bool = True,
) -> PlsImport:
    """Import a PLS 1.0 document (PLS namespace or none), as the module docstring says.

    Each grapheme of a lexeme gives a rewrite rule with the lexeme's first alias and an ipa
    rule with its first IPA phoneme. ``report_conflicts=False`` leaves conflicts out of the
    warnings (the caller refuses them). Raises PlsError for oversized input, malformed or
    non-UTF-8 XML, any DTD or entity declaration, a root other than ``lexicon`` and a version
    other than 1.0.
    """
    if len(data) > max_bytes:
        raise PlsError(f"PLS file is larger than {max_bytes} bytes")
    notes = Notes(max_warnings)
    lexicon = _Lexicon(notes, report_conflicts=report_conflicts)
    root = parse(data, lexicon.child)
    check_lexicon(root)
    modes: dict[str, Any] = {}
    for mode, value_field, _ in MODES:
        rules = [{"match": r.match, value_field: r.value} for r in lexicon.rules[mode]]
        if rules or mode == "rewrite":
            modes[mode] = {"rules": rules}
    language = root.attrib.get(XML_LANG) or None
    if language and language.lower() == NO_LANGUAGE:
        language = None
    warnings = _lexicon_warnings(root, lexicon) + notes.lines()
    return PlsImport(
        modes=modes,
        language=language,
        warnings=tuple(warnings),
        more_warnings=notes.more,
        rules={mode: tuple(rules) for mode, rules in lexicon.rules.items()},
        conflicts=tuple(lexicon.conflicts),
        line=root.line,
    )


def _lexicon_warnings(root: Node, lexicon: _Lexicon) -> list[str]:
    """What the lexicon's own attributes defaulted to, after the plain line when nothing can
    be imported."""
    warnings = []
    if not any(lexicon.rules.values()):
        warnings.append(_nothing(lexicon))
    if not root.attrib.get("alphabet"):
        warnings.append(
            f"The lexicon (line {root.line}) has no alphabet attribute: its phonemes are read "
            f'as IPA, the default (alphabet="{DEFAULT_ALPHABET}").'
        )
    if not root.attrib.get(XML_LANG):
        warnings.append(
            f"The lexicon (line {root.line}) has no xml:lang attribute: no language is "
            "imported (the dictionary's metadata.language is left as it is)."
        )
    return warnings


def _nothing(lexicon: _Lexicon) -> str:
    if not lexicon.lexemes:
        return "Nothing in this file can be imported: it has no lexemes."
    reasons = [
        f"{count} {_uses_alphabet(count)} {quoted(alphabet)}"
        for alphabet, count in lexicon.notes.by_arg("alphabet").items()
    ]
    if count := lexicon.notes.count("no-grapheme"):
        reasons.append(f"{count} {'has' if count == 1 else 'have'} no grapheme")
    if count := lexicon.notes.count("empty"):
        reasons.append(f"{count} {'has' if count == 1 else 'have'} neither an alias nor a phoneme")
    why = f" ({'; '.join(reasons)})" if reasons else ""
    if lexicon.lexemes == 1:
        return (
            "Nothing in this file can be imported: its one lexeme has no alias or IPA phoneme "
            f"that SLNG can store{why}."
        )
    return (
        f"Nothing in this file can be imported: none of its {lexicon.lexemes} lexemes has an "
        f"alias or an IPA phoneme that SLNG can store{why}."
    )


def _uses_alphabet(count: int) -> str:
    return "uses alphabet" if count == 1 else "use alphabet"

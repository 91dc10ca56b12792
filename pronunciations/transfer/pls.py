"""W3C Pronunciation Lexicon Specification (PLS) 1.0 export and import of a dictionary's modes."""

import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element  # the type only: parsing goes through defusedxml

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import ParseError, iterparse

PLS_NAMESPACE = "http://www.w3.org/2005/01/pronunciation-lexicon"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# BCP-47's "undetermined": PLS requires xml:lang, so a dictionary without a language exports it.
NO_LANGUAGE = "und"

# (mode, the rule's value field, the PLS element carrying it), in export order.
_MODE_ELEMENTS = (("rewrite", "replace", "alias"), ("ipa", "ipa", "phoneme"))

_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
# Attribute values are whitespace-normalized by parsers, so tabs and newlines go as references.
_ATTRIBUTE_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#9;",
    }
)
# Outside XML 1.0's Char production (most C0 controls, surrogates, U+FFFE, U+FFFF): no XML 1.0
# document can carry these, not even as character references.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# With forbid_dtd every DOCTYPE fails first; the other two guard any later loosening of it.
_REFUSALS = {
    DTDForbidden: "PLS files may not declare a DTD or entities",
    EntitiesForbidden: "PLS files may not declare entities",
    ExternalReferenceForbidden: "PLS files may not refer to external entities",
}


class PlsError(ValueError):
    """A PLS file that cannot be imported, or a value that XML 1.0 cannot carry on export."""


@dataclass(frozen=True)
class PlsImport:
    """An imported lexicon.

    ``modes`` is in wire form, with "ipa" only when it has rules; ``language`` is the xml:lang
    (None when missing, empty or "und"); ``warnings`` lists the parts that were not imported,
    up to ``max_warnings`` of them, and ``more_warnings`` counts the others.
    """

    modes: dict[str, Any]
    language: str | None
    warnings: tuple[str, ...]
    more_warnings: int = 0


class _Warnings(list[str]):
    """Keeps the first ``limit`` warnings and counts the rest, so memory stays bounded."""

    def __init__(self, limit: int | None) -> None:
        super().__init__()
        self.limit, self.more = limit, 0

    def append(self, warning: str) -> None:
        if self.limit is None or len(self) < self.limit:
            super().append(warning)
        else:
            self.more += 1


@dataclass
class _Collected:
    limit: int | None = None
    rewrite: list[dict[str, str]] = field(default_factory=list)
    ipa: list[dict[str, str]] = field(default_factory=list)
    warnings: _Warnings = field(init=False)

    def __post_init__(self) -> None:
        self.warnings = _Warnings(self.limit)


def pls_dump(
    modes: Mapping[str, Any], metadata: Mapping[str, Any], *, checks_left_out: int = 0
) -> bytes:
    """Export wire-form ``modes`` as an indented UTF-8 PLS document, one lexeme per rule.

    Rewrite rules become ``<alias>`` lexemes, then ipa rules ``<phoneme>`` lexemes, in rule
    order. ``metadata["language"]`` becomes xml:lang ("und" when it is not a non-empty string).
    A character XML 1.0 cannot represent (such as U+0001, which validation refuses today but
    older content may hold) is written as U+FFFD, so an export never fails on stored content.
    PLS has no place for checks (test sentences): ``checks_left_out`` > 0 says so in a comment.
    """
    language = metadata.get("language")
    if not isinstance(language, str) or not language:
        language = NO_LANGUAGE
    lang = _escaped(language, _ATTRIBUTE_ESCAPES)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<lexicon version="1.0" xmlns="{PLS_NAMESPACE}" alphabet="ipa" xml:lang="{lang}">',
    ]
    if checks_left_out:
        lines.insert(1, _left_out(checks_left_out))
    for mode, value_field, element in _MODE_ELEMENTS:
        for rule in (modes.get(mode) or {}).get("rules") or []:
            match = _escaped(rule["match"])
            value = _escaped(rule[value_field])
            lines += ["  <lexeme>", f"    <grapheme>{match}</grapheme>"]
            lines += [f"    <{element}>{value}</{element}>", "  </lexeme>"]
    lines.append("</lexicon>\n")
    return "\n".join(lines).encode("utf-8")


def _left_out(count: int) -> str:
    checks = "1 check (test sentence) is" if count == 1 else f"{count} checks (test sentences) are"
    return f"<!-- {checks} not in this file: PLS cannot hold them; CSV, XLSX and JSON can. -->"


def _escaped(value: str, escapes: dict[int, str] = _TEXT_ESCAPES) -> str:
    return _NOT_XML_CHAR.sub("\ufffd", value).translate(escapes)


def pls_load(data: bytes, *, max_bytes: int, max_warnings: int | None = None) -> PlsImport:
    """Import a PLS 1.0 document (PLS namespace or none) into wire-form modes.

    Each grapheme of a lexeme gives a rewrite rule with the lexeme's first alias and an ipa
    rule with its first ipa phoneme. Whatever is not imported (other alphabets, extra aliases
    and phonemes, roles, metadata, incomplete lexemes) is listed in ``warnings``. Values are
    kept exactly, whitespace included; duplicates are kept for validation to report.
    Raises PlsError for oversized input, malformed or non-UTF-8 XML, any DTD or entity
    declaration, a root other than ``lexicon`` and a version other than 1.0.
    """
    if len(data) > max_bytes:
        raise PlsError(f"PLS file is larger than {max_bytes} bytes")
    collected = _Collected(max_warnings)
    position = 0

    def collect(lexicon: Element, child: Element) -> None:
        nonlocal position
        if _name(child) == "lexeme":
            position += 1
            _collect_lexeme(child, f"lexeme {position}", lexicon.get("alphabet"), collected)
        else:
            collected.warnings.append(f"lexicon: <{_name(child)}> is not imported")

    lexicon = _parse(data, collect)
    _check_lexicon(lexicon)
    modes: dict[str, Any] = {"rewrite": {"rules": collected.rewrite}}
    if collected.ipa:
        modes["ipa"] = {"rules": collected.ipa}
    language = lexicon.get(_XML_LANG) or None
    if language and language.lower() == NO_LANGUAGE:
        language = None
    return PlsImport(
        modes=modes,
        language=language,
        warnings=tuple(collected.warnings),
        more_warnings=collected.warnings.more,
    )


def _parse(data: bytes, collect: Callable[[Element, Element], None]) -> Element:
    """Parse as a stream: ``collect(root, child)`` sees each child of the root as it ends, and
    the child is dropped then, so memory holds one lexeme, not the whole tree (a file of
    millions of elements). Returns the root; the caller checks it once the whole file parsed."""
    root: Element | None = None
    depth = 0
    try:
        for event, element in iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        ):
            depth += 1 if event == "start" else -1
            if root is None:
                root = element
            elif event == "end" and depth == 1:
                collect(root, element)
                root.remove(element)
    except ParseError as error:
        raise PlsError(_syntax_message(data, error)) from error
    except DefusedXmlException as error:
        message = _REFUSALS.get(type(error), "PLS files may not use DTD features")
        raise PlsError(message) from error
    except (LookupError, ValueError) as error:
        # pyexpat's handler for encodings it lacks: unknown names, multi-byte codecs.
        raise PlsError(f"PLS file declares an encoding that cannot be read: {error}") from error
    if root is None:
        raise PlsError("PLS file is empty")
    return root


def _syntax_message(data: bytes, error: ParseError) -> str:
    # expat's message ends with ": line L, column C" (C counted from 0); we count from 1.
    reason = str(error).rpartition(": line ")[0] or str(error)
    line, column = error.position
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        problem = "is not UTF-8 (nor in its declared encoding)"
    else:
        problem = "is not well-formed XML"
    return f"PLS file {problem}: {reason} at line {line}, column {column + 1}"


def _check_lexicon(root: Element) -> None:
    if _name(root) != "lexicon":
        raise PlsError(f"PLS root element must be <lexicon>, found <{_name(root)}>")
    version = root.get("version")
    if version != "1.0":
        found = "no version" if version is None else f"version {version!r}"
        raise PlsError(f'PLS lexicon version must be "1.0", found {found}')


def _name(element: Element) -> str:
    """The local name of a PLS (or namespace-less) element; other namespaces keep their {uri}."""
    prefix = "{" + PLS_NAMESPACE + "}"
    return element.tag.removeprefix(prefix)


def _collect_lexeme(lexeme: Element, where: str, alphabet: str | None, into: _Collected) -> None:
    parts: dict[str, list[Element]] = {"grapheme": [], "alias": [], "phoneme": []}
    for child in lexeme:
        if (name := _name(child)) in parts:
            parts[name].append(child)
        else:
            into.warnings.append(f"{where}: <{name}> is not imported")
    if role := lexeme.get("role"):
        into.warnings.append(f"{where}: role {role!r} is not imported; its rules apply everywhere")
    alias = _first(parts["alias"], f"{where}: extra alias", into.warnings)
    phonemes = _ipa_phonemes(parts["phoneme"], where, alphabet, into)
    ipa = _first(phonemes, f"{where}: extra ipa phoneme", into.warnings)
    if not parts["grapheme"]:
        into.warnings.append(f"{where}: has no grapheme, so it is not imported")
    elif alias is None and ipa is None:
        into.warnings.append(
            f"{where}: has neither an alias nor an ipa phoneme, so it is not imported"
        )
    for grapheme in map(_text, parts["grapheme"]):
        if alias is not None:
            into.rewrite.append({"match": grapheme, "replace": alias})
        if ipa is not None:
            into.ipa.append({"match": grapheme, "ipa": ipa})


def _ipa_phonemes(
    phonemes: list[Element], where: str, alphabet: str | None, into: _Collected
) -> list[Element]:
    """The phonemes in IPA (their own alphabet, else the lexicon's); the others are reported."""
    kept = []
    for phoneme in phonemes:
        own = phoneme.get("alphabet") or alphabet
        if own is not None and own.lower() == "ipa":
            kept.append(phoneme)
        elif own is None:
            into.warnings.append(f"{where}: phoneme with no alphabet is not imported (only ipa)")
        else:
            into.warnings.append(f"{where}: phoneme in alphabet {own!r} is not imported (only ipa)")
    return kept


def _first(elements: list[Element], extra: str, warnings: list[str]) -> str | None:
    """The first element's text, reporting every further one as ``<extra> '<text>' ...``."""
    for element in elements[1:]:
        warnings.append(f"{extra} {_text(element)!r} is not imported (only the first is)")
    return _text(elements[0]) if elements else None


def _text(element: Element) -> str:
    # Exactly as written, whitespace included: rule values may begin or end with spaces.
    return "".join(element.itertext())

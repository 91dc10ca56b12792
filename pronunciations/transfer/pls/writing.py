"""PLS written: Lexicon's own export (exact, round-trips) and the documents vendor exports pack."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pronunciations.transfer.pls.xml import (
    ATTRIBUTE_ESCAPES,
    NO_LANGUAGE,
    PLS_NAMESPACE,
    escaped,
    normalize_text,
)

# (mode, the rule's value field, the PLS element carrying it), in export order.
MODE_ELEMENTS = (("rewrite", "replace", "alias"), ("ipa", "ipa", "phoneme"))
TAIL = "</lexicon>\n"


@dataclass(frozen=True)
class Lexeme:
    """One lexeme to write: its graphemes, and an alias, a phoneme or both."""

    graphemes: tuple[str, ...]
    alias: str | None = None
    phoneme: str | None = None
    alphabet: str = ""  # the phoneme's own alphabet attribute, when not the lexicon's IPA


def head(language: str, comment: str = "") -> str:
    """The XML declaration, a comment if given, and the ``lexicon`` start tag (IPA,
    ``language`` as xml:lang)."""
    lang = escaped(language, ATTRIBUTE_ESCAPES)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + (f"<!-- {comment} -->\n" if comment else "")
        + f'<lexicon version="1.0" xmlns="{PLS_NAMESPACE}" alphabet="ipa" xml:lang="{lang}">\n'
    )


def checks_left_out_comment(count: int) -> str:
    """What a PLS file says when the dictionary has checks (test sentences) it cannot hold."""
    checks = "1 check (test sentence) is" if count == 1 else f"{count} checks (test sentences) are"
    return f"{checks} not in this file: PLS cannot hold them; CSV, XLSX and JSON can."


def disabled_left_out_comment(count: int) -> str:
    """What a PLS file says when the dictionary has rules switched off, which it leaves out."""
    rules = "1 disabled rule is" if count == 1 else f"{count} disabled rules are"
    return f"{rules} not in this file: PLS cannot switch a rule off; CSV, XLSX and JSON can."


def _element(name: str, value: str, preserve: bool, alphabet: str = "") -> str:
    # White space in PLS text is not significant (importers trim and collapse it); where a
    # value's own spacing differs from that, xml:space="preserve" says it is meant.
    space = ' xml:space="preserve"' if preserve and value != normalize_text(value) else ""
    if alphabet:
        space += f' alphabet="{escaped(alphabet, ATTRIBUTE_ESCAPES)}"'
    return f"<{name}{space}>{escaped(value)}</{name}>"


def lexeme_xml(lexeme: Lexeme, *, indent: str = "", preserve: bool = False) -> str:
    """One lexeme as XML: on one line when ``indent`` is empty, else one element a line."""
    parts = [_element("grapheme", grapheme, preserve) for grapheme in lexeme.graphemes]
    if lexeme.alias is not None:
        parts.append(_element("alias", lexeme.alias, preserve))
    if lexeme.phoneme is not None:
        parts.append(_element("phoneme", lexeme.phoneme, preserve, lexeme.alphabet))
    if not indent:
        return "<lexeme>" + "".join(parts) + "</lexeme>\n"
    inner = "".join(f"{indent}{indent}{part}\n" for part in parts)
    return f"{indent}<lexeme>\n{inner}{indent}</lexeme>\n"


def pls_document(lexemes: Iterable[Lexeme], *, language: str) -> str:
    """A compact PLS document (one lexeme a line), as the vendor exports write them."""
    return head(language) + "".join(lexeme_xml(lexeme) for lexeme in lexemes) + TAIL


def pls_dump(
    modes: Mapping[str, Any], metadata: Mapping[str, Any], *, checks_left_out: int = 0
) -> bytes:
    """Export wire-form ``modes`` as an indented UTF-8 PLS document, one lexeme per rule.

    Rewrite rules become ``<alias>`` lexemes, then ipa rules ``<phoneme>`` lexemes, in rule
    order. ``metadata["language"]`` becomes xml:lang ("und" when it is not a non-empty string).
    A value whose white space the importer would normalize is marked ``xml:space="preserve"``,
    so the export imports back exactly. A character XML 1.0 cannot represent (such as U+0001,
    which validation refuses today but older content may hold) is written as U+FFFD.
    PLS has no place for checks (test sentences): ``checks_left_out`` > 0 says so in a comment.
    Nor for a rule switched off: disabled rules are left out (a PLS reader would speak them),
    and the comment says how many.
    """
    language = metadata.get("language")
    if not isinstance(language, str) or not language:
        language = NO_LANGUAGE
    rules = [(mode, (modes.get(mode) or {}).get("rules") or []) for mode, _, _ in MODE_ELEMENTS]
    disabled = sum(1 for _, listed in rules for rule in listed if rule.get("disabled"))
    comment = " ".join(
        [checks_left_out_comment(checks_left_out)] * bool(checks_left_out)
        + [disabled_left_out_comment(disabled)] * bool(disabled)
    )
    lines = [head(language, comment)]
    for (_, listed), (_, value_field, element) in zip(rules, MODE_ELEMENTS, strict=True):
        for rule in listed:
            if rule.get("disabled"):
                continue
            lexeme = Lexeme((rule["match"],), **{element: rule[value_field]})
            lines.append(lexeme_xml(lexeme, indent="  ", preserve=True))
    lines.append(TAIL)
    return "".join(lines).encode("utf-8")

"""A starting point for a finding's rule: a rewrite a voice reads as meant, or a phrase rule
and a check sentence per reading for a heteronym. The linguist checks it before adding it."""

import re
from collections import Counter
from dataclasses import dataclass

from pronunciations.scan import findings as fd
from pronunciations.scan import tokens as tk

_SYMBOL_WORDS = (
    ("++", " plus plus"),
    ("+", " plus"),
    ("&", " and "),
    ("@", " at "),
    ("=", " equals "),
    ("|", " "),
)
_WORDLIKE = re.compile(r"(?:[^aeiouy]{0,2}[aeiouy]+)+[^aeiouy]{0,2}")
_RUNS = re.compile(r"[^\W\d_]+|\d+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@dataclass(frozen=True)
class Suggestion:
    """``match`` → ``replace`` in ``mode`` (rewrite, or ipa for a word only its IPA says), and
    for a heteronym one check sentence per reading (text, sense, IPA)."""

    mode: str
    match: str
    replace: str
    note: str
    checks: tuple[dict[str, str], ...] = ()


def _spelled(letters: str) -> str:
    return " ".join(letters.replace(".", ""))


def says_as_word(acronym: str) -> bool:
    """An acronym of four or more letters with vowels between consonants (NASA, SCUBA) is
    usually said as a word; shorter ones and those without vowels (SKU, API, HTML) spelled."""
    letters = acronym.replace(".", "").lower()
    return len(letters) >= 4 and bool(_WORDLIKE.fullmatch(letters))


def _symbols(text: str) -> str:
    if text.startswith(".") and text[1:2].isalpha():
        text = "dot " + text[1:]
    text = re.sub(r"(?<=[A-Za-z])#", " sharp", text)
    text = re.sub(r"#(?=\d)", "number ", text)
    for symbol, words in _SYMBOL_WORDS:
        text = text.replace(symbol, words)
    return text.replace("/", " ")


def _alnum(text: str) -> str:
    parts = []
    for run in _RUNS.findall(text):
        if run.isdigit():
            parts.append(" ".join(run) if len(run) > 3 else run)
        else:
            parts.append(_spelled(run) if run.isupper() and len(run) <= 4 else run)
    return " ".join(parts)


def rewrite_for(finding: fd.Finding) -> str | None:
    """The suggested replacement for a finding's most common spelling; None when only a
    linguist can say (a rare word: its IPA is the suggestion)."""
    text, reasons = finding.text, finding.reasons
    if fd.SYMBOLS in reasons:
        text = _symbols(text)
    if fd.ALNUM in reasons:
        return " ".join(_alnum(text).split())
    if fd.ACRONYM in reasons:
        return text.capitalize() if says_as_word(text) else _spelled(text)
    if fd.CASE_MIX in reasons:
        return " ".join(_CAMEL.sub(" ", text).split())
    return " ".join(text.split()) if fd.SYMBOLS in reasons else None


def _phrase(finding: fd.Finding, index: int) -> str:
    """The most common two-word phrase around the heteronym where it has reading ``index``."""
    reading = finding.readings[index]
    phrases: Counter[str] = Counter()
    for sense, occurrence in fd.heteronym_senses(finding):
        if sense != index:
            continue
        if occurrence.after in reading.after:
            phrases[f"{finding.text} {occurrence.after}"] += 1
        elif occurrence.before in reading.before:
            phrases[f"{occurrence.before} {finding.text}"] += 1
    return phrases.most_common(1)[0][0] if phrases else finding.text


def heteronym_suggestion(finding: fd.Finding) -> Suggestion:
    """A phrase rule for the reading the texts use most (where the neighbours tell), and a
    check sentence for each reading."""
    senses = Counter(index for index, _ in fd.heteronym_senses(finding))
    index = senses.most_common(1)[0][0] if senses else 0
    reading = finding.readings[index]
    match = _phrase(finding, index)
    word = re.escape(finding.text)
    replace = re.sub(rf"\b{word}\b", reading.say, match, count=1, flags=re.IGNORECASE)
    checks = tuple(
        {"text": r.check, "sense": r.sense, "ipa": r.ipa, "say": r.say} for r in finding.readings
    )
    note = (
        f"“{finding.text}” has {len(finding.readings)} readings; a phrase rule changes only "
        f"this one ({reading.sense}), so the others stay as they are."
    )
    return Suggestion("rewrite", match, replace, note, checks)


def suggestion_for(finding: fd.Finding) -> Suggestion:
    """The finding's suggested rule."""
    if fd.HETERONYM in finding.reasons and finding.readings and len(finding.reasons) == 1:
        return heteronym_suggestion(finding)
    replace = rewrite_for(finding)
    if replace is None:
        return Suggestion(
            "ipa", finding.text, "", "Unknown to the voice's lexicon: the IPA is espeak-ng's guess."
        )
    note = "Say it as written here"
    if fd.ACRONYM in finding.reasons:
        said = "as a word" if says_as_word(finding.text) else "spelled out"
        note = f"An acronym: suggested {said}; check which your callers expect"
    if tk.is_punctuated(finding.text):
        note += "; a punctuated match may be cut by a streaming client, check it in a turn"
    return Suggestion("rewrite", finding.text, replace, note + ".")

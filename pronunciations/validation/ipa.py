"""IPA text: which characters a transcription may hold and its phonemes, the one home of both.

What IPA is comes from ipakit (its IPA chart: phones, diacritics, suprasegmentals), not from a
list kept here. SLNG stores any text as an IPA value, so a character outside IPA is a hint, not
an error: lint warns about it (``pronunciations.lint``) and the admin's IPA field shows it as you
type (the characters travel to its script as ranges, ``IPA_RANGES``). ``ipa_phonemes`` splits a
transcription into phonemes (stress marks apart), which markups that list phonemes use.
Import it from ``pronunciations.validation``.
"""

import unicodedata
from functools import cache

import ipakit

# The Unicode blocks IPA draws from: Basic Latin, Latin-1, Latin Extended-A/B, IPA Extensions,
# spacing modifier letters, combining diacritics, Greek, phonetic extensions, punctuation and
# arrows (‖ ‿ ↗ ↘), Latin Extended-C (ⱱ) and the modifier tone letters (ꜛ ꜜ).
_BLOCKS = (
    (0x0020, 0x024F),
    (0x0250, 0x036F),
    (0x0370, 0x03FF),
    (0x1D00, 0x1DBF),
    (0x2000, 0x21FF),
    (0x2C60, 0x2C7F),
    (0xA700, 0xA71F),
)
TIE_BARS = "\u0361\u035c"
# The IPA chart writes the voiceless diacritic above a letter with a descender (ŋ̊); ipakit's
# chart has only its form below (U+0325), so the form above is added to what ipakit accepts.
CHART_ADDITIONS = "\u030a"
STRESS_MARKS = "ˈˌ"
# What separates syllables or words in a transcription and is no phoneme of its own.
SEPARATORS = " .#|‖"


def _accepted(char: str) -> bool:
    """ipakit reads ``char`` after a vowel as IPA, and does not take it for a lookalike of an
    IPA letter (``:`` for ``ː``, ``!`` for ``ǃ``); a letter it maps (``g`` to ``ɡ``) is IPA."""
    if ipakit.validate_ipa("a" + char):
        return False
    return ipakit.normalize_lookalikes(char) == char or char.isalpha()


@cache
def ipa_characters() -> frozenset[str]:
    """Every character an IPA transcription may hold, by ipakit's chart."""
    found = {chr(p) for low, high in _BLOCKS for p in range(low, high + 1) if _accepted(chr(p))}
    return frozenset(found | set(TIE_BARS) | set(CHART_ADDITIONS))


def _ranges(characters: frozenset[str]) -> tuple[tuple[int, int], ...]:
    points = sorted(ord(char) for char in characters)
    ranges: list[list[int]] = []
    for point in points:
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return tuple((low, high) for low, high in ranges)


# Code-point ranges (inclusive) of ``ipa_characters``, for the admin's script.
IPA_RANGES: tuple[tuple[int, int], ...] = _ranges(ipa_characters())


def is_ipa_character(char: str) -> bool:
    return char in ipa_characters()


def non_ipa_characters(value: str) -> list[str]:
    """The distinct characters of ``value`` outside IPA, sorted."""
    return sorted({char for char in value if not is_ipa_character(char)})


def ipa_hint(value: str) -> str | None:
    """A hint naming each character of ``value`` outside IPA, or None when all are IPA."""
    bad = non_ipa_characters(value)
    if not bad:
        return None
    names = ", ".join(f"{char!r} ({unicodedata.name(char, 'unnamed')})" for char in bad)
    return f"not IPA: {names}"


def ipa_words(value: str) -> list[list[str]]:
    """The phonemes of each word of ``value``, by ipakit's segmentation, with every stress mark
    a phoneme of its own where it was written and syllable breaks left out."""
    words = []
    for word in value.split():
        phonemes: list[str] = []
        for token in ipakit.tokenize(word):
            phonemes += _split_stress(token)
        if kept := [p for p in phonemes if p and p not in SEPARATORS]:
            words.append(kept)
    return words


def ipa_phonemes(value: str) -> list[str]:
    """The phonemes of ``value``, every word's in turn (see ``ipa_words``)."""
    return [phoneme for word in ipa_words(value) for phoneme in word]


def _split_stress(token: str) -> list[str]:
    """ipakit keeps a stress mark on the segment before it (``ɹˈ``): put it apart, in place."""
    parts, current = [], ""
    for char in token:
        if char in STRESS_MARKS:
            parts += [current, char] if current else [char]
            current = ""
        else:
            current += char
    return [*parts, current] if current else parts

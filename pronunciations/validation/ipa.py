"""IPA text: which characters a transcription may hold, the one home of that rule.

SLNG stores any text as an IPA value, so a character outside IPA is a hint, not an error: lint
warns about it (``pronunciations.lint``) and the admin's IPA field shows it as you type (the
ranges travel to its script, ``IPA_RANGES``). Import it from ``pronunciations.validation``.
"""

import unicodedata

# Code-point ranges (inclusive) of characters an IPA transcription may hold: lowercase Latin,
# IPA Extensions, spacing modifier letters (length, stress, tone letters), combining diacritics,
# phonetic extensions, the non-ASCII letters IPA borrows (æ ç ð ø ħ ŋ œ β θ χ), separators
# (space . | ‖ ‿ ↗ ↘), the click letters ǀ ǁ ǂ ǃ, the labiodental flap ⱱ, and the downstep
# and upstep letters.
IPA_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x0020),
    (0x002E, 0x002E),
    (0x0061, 0x007A),
    (0x007C, 0x007C),
    (0x00E6, 0x00E7),
    (0x00F0, 0x00F0),
    (0x00F8, 0x00F8),
    (0x0127, 0x0127),
    (0x014B, 0x014B),
    (0x0153, 0x0153),
    (0x01C0, 0x01C3),
    (0x0250, 0x036F),
    (0x03B2, 0x03B2),
    (0x03B8, 0x03B8),
    (0x03C7, 0x03C7),
    (0x1D00, 0x1DBF),
    (0x2016, 0x2016),
    (0x203F, 0x203F),
    (0x2197, 0x2198),
    (0x2C71, 0x2C71),
    (0xA71B, 0xA71C),
)


def is_ipa_character(char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in IPA_RANGES)


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

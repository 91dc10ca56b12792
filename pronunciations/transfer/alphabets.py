"""Phonetic alphabets other than IPA, converted with ipakit: X-SAMPA and CMU ARPAbet.

SLNG stores IPA only, so a PLS lexeme in ``x-sampa`` or ``cmu-arpabet`` imports as an IPA rule
converted here (the import report says so), and the Polly and ElevenLabs exports can write
those alphabets back (``from_ipa``). ipakit's conventions apply: ARPAbet's stress digit lands
on the vowel (``K AA1 R`` is ``kˈɑɹ``), and ARPAbet, a broad English phone set, keeps fewer
distinctions than IPA (a conversion to it may lose some).
"""

from collections.abc import Callable

import ipakit

XSAMPA = "x-sampa"
ARPABET = "cmu-arpabet"
# PLS alphabet names (lowercase) as vendors write them, to the alphabet they mean.
NAMES = {"x-sampa": XSAMPA, "xsampa": XSAMPA, "cmu-arpabet": ARPABET, "arpabet": ARPABET}


def _from_arpabet(text: str) -> str:
    return ipakit.from_cmu(text.split(), strict=True)


def _to_arpabet(ipa: str) -> str:
    """ARPAbet has no length: the length marks are left out (``ɑː`` is ``AA``)."""
    return " ".join(ipakit.to_cmu(ipa.replace("ː", "").replace("ˑ", ""), strict=True))


_TO_IPA: dict[str, Callable[[str], str]] = {
    XSAMPA: lambda text: ipakit.xsampa_to_ipa(text.strip(), strict=True),
    ARPABET: _from_arpabet,
}
_FROM_IPA: dict[str, Callable[[str], str]] = {
    XSAMPA: lambda ipa: ipakit.ipa_to_xsampa(ipa, strict=True),
    ARPABET: _to_arpabet,
}


def convertible(alphabet: str) -> str | None:
    """The alphabet ``alphabet`` names when Lexicon converts it, else None."""
    return NAMES.get(alphabet.strip().lower())


def to_ipa(alphabet: str, text: str) -> str | None:
    """``text`` in ``alphabet`` as IPA; None when a symbol has no IPA (or nothing is left)."""
    name = convertible(alphabet)
    if name is None:
        return None
    try:
        return _TO_IPA[name](text) or None
    except ValueError:
        return None


def from_ipa(alphabet: str, ipa: str) -> str | None:
    """``ipa`` written in ``alphabet``; None when a symbol has no equivalent there."""
    name = convertible(alphabet)
    if name is None:
        return None
    try:
        return _FROM_IPA[name](ipa) or None
    except ValueError:
        return None

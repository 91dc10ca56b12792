"""Cartesia Sonic 3 and 3.5: each phoneme between bars in double angle brackets, one word per
pair, no whitespace inside: *Cartesia* is ``<<k|ɑ|ɹ|ˈ|t|i|ʒ|ə>>`` (Cartesia's "IPA Phonemes").

Sonic 3 and 3.5 use the charsiu phone set; for English the page lists the phonemes below
(diphthongs and affricates are one phoneme each, stress marks stand alone where the syllable
starts). A phoneme outside it is sent as written, and lint names it.
"""

from pronunciations.validation import ipa_words
from sync.compile.markups import Markup

# Cartesia's English phoneme reference, as the page lists it.
_LISTED = "aɪ aʊ b d dʒ eɪ f h i j k l m n oʊ p s t tʃ u v w z æ ð ŋ ɑ ɔ ɔɪ ə ɛ ɝ ɡ ɪ ɹ ʃ ʊ ʒ ˈ ˌ θ"
ENGLISH = frozenset(_LISTED.split(" "))
_TIES = "\u0361\u035c"


def phonemes(word: list[str]) -> list[str]:
    """ipakit's segments joined where Cartesia's set has them as one phoneme (``a`` ``ɪ`` is
    ``aɪ``, ``t͡ʃ`` is ``tʃ``)."""
    merged: list[str] = []
    for segment in word:
        plain = segment.translate({ord(tie): None for tie in _TIES})
        segment = plain if plain in ENGLISH else segment
        if merged and merged[-1] + segment in ENGLISH:
            merged[-1] += segment
        else:
            merged.append(segment)
    return merged


def wrap(match: str, ipa: str) -> str:
    return " ".join(f"<<{'|'.join(phonemes(word))}>>" for word in ipa_words(ipa))


def outside(ipa: str) -> list[str]:
    """The phonemes of ``ipa`` outside Cartesia's documented English set, each once."""
    found = [p for word in ipa_words(ipa) for p in phonemes(word) if p not in ENGLISH]
    return list(dict.fromkeys(found))


def warns(ipa: str) -> list[str]:
    return [f"{symbol!r} is not in Cartesia's English phone set" for symbol in outside(ipa)]


CARTESIA = Markup(
    name="cartesia-bars",
    vendor="Cartesia",
    wrap=wrap,
    languages=("en",),
    phone_set=ENGLISH,
    warns=warns,
)

"""The rule value's input: on IPA rules, an IPA palette, hints and espeak-ng's suggestion.

The widget is a text input with data attributes; its script (``pronunciations/ipa.js``) adds the
tools next to it when the rule's mode is IPA (the row's mode field says so, or ``data-ipa`` is
``always``), and reads the palette and the IPA character ranges once from the admin's
``ipa/`` endpoint, so which characters are IPA is decided by ``pronunciations.validation`` only.
"""

import functools
from typing import Any

import ipakit
from django import forms
from django.urls import reverse

# The palette: IPA chart groups, each character inserted as it is (combining marks shown on ◌).
PALETTE: tuple[tuple[str, str], ...] = (
    ("Vowels", "i y ɨ ʉ ɯ u ɪ ʏ ʊ e ø ɘ ɵ ɤ o ə ɛ œ ɜ ɞ ʌ ɔ æ ɐ a ɶ ɑ ɒ"),
    (
        "Consonants",
        "p b t d ʈ ɖ c ɟ k ɡ q ɢ ʔ m ɱ n ɳ ɲ ŋ ɴ ʙ r ʀ ⱱ ɾ ɽ ɸ β f v θ ð s z ʃ ʒ ʂ ʐ ç ʝ x ɣ χ "
        "ʁ ħ ʕ h ɦ ɬ ɮ ʋ ɹ ɻ j ɰ l ɭ ʎ ʟ",
    ),
    ("Other symbols", "ʍ w ɥ ʜ ʢ ʡ ɕ ʑ ɺ ɧ ʘ ǀ ǃ ǂ ǁ ɓ ɗ ʄ ɠ ʛ"),
    ("Stress and length", "ˈ ˌ ː ˑ \u0306 . ‿ | ‖"),
    ("Diacritics", "\u0303 \u0325 \u030a \u0329 \u032f ʰ ʷ ʲ ˠ ˤ \u032a \u031a ˞ \u0308 \u0361"),
    ("Tones", "˥ ˦ ˧ ˨ ˩ ↗ ↘ ꜛ ꜜ"),
)


# The IPA chart's names of the palette's marks (ipakit names the phones).
MARK_NAMES = {
    "ˈ": "primary stress",
    "ˌ": "secondary stress",
    "ː": "long",
    "ˑ": "half-long",
    "\u0306": "extra-short",
    ".": "syllable break",
    "‿": "linking (no break)",
    "|": "minor (foot) group",
    "‖": "major (intonation) group",
    "\u0303": "nasalized",
    "\u0325": "voiceless",
    "\u030a": "voiceless (above a descender)",
    "\u0329": "syllabic",
    "\u032f": "non-syllabic",
    "ʰ": "aspirated",
    "ʷ": "labialized",
    "ʲ": "palatalized",
    "ˠ": "velarized",
    "ˤ": "pharyngealized",
    "\u032a": "dental",
    "\u031a": "no audible release",
    "˞": "rhoticity",
    "\u0308": "centralized",
    "\u0361": "tie bar (affricates and double articulations)",
    "˥": "extra-high tone",
    "˦": "high tone",
    "˧": "mid tone",
    "˨": "low tone",
    "˩": "extra-low tone",
    "↗": "global rise",
    "↘": "global fall",
    "ꜛ": "upstep",
    "ꜜ": "downstep",
}


@functools.cache
def sound_name(char: str) -> str:
    """What a palette character is called on the IPA chart (open-mid front unrounded vowel)."""
    if char in MARK_NAMES:
        return MARK_NAMES[char]
    described = ipakit.describe(char)
    return "" if described.startswith("unknown") else described


def palette_groups() -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "characters": characters.split(" "),
            "names": [sound_name(char) for char in characters.split(" ")],
        }
        for name, characters in PALETTE
    ]


class IpaValueInput(forms.TextInput):
    """A rule's value; for IPA rules its script adds a palette, hints and a suggestion."""

    class Media:
        css = {"all": ["pronunciations/ipa.css"]}
        js = ["pronunciations/ipa.js"]

    def __init__(self, attrs: dict[str, Any] | None = None, *, always: bool = False) -> None:
        super().__init__({"class": "vTextField", **(attrs or {})})
        self.always = always

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-ipa": "always" if self.always else "auto",
                "data-ipa-url": reverse("admin:pronunciations_dictionary_ipa"),
            }
        )
        return context

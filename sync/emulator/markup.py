"""Phoneme markup in the text a model receives, spoken by espeak-ng: an approximation.

SLNG's models take phonemes inline, each in its own markup (docs/vendors.md): Deepgram Aura-2 a
JSON object ``{"word": …, "pronounce": IPA}``, Cartesia Sonic 3 ``<<k|ɑ|ɹ>>``, KugelAudio
``/IPA/``, Eleven Flash v2 the SSML ``phoneme`` tag. The emulator finds the markup of the
route's model in the text and hands its IPA to espeak-ng as phoneme input (``[[…]]``), written
in espeak-ng's English phoneme names where this table has them and in Kirshenbaum's ASCII IPA
(ipakit) otherwise. It is an approximation of each model's reading, not a model: it shows that
the phonemes arrived, and roughly how they sound. Text outside markup is spoken as written.
"""

from __future__ import annotations

import html
import json
import re

import ipakit

# espeak-ng's English phoneme names (its docs/phonemes.md) for the IPA segments they cover.
ESPEAK_NAMES = {
    "æ": "a", "ɑ": "A:", "ɑː": "A:", "ʌ": "V", "ə": "@", "ɚ": "3", "ɝ": "3:", "ɜː": "3:",
    "ɪ": "I", "i": "i:", "iː": "i:", "ʊ": "U", "u": "u:", "uː": "u:", "ɛ": "E", "e": "e",
    "ɔ": "O:", "ɔː": "O:", "ɒ": "0", "o": "o", "eɪ": "eI", "aɪ": "aI", "oʊ": "oU", "əʊ": "@U",
    "aʊ": "aU", "ɔɪ": "OI", "a": "a", "ɹ": "r", "r": "r", "ɾ": "t", "ʒ": "Z", "ʃ": "S",
    "θ": "T", "ð": "D", "ŋ": "N", "dʒ": "dZ", "tʃ": "tS", "ɡ": "g", "j": "j", "ʔ": "?",
    "ˈ": "'", "ˌ": ",", "l̩": "@L", "x": "x", "ç": "C",
}  # fmt: skip
_PAIRS = {"e": "ɪ", "a": "ɪʊ", "o": "ʊɪ", "ə": "ʊ", "d": "ʒ", "t": "ʃ", "ɔ": "ɪ"}

_DEEPGRAM = re.compile(r'\{"word":\s*"(?:[^"\\]|\\.)*",\s*"pronounce":\s*"((?:[^"\\]|\\.)*)"\}')
_CARTESIA = re.compile(r"<<([^<>]*)>>")
_SLASHES = re.compile(r"/([^/\s][^/]*)/")
_SSML = re.compile(r'<phoneme alphabet="ipa" ph="([^"]*)">[^<]*</phoneme>')


def family(model: str) -> str | None:
    """The markup of the route's model, as the emulator reads it (None: it takes none)."""
    model = model.strip("/")
    if model in ("deepgram/aura:2", "slng/deepgram/aura:2-en", "slng/deepgram/aura:2-es"):
        return "deepgram"
    if model in ("cartesia/sonic:3", "cartesia/sonic:3.5"):
        return "cartesia"
    if model.startswith("kugelaudio/"):
        return "slashes"
    if model == "elevenlabs/eleven-flash:2":
        return "ssml"
    return None


def espeak_phonemes(ipa: str) -> str:
    """IPA as espeak-ng phoneme input, ``[[…]]``: its English names, else Kirshenbaum."""
    segments = [s.replace("\u0361", "") for s in ipakit.tokenize(ipa.replace("|", ""))]
    names: list[str] = []
    at = 0
    while at < len(segments):
        pair = "".join(segments[at : at + 2])
        if pair in ESPEAK_NAMES and segments[at][:1] in _PAIRS:
            names.append(ESPEAK_NAMES[pair])
            at += 2
            continue
        segment = segments[at]
        stress = segment[-1] if segment[-1:] in "ˈˌ" and len(segment) > 1 else ""
        core = segment[:-1] if stress else segment
        names.append(ESPEAK_NAMES.get(core) or ipakit.to_kirshenbaum(core) or "")
        if stress:
            names.append(ESPEAK_NAMES[stress])
        at += 1
    return f"[[{''.join(names)}]]"


def spoken(text: str, model: str | None) -> str:
    """``text`` with the route's markup turned into espeak-ng phoneme input."""
    kind = family(model or "")
    if kind == "deepgram":
        return _DEEPGRAM.sub(lambda m: espeak_phonemes(json.loads(f'"{m.group(1)}"')), text)
    if kind == "cartesia":
        return _CARTESIA.sub(lambda m: espeak_phonemes(m.group(1)), text)
    if kind == "slashes":
        return _SLASHES.sub(lambda m: espeak_phonemes(m.group(1)), text)
    if kind == "ssml":
        return _SSML.sub(lambda m: espeak_phonemes(html.unescape(m.group(1))), text)
    return text

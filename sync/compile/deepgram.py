"""Deepgram Aura-2: a JSON object inline, ``{"word": "dupilumab", "pronounce": "duːˈpɪljuːmæb"}``,
with IPA in ``pronounce`` (Deepgram's "TTS voice controls" and changelog of 2026-05-04)."""

import json

from sync.compile.markups import Markup


def wrap(match: str, ipa: str) -> str:
    """The object as Deepgram writes it: ``word`` first, a space after each separator."""
    return json.dumps({"word": match, "pronounce": ipa}, ensure_ascii=False)


DEEPGRAM = Markup(name="deepgram-json", vendor="Deepgram", wrap=wrap, languages=("en", "es"))

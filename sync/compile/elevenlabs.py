"""ElevenLabs: the SSML ``phoneme`` tag, English only, on Eleven Flash v2 (and English v1, Turbo
v2, which SLNG does not route); other models skip the tag silently (ElevenLabs' help centre,
"Do pauses and SSML phoneme tags work with the API?", and its pronunciation dictionaries page)."""

from xml.sax.saxutils import escape, quoteattr

from sync.compile.markups import Markup


def wrap(match: str, ipa: str) -> str:
    return f'<phoneme alphabet="ipa" ph={quoteattr(ipa)}>{escape(match)}</phoneme>'


ELEVENLABS = Markup(name="ssml-phoneme", vendor="ElevenLabs", wrap=wrap, languages=("en",))

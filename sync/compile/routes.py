"""SLNG's TTS model routes (as ``voiceai-sdk`` lists them) and the markup each model takes.

A target's ``model`` is the route after ``/v1/tts/`` or ``/v1/bridges/unmute/tts/``; a route not
listed here (or listed with None) takes no phonemes. Sources for each row: docs/vendors.md.
"""

from sync.compile.cartesia import CARTESIA
from sync.compile.deepgram import DEEPGRAM
from sync.compile.elevenlabs import ELEVENLABS
from sync.compile.kugelaudio import KUGELAUDIO
from sync.compile.markups import Markup

ROUTES: dict[str, Markup | None] = {
    "cartesia/sonic:3": CARTESIA,
    "cartesia/sonic:3.5": CARTESIA,
    "deepgram/aura:2": DEEPGRAM,
    "slng/deepgram/aura:2-en": DEEPGRAM,
    "slng/deepgram/aura:2-es": DEEPGRAM,
    "elevenlabs/eleven-flash:2": ELEVENLABS,
    "elevenlabs/eleven-flash:2.5": None,
    "elevenlabs/eleven-multilingual:2": None,
    "elevenlabs/eleven:3": None,
    "kugelaudio/kugel:1": KUGELAUDIO,
    "kugelaudio/kugel:1-turbo": KUGELAUDIO,
    "kugelaudio/kugel:2": KUGELAUDIO,
    "murf/murftts:falcon": None,
    "sarvam/bulbul:v3": None,
    "slng/canopylabs/orpheus:en": None,
    "slng/rime/arcana:3-en": None,
    "slng/rime/arcana:3-hi": None,
    "slng/rime/arcana:ar": None,
    "slng/rime/arcana:de": None,
    "slng/rime/arcana:en": None,
    "slng/rime/arcana:es": None,
    "slng/rime/arcana:fr": None,
    "slng/rime/coda:0-id": None,
    "soniox/tts-rt:v1": None,
}


def markup_for(model: str) -> Markup | None:
    """The markup the model takes phonemes in, or None when it takes none."""
    return ROUTES.get(model.strip().strip("/"))

"""Is an HTTP TTS answer audio? Its content type and its body's own header must both say so."""

import re

NOT_AUDIO = "not_audio"  # the code of a TTS answer that is not audio (never passed on)
_AUDIO_TYPE = re.compile(r"audio/[a-z0-9.+-]{1,40}")
# A container's magic at the start of its bytes, and the content type it is passed on as.
_MAGIC: tuple[tuple[re.Pattern[bytes], str], ...] = (
    (re.compile(rb"RIFF....WAVE", re.DOTALL), "audio/wav"),
    (re.compile(rb"ID3"), "audio/mpeg"),
    (re.compile(rb"\xff[\xe0-\xff]"), "audio/mpeg"),  # an MPEG audio frame's sync word
    (re.compile(rb"OggS"), "audio/ogg"),
    (re.compile(rb"fLaC"), "audio/flac"),
)


def audio_type(content_type: str, head: bytes) -> str | None:
    """The content type to pass the audio on as, or None unless ``content_type`` is an audio
    type and ``head`` (the body's first bytes) starts a WAV, MP3, Ogg or FLAC stream."""
    declared = content_type.split(";")[0].strip().lower()
    if not _AUDIO_TYPE.fullmatch(declared):
        return None
    for magic, kind in _MAGIC:
        if magic.match(head):
            return kind
    return None

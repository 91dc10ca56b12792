"""Tiny synthetic audio for the emulator: 20 ms frames of a quiet 440 Hz tone."""

from __future__ import annotations

import array
import base64
import functools
import math
import sys

FRAME_MS = 20
TONE_HZ = 440.0
AMPLITUDE = 1000  # quiet: about -30 dBFS
# One byte of silence per sample for the 8-bit telephony encodings.
SILENCE_BYTE = {"mulaw": b"\xff", "alaw": b"\xd5"}
ENCODINGS = ("linear16", "mulaw", "alaw")
CHARS_PER_CHUNK = 40
MAX_CHUNKS_PER_TURN = 8


@functools.lru_cache(maxsize=32)
def frame(sample_rate: int, encoding: str) -> bytes:
    """One 20 ms frame: little-endian signed 16-bit PCM for linear16, silence for 8-bit codecs."""
    samples = sample_rate * FRAME_MS // 1000
    if encoding in SILENCE_BYTE:
        return SILENCE_BYTE[encoding] * samples
    step = 2 * math.pi * TONE_HZ / sample_rate
    pcm = array.array("h", (round(AMPLITUDE * math.sin(step * i)) for i in range(samples)))
    if sys.byteorder == "big":
        pcm.byteswap()
    return pcm.tobytes()


@functools.lru_cache(maxsize=32)
def frame_base64(sample_rate: int, encoding: str) -> str:
    return base64.b64encode(frame(sample_rate, encoding)).decode("ascii")


def frame_seconds(sample_rate: int) -> float:
    return (sample_rate * FRAME_MS // 1000) / sample_rate


def chunk_count(text: str) -> int:
    """How many 20 ms chunks a turn yields: none for blank text, one more per 40 characters."""
    if not text.strip():
        return 0
    return min(MAX_CHUNKS_PER_TURN, 1 + len(text) // CHARS_PER_CHUNK)

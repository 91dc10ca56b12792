"""Real speech for the emulator: espeak-ng says the rewritten text, in the session's encoding.

espeak-ng (Debian's ``espeak-ng`` package) writes 16-bit mono WAV at its own rate (22050 Hz);
the emulator resamples that to the requested rate and encodes it as ``linear16`` (signed 16-bit
little-endian PCM), ``mulaw`` or ``alaw`` (G.711). When espeak-ng is missing or fails, a quiet
tone stands in (sync/emulator/audio.py), and the log says so once.
"""

from __future__ import annotations

import array
import asyncio
import functools
import logging
import re
import shutil
import struct
import sys
from collections import OrderedDict
from dataclasses import dataclass

logger = logging.getLogger("sync.emulator")

ESPEAK = "espeak-ng"
DEFAULT_VOICE = "en-us"
ESPEAK_TIMEOUT = 10.0  # seconds one synthesis may take before the tone stands in
MAX_TEXT_CHARS = 1000  # longer turns are spoken truncated (the emulator is not a TTS farm)
CHUNK_MS = 100  # audio per frame sent over the WebSocket
_VOICE_PATTERN = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
_CACHE_SIZE = 16
_WAV_FORMAT = {"linear16": (1, 16), "mulaw": (7, 8), "alaw": (6, 8)}  # format tag, bits


@dataclass(frozen=True)
class Pcm:
    """Signed 16-bit mono samples at ``rate`` Hz."""

    samples: array.array[int]
    rate: int


class Speaker:
    """Synthesizes text with espeak-ng (``engine="espeak"``), or a tone (``engine="tone"``).

    ``engine="auto"`` uses espeak-ng when it is installed. Results are cached per (text, voice).
    """

    def __init__(self, engine: str = "auto") -> None:
        if engine not in ("auto", "espeak", "tone"):
            raise ValueError("engine must be auto, espeak or tone")
        self.engine = engine
        self._binary = shutil.which(ESPEAK) if engine != "tone" else None
        self._warned = False
        self._cache: OrderedDict[tuple[str, str], Pcm] = OrderedDict()
        if engine != "tone" and self._binary is None:
            self._fallback("espeak-ng is not installed")

    @property
    def speaks(self) -> bool:
        """True when real speech (espeak-ng) is used."""
        return self._binary is not None

    def _fallback(self, reason: str) -> None:
        if not self._warned:
            self._warned = True
            logger.warning("%s: the emulator speaks a tone instead of the text", reason)

    async def pcm(self, text: str, language: object = None) -> Pcm | None:
        """The text spoken at espeak-ng's own rate; None when the tone must stand in."""
        if self._binary is None:
            return None
        voice = voice_for(language)
        key = (text[:MAX_TEXT_CHARS], voice)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        result = await self._synthesize(*key)
        if result is None:
            return None
        self._cache[key] = result
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return result

    async def _synthesize(self, text: str, voice: str) -> Pcm | None:
        for candidate in dict.fromkeys((voice, DEFAULT_VOICE)):
            wav = await self._run(text, candidate)
            if wav is not None:
                parsed = parse_wav(wav)
                if parsed is not None:
                    return parsed
        self._fallback("espeak-ng failed")
        return None

    async def _run(self, text: str, voice: str) -> bytes | None:
        # The text goes through stdin, never the command line: no option injection.
        assert self._binary is not None  # noqa: S101 - only called when installed
        process = await asyncio.create_subprocess_exec(
            self._binary,
            "--stdout",
            "-b",
            "1",
            "-v",
            voice,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            out, _ = await asyncio.wait_for(
                process.communicate(text.encode("utf-8")), ESPEAK_TIMEOUT
            )
        except TimeoutError:
            process.kill()
            await process.wait()
            return None
        return out if process.returncode == 0 and out else None


def voice_for(language: object) -> str:
    """An espeak-ng voice from ``config.language`` ("en", "en-US", "de"); else American English."""
    if isinstance(language, str) and _VOICE_PATTERN.fullmatch(language.lower()):
        return language.lower()
    return DEFAULT_VOICE


def parse_wav(data: bytes) -> Pcm | None:
    """Samples of a 16-bit mono PCM WAV. espeak-ng streams its WAV with placeholder sizes, so the
    data chunk is taken to the end of the bytes."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    at, rate = 12, 0
    while at + 8 <= len(data):
        kind, size = data[at : at + 4], struct.unpack_from("<I", data, at + 4)[0]
        body = at + 8
        if kind == b"fmt ":
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, body)
            if (tag, channels, bits) != (1, 1, 16):
                return None
        elif kind == b"data":
            end = min(len(data), body + size)
            end -= (end - body) % 2
            samples = array.array("h", data[body:end])
            if sys.byteorder == "big":
                samples.byteswap()
            return Pcm(samples, rate) if rate else None
        at = body + size + (size % 2)
    return None


def resample(pcm: Pcm, rate: int) -> array.array[int]:
    """Linear interpolation to ``rate`` Hz (speech quality is not the point, the length is)."""
    source = pcm.samples
    if rate == pcm.rate or not source:
        return array.array("h", source)
    count = len(source) * rate // pcm.rate
    ratio = pcm.rate / rate
    last = len(source) - 1
    out = array.array("h", bytes(2 * count))
    for i in range(count):
        position = i * ratio
        left = int(position)
        right = left + 1 if left < last else last
        fraction = position - left
        out[i] = int(source[left] + (source[right] - source[left]) * fraction)
    return out


def encode(samples: array.array[int], encoding: str) -> bytes:
    """``linear16`` little-endian bytes, or G.711 ``mulaw`` / ``alaw`` (one byte per sample)."""
    if encoding == "linear16":
        out = array.array("h", samples)
        if sys.byteorder == "big":
            out.byteswap()
        return out.tobytes()
    table = _g711_table(encoding)
    return bytes(table[sample + 32768] for sample in samples)


async def speak(
    speaker: Speaker, text: str, *, rate: int, encoding: str, language: object
) -> bytes | None:
    """The text spoken at ``rate`` Hz in ``encoding``; None when the tone must stand in.

    Resampling and encoding run in a thread so a long turn does not stall other sessions.
    """
    pcm = await speaker.pcm(text, language)
    if pcm is None:
        return None
    return await asyncio.to_thread(lambda: encode(resample(pcm, rate), encoding))


def bytes_per_second(rate: int, encoding: str) -> int:
    return rate * (2 if encoding == "linear16" else 1)


def chunks(audio: bytes, rate: int, encoding: str) -> list[bytes]:
    """Split audio into CHUNK_MS pieces (whole samples)."""
    size = bytes_per_second(rate, encoding) * CHUNK_MS // 1000
    size = max(2, size - size % 2)
    return [audio[at : at + size] for at in range(0, len(audio), size)]


def wav(audio: bytes, rate: int, encoding: str) -> bytes:
    """A WAV file holding ``audio`` as it is: PCM16, or G.711 µ-law / A-law (format tags 7 / 6)."""
    tag, bits = _WAV_FORMAT[encoding]
    block = bits // 8
    extra = b"" if tag == 1 else struct.pack("<H", 0)
    fmt = struct.pack("<HHIIHH", tag, 1, rate, rate * block, block, bits) + extra
    body = b"WAVE" + _chunk(b"fmt ", fmt) + _chunk(b"data", audio)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")


@functools.lru_cache(maxsize=2)
def _g711_table(encoding: str) -> bytes:
    """Every signed 16-bit sample (offset by 32768) mapped to its G.711 byte."""
    encoder = _mulaw if encoding == "mulaw" else _alaw
    return bytes(encoder(sample) for sample in range(-32768, 32768))


# G.711 segment ends: µ-law on 14-bit magnitudes, A-law on 13-bit ones (ITU-T G.711 tables).
_ULAW_SEGMENTS = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)
_ALAW_SEGMENTS = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def _segment(value: int, ends: tuple[int, ...]) -> int:
    return next((index for index, end in enumerate(ends) if value <= end), len(ends))


def _mulaw(sample: int) -> int:
    value, mask = sample >> 2, 0xFF
    if value < 0:
        value, mask = -value, 0x7F
    value = min(value, 8159) + (0x84 >> 2)  # clip, then add the bias
    segment = _segment(value, _ULAW_SEGMENTS)
    if segment >= 8:
        return 0x7F ^ mask
    return ((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask


def _alaw(sample: int) -> int:
    value, mask = sample >> 3, 0xD5
    if value < 0:
        value, mask = -value - 1, 0x55
    segment = _segment(value, _ALAW_SEGMENTS)
    if segment >= 8:
        return 0x7F ^ mask
    shift = 1 if segment < 2 else segment
    return ((segment << 4) | ((value >> shift) & 0x0F)) ^ mask

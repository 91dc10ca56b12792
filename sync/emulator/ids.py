"""ULID-like identifiers for the emulator: 26 Crockford base32 characters, time-ordered."""

from __future__ import annotations

import secrets
import threading
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_BITS = 80
_RANDOM_MAX = (1 << _RANDOM_BITS) - 1


class UlidGenerator:
    """Make monotonic ULIDs: 48-bit millisecond time then 80 random bits.

    Within one millisecond the random part is incremented instead of redrawn, so ids made by
    one generator always sort in creation order.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_random = 0

    def new(self) -> str:
        with self._lock:
            now_ms = time.time_ns() // 1_000_000
            if now_ms <= self._last_ms and self._last_random < _RANDOM_MAX:
                now_ms = self._last_ms
                self._last_random += 1
            else:
                self._last_random = secrets.randbits(_RANDOM_BITS)
            self._last_ms = now_ms
            value = (now_ms << _RANDOM_BITS) | self._last_random
        return _encode(value)


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 0x1F])
        value >>= 5
    return "".join(reversed(chars))


_GENERATOR = UlidGenerator()


def new_ulid() -> str:
    """Return a new 26-character ULID string."""
    return _GENERATOR.new()


def new_request_id() -> str:
    """Return a request id shaped like SLNG's: ``req_`` + ULID."""
    return "req_" + _GENERATOR.new()


def new_dictionary_id() -> str:
    """Return a dictionary id shaped like SLNG's: ``pd_`` + ULID."""
    return "pd_" + _GENERATOR.new()


def new_session_id() -> str:
    """Return a TTS session id: ``sess_`` + ULID (SLNG's format is not documented)."""
    return "sess_" + _GENERATOR.new()

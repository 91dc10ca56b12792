"""Reading SLNG's TTS WebSocket: wait for a frame, count one turn's audio; error frames raise."""

import base64
import json
import time
from typing import Any

from websockets.exceptions import ConnectionClosedOK
from websockets.sync.connection import Connection

from sync.client.errors import frame_error

# Frames that end a turn: SLNG's own, and the provider-native form (Deepgram's "Flushed").
_TURN_END = {"audio_end", "flushed", "Flushed"}


def await_frame(
    ws: Connection,
    wanted: set[str],
    timeout: float,
    *,
    send: dict[str, Any] | None = None,
    request_id: str = "",
) -> dict[str, Any]:
    """Send ``send`` (if any) and read frames until one of type ``wanted``; error frames raise.

    Binary frames (audio before ``ready``) are skipped.
    """
    if send is not None:
        ws.send(json.dumps(send))
    give_up_at = time.monotonic() + timeout
    while True:
        remaining = give_up_at - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no {sorted(wanted)} frame within {timeout}s")
        raw = ws.recv(timeout=remaining)
        if isinstance(raw, bytes):
            continue
        frame = json_frame(raw)
        kind = frame.get("type")
        if kind in ("error", "Error"):
            raise frame_error(frame, request_id)
        if kind in wanted:
            return frame


def await_audio(ws: Connection, timeout: float, *, request_id: str) -> tuple[int, int]:
    """Read one turn's audio, binary frames or JSON ``audio_chunk``; return (chunks, bytes).

    The turn ends at ``audio_end`` / ``flushed`` (or a close) once audio arrived. An error frame
    raises; the socket closing before any audio raises ConnectionClosed.
    """
    give_up_at = time.monotonic() + timeout
    chunks = size = 0
    while True:
        remaining = give_up_at - time.monotonic()
        if remaining <= 0:
            if chunks:
                return chunks, size  # audio came; a route that never ends a turn is still fine
            raise TimeoutError(f"no audio within {timeout}s")
        try:
            raw = ws.recv(timeout=remaining)
        except ConnectionClosedOK:
            if chunks:
                return chunks, size  # some routes close the socket to end the turn
            raise
        if isinstance(raw, bytes):
            chunks, size = chunks + 1, size + len(raw)
            continue
        frame = json_frame(raw)
        kind = frame.get("type")
        if kind in ("error", "Error"):
            raise frame_error(frame, request_id)
        if kind == "audio_chunk":
            chunks, size = chunks + 1, size + len(_b64(frame.get("data")))
        elif kind in _TURN_END and chunks:
            return chunks, size


def _b64(data: object) -> bytes:
    try:
        return base64.b64decode(str(data or ""), validate=True)
    except ValueError:
        return b""


def json_frame(raw: str) -> dict[str, Any]:
    try:
        frame = json.loads(raw)
    except ValueError:
        return {}
    return frame if isinstance(frame, dict) else {}

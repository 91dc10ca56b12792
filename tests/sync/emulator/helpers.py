"""Shared by the emulator's tests: keys, paths, body builders and WebSocket helpers."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect
from websockets.sync.connection import Connection

from sync.emulator import EmulatorThread

KEY_A, KEY_B, KEY_UNLABELLED = "sk_test_alpha", "sk_test_bravo", "sk_test_nolabel"
COLLECTION = "/v1/pronunciation/dictionaries"
NATIVE_PATH = "/v1/tts/slng/deepgram/aura:2"
BRIDGE_PATH = "/v1/bridges/unmute/tts/slng/deepgram/aura:2-en"
ULID = r"[0-9A-HJKMNP-TV-Z]{26}"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
TIMEOUT = 5.0
UNAUTHENTICATED = {
    "code": "pronunciation_unauthenticated",
    "error": "Missing or invalid organization context.",
}
UNAVAILABLE = {
    "code": "pronunciation_unavailable",
    "error": "Pronunciation dictionaries are temporarily unavailable.",
}
RULES = [
    {"match": "SLNG", "replace": "slang"},
    {"match": "ACH", "replace": "ay see aitch"},
    {"match": "ACH transfer", "replace": "ay see aitch transfer"},
]


class FakeClock:
    """A monotonic clock the test moves by hand (for the visibility delay)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def auth(key: str = KEY_A) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def body_for(name: str = "brand", rules: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"name": name, "modes": {"rewrite": {"rules": RULES if rules is None else rules}}}


def create(client: httpx.Client, body: object, key: str = KEY_A) -> httpx.Response:
    return client.post(COLLECTION, json=body, headers=auth(key))


def expected_hash(modes: dict[str, Any]) -> str:
    canonical = json.dumps(modes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def without_generated(body: dict[str, Any]) -> dict[str, Any]:
    """Check the generated id and timestamp formats, then drop them for a whole-body compare."""
    assert re.fullmatch("pd_" + ULID, body["id"])
    assert TIMESTAMP.fullmatch(body["created_at"])
    return {k: v for k, v in body.items() if k not in ("id", "created_at")}


def error_body(response: httpx.Response) -> dict[str, Any]:
    """Check the request id (format, and equal to the header), then return the rest."""
    body = dict(response.json())
    request_id = body.pop("slng_request_id")
    assert re.fullmatch("req_" + ULID, request_id)
    assert response.headers["X-Request-Id"] == request_id
    return body


def open_ws(
    emulator: EmulatorThread, path: str = NATIVE_PATH, key: str | None = KEY_A, **kwargs: Any
) -> ClientConnection:
    headers = auth(key) if key else None
    return connect(
        emulator.ws_url + path,
        additional_headers=headers,
        proxy=None,
        open_timeout=TIMEOUT,
        **kwargs,
    )


def send(ws: Connection, **message: Any) -> None:
    ws.send(json.dumps(message))


def recv(ws: Connection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(ws.recv(timeout=TIMEOUT))
    return frame


def init(ws: Connection, **config: Any) -> dict[str, Any]:
    send(ws, type="init", model="aura:2", voice="thalia", config=config)
    return recv(ws)


def speak(ws: Connection, text: str, **extra: Any) -> list[dict[str, Any]]:
    """Send one flushed text turn; return every frame up to and including audio_end."""
    send(ws, type="text", text=text, flush=True, **extra)
    frames = [recv(ws)]
    while frames[-1]["type"] not in ("audio_end", "error"):
        frames.append(recv(ws))
    return frames


def reference(name: str) -> dict[str, str]:
    return {"mode": "rewrite", "name": name}

"""The emulator's records: API keys, logged requests, TTS sessions and stored dictionaries.

Plain data that ``state.EmulatorState`` keeps and the HTTP and TTS handlers read; reading a keys
file is here too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ApiKey:
    """An SLNG API key and the org it resolves to. The secret never shows in a repr."""

    key: str = field(repr=False)
    org_id: str
    label: str | None = None


@dataclass(frozen=True)
class RequestLogEntry:
    """One request the emulator answered. It never holds the API key (nor the query string).

    ``received_at`` and ``answered_at`` are ``time.monotonic()`` readings of the emulator's
    process: when the request arrived (before any latency) and when it was answered (a
    WebSocket: when the upgrade was). They order requests against each other, so a test can
    tell what was in flight at once or what waited out a Retry-After.
    """

    method: str
    path: str
    status: int
    org_id: str | None
    request_id: str
    received_at: float = 0.0
    answered_at: float = 0.0

    def to_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)


@dataclass
class SessionRecord:
    """One TTS session (a WebSocket, or one HTTP TTS call) and what the "model" received.

    ``texts`` holds the rewritten text per text turn and ``originals`` the text as sent;
    ``headers`` the session headers (never a key: see SESSION_HEADERS); ``init`` the ``init``
    message (or the HTTP body without its text); ``audio_bytes`` the audio sent, all turns.
    """

    session_id: str
    org_id: str
    path: str
    model: str | None = None
    texts: list[str] = field(default_factory=list)
    kind: str = "ws"  # ws | http
    framing: str | None = None  # json | binary for WebSockets
    headers: dict[str, str] = field(default_factory=dict)
    init: dict[str, Any] | None = None
    originals: list[str] = field(default_factory=list)
    audio_bytes: int = 0
    errors: list[str] = field(default_factory=list)  # error codes sent

    def to_json(self) -> dict[str, object]:
        return json.loads(json.dumps(dataclasses.asdict(self)))

    def copy(self) -> SessionRecord:
        return SessionRecord(**json.loads(json.dumps(dataclasses.asdict(self))))


# Headers a session record keeps: tracking and routing headers, never a credential
# (LiveKit sends the key as X-API-Key too, and BYOK as X-Slng-Provider-Key).
SESSION_HEADERS = (
    "x-slng-session-id",
    "x-slng-agent-id",
    "x-region-override",
    "x-world-part-override",
    "user-agent",
)


def session_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: headers[name] for name in SESSION_HEADERS if name in headers}


@dataclass(frozen=True)
class StoredDictionary:
    """A dictionary as SLNG returns it (``body``) plus when TTS may first see it."""

    body: dict[str, Any]
    visible_at: float


class DictionaryConflict(Exception):
    """The org already has a dictionary with this name (compared case-insensitively)."""


def content_hash(modes: Mapping[str, Any]) -> str:
    """``sha256:`` + hex digest of the canonical JSON of ``modes`` (the emulator's choice)."""
    canonical = json.dumps(modes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def load_keys(path: str | Path) -> list[ApiKey]:
    """Read a keys file: ``{"keys": [{"key": ..., "org_id": ..., "label": ...}]}``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError("keys file must be an object with a 'keys' array")
    return [key_from_json(entry, index) for index, entry in enumerate(entries)]


def key_from_json(entry: object, index: int) -> ApiKey:
    if not isinstance(entry, dict):
        raise ValueError(f"keys[{index}] must be an object")
    key, org_id, label = entry.get("key"), entry.get("org_id"), entry.get("label")
    if not isinstance(key, str) or not key or not isinstance(org_id, str) or not org_id:
        raise ValueError(f"keys[{index}] needs non-empty string 'key' and 'org_id'")
    if label is not None and not isinstance(label, str):
        raise ValueError(f"keys[{index}].label must be a string")
    return ApiKey(key=key, org_id=org_id, label=label)

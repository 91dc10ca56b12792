"""In-memory state of the emulator: keys, per-org dictionaries, faults, logs and TTS sessions.

Every public method is thread-safe, so a synchronous test can drive the state while the server
runs in another thread (see EmulatorThread).
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from sync.emulator import ids
from sync.emulator.faults import WS_ERROR_CODES, Faults, SessionFaults, faults_updated
from sync.emulator.records import (
    ApiKey,
    DictionaryConflict,
    RequestLogEntry,
    SessionRecord,
    StoredDictionary,
    content_hash,
    iso_now,
    load_keys,
    session_headers,
)
from sync.emulator.speech import Speaker
from sync.emulator.validation import clean_create_body


class EmulatorState:
    """Everything the emulator knows. Build it in Python for tests, or from a keys file."""

    def __init__(
        self,
        keys: Iterable[ApiKey] = (),
        *,
        clock: Callable[[], float] = time.monotonic,
        speech: str = "tone",
        latency_ms: int = 0,
    ) -> None:
        """``speech``: ``tone`` (default: fast, deterministic 20 ms frames), ``espeak`` or
        ``auto`` (espeak-ng says the rewritten text; a tone when it is missing).
        ``latency_ms`` models the network (docs/emulator.md): every HTTP call, every WebSocket
        handshake and every WebSocket client frame is answered that much later. Unlike the
        latency faults it is a setting: ``clear_faults`` and ``reset`` keep it."""
        if isinstance(latency_ms, bool) or not isinstance(latency_ms, int) or latency_ms < 0:
            raise ValueError("latency_ms must be a non-negative integer")
        self.latency_ms = latency_ms
        self._lock = threading.RLock()
        self.speaker = Speaker(speech)
        self._clock = clock
        self._keys: dict[str, ApiKey] = {}
        self._dictionaries: dict[str, dict[str, StoredDictionary]] = {}
        self._faults = Faults()
        self._log: list[RequestLogEntry] = []
        self._sessions: dict[str, SessionRecord] = {}
        for api_key in keys:
            self.add_key(api_key)

    @classmethod
    def from_keys_file(
        cls, path: str | Path, *, speech: str = "tone", latency_ms: int = 0
    ) -> EmulatorState:
        return cls(load_keys(path), speech=speech, latency_ms=latency_ms)

    # -- keys ---------------------------------------------------------------------------------

    def add_key(self, api_key: ApiKey) -> None:
        with self._lock:
            self._keys[api_key.key] = api_key

    def resolve_key(self, key: str) -> ApiKey | None:
        with self._lock:
            return self._keys.get(key)

    # -- dictionaries -------------------------------------------------------------------------

    def create_dictionary(
        self, org_id: str, body: object, *, key_label: str | None = None
    ) -> dict[str, Any]:
        """Validate and store a dictionary; return its wire form.

        Raises ValidationFailed (400) or DictionaryConflict (409).
        """
        name, modes, metadata = clean_create_body(body)
        record: dict[str, Any] = {
            "id": ids.new_dictionary_id(),
            "org_id": org_id,
            "name": name,
            "normalized_name": name.lower(),
            "modes": modes,
            "content_hash": content_hash(modes),
            "created_at": iso_now(),
        }
        if metadata is not None:
            record["metadata"] = metadata
        if key_label is not None:
            record["created_by_key_label"] = key_label
        with self._lock:
            org = self._dictionaries.setdefault(org_id, {})
            if record["normalized_name"] in org:
                raise DictionaryConflict(name)
            visible_at = self._clock() + self._faults.visibility_delay_ms / 1000
            org[record["normalized_name"]] = StoredDictionary(record, visible_at)
        return _copy(record)

    def get_dictionary(self, org_id: str, name: str) -> dict[str, Any] | None:
        with self._lock:
            stored = self._dictionaries.get(org_id, {}).get(name.lower())
            return _copy(stored.body) if stored else None

    def list_dictionaries(self, org_id: str) -> list[dict[str, Any]]:
        """The org's dictionaries sorted by normalized name."""
        with self._lock:
            org = self._dictionaries.get(org_id, {})
            return [_copy(org[normalized].body) for normalized in sorted(org)]

    def delete_dictionary(self, org_id: str, name: str) -> bool:
        with self._lock:
            return self._dictionaries.get(org_id, {}).pop(name.lower(), None) is not None

    def all_dictionaries(self) -> list[dict[str, Any]]:
        """Every org's dictionaries (admin/debug view), sorted by org then normalized name."""
        with self._lock:
            orgs = sorted(self._dictionaries)
            return [d for org_id in orgs for d in self.list_dictionaries(org_id)]

    def resolve_for_tts(self, org_id: str, reference: Mapping[str, Any]) -> dict[str, Any] | None:
        """Find the dictionary a valid TTS reference names, as TTS sees it (visibility delay)."""
        with self._lock:
            org = self._dictionaries.get(org_id, {})
            if "name" in reference:
                candidates = [org.get(str(reference["name"]).lower())]
            else:
                candidates = [s for s in org.values() if s.body["id"] == reference["dictionary_id"]]
            now = self._clock()
            for stored in candidates:
                if stored is not None and stored.visible_at <= now:
                    return _copy(stored.body)
        return None

    # -- faults -------------------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        """A copy of the current fault settings."""
        with self._lock:
            return dataclasses.replace(self._faults)

    def fail_http(self, count: int = 1) -> None:
        """Answer the next ``count`` dictionary calls with 503 pronunciation_unavailable."""
        self.update_faults({"http_failures": count})

    def set_latency(self, *, http_ms: int | None = None, ws_ms: int | None = None) -> None:
        """Delay dictionary calls (http_ms) and/or WebSocket answers (ws_ms); None leaves as is."""
        changes = {"http_latency_ms": http_ms, "ws_latency_ms": ws_ms}
        self.update_faults({k: v for k, v in changes.items() if v is not None})

    def rate_limit_http(self, calls: int = 1, *, retry_after: int = 1, after: int = 0) -> None:
        """Answer ``calls`` dictionary calls with 429 rate_limit and ``Retry-After``, once
        ``after`` more calls have passed (a storm that starts in the middle of a run)."""
        limit = {"calls": calls, "retry_after": retry_after, "after": after}
        self.update_faults({"http_rate_limit": limit})

    def drop_ws(self, after_chunks: int, *, sessions: int = 1) -> None:
        """Abruptly drop the next ``sessions`` WebSockets once ``after_chunks`` chunks were sent."""
        self.update_faults({"ws_drop": {"after_chunks": after_chunks, "sessions": sessions}})

    def fail_ws(self, code: str, *, sessions: int = 1) -> None:
        """Answer the next ``sessions`` WebSockets' init with error frame ``code``, then close."""
        if code not in WS_ERROR_CODES:
            raise ValueError(f"code must be one of {WS_ERROR_CODES}")
        self.update_faults({"ws_error": {"code": code, "sessions": sessions}})

    def set_visibility_delay(self, ms: int) -> None:
        """Keep dictionaries created from now on invisible to TTS for ``ms`` milliseconds."""
        self.update_faults({"visibility_delay_ms": ms})

    def update_faults(self, payload: Mapping[str, object]) -> Faults:
        """Apply the admin JSON form of faults (only the keys given change); ValueError if bad."""
        with self._lock:
            self._faults = faults_updated(self._faults, payload)
            return dataclasses.replace(self._faults)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults = Faults()

    def claim_http_failure(self) -> bool:
        """Consume one injected HTTP failure; True when this call must fail."""
        with self._lock:
            if self._faults.http_failures <= 0:
                return False
            self._faults.http_failures -= 1
            return True

    def claim_rate_limit(self) -> int | None:
        """Consume one injected 429; its Retry-After seconds when this call must be refused."""
        with self._lock:
            faults = self._faults
            if faults.http_rate_limited <= 0:
                return None
            if faults.http_rate_limit_after > 0:
                faults.http_rate_limit_after -= 1
                return None
            faults.http_rate_limited -= 1
            return faults.http_retry_after

    def claim_session_faults(self) -> SessionFaults:
        """Consume the WebSocket faults for one new session (an error wins over a drop)."""
        with self._lock:
            faults = self._faults
            if faults.ws_error_sessions > 0 and faults.ws_error_code:
                faults.ws_error_sessions -= 1
                return SessionFaults(error_code=faults.ws_error_code)
            if faults.ws_drop_sessions > 0:
                faults.ws_drop_sessions -= 1
                return SessionFaults(drop_after_chunks=faults.ws_drop_after_chunks)
            return SessionFaults()

    # -- request log and sessions ------------------------------------------------------------

    def log_request(self, entry: RequestLogEntry) -> None:
        with self._lock:
            self._log.append(entry)

    def requests(self) -> list[RequestLogEntry]:
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    def open_session(
        self,
        org_id: str,
        path: str,
        *,
        kind: str = "ws",
        framing: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> SessionRecord:
        """Start recording a TTS session; returns a copy of the new record."""
        record = SessionRecord(
            session_id=ids.new_session_id(),
            org_id=org_id,
            path=path,
            kind=kind,
            framing=framing,
            headers=session_headers(headers or {}),
        )
        with self._lock:
            self._sessions[record.session_id] = record
            return record.copy()

    def _update_session(self, session_id: str, change: Callable[[SessionRecord], None]) -> None:
        with self._lock:
            record = self._sessions.get(session_id)
            if record is not None:  # absent after reset()
                change(record)

    def set_session_model(self, session_id: str, model: str | None) -> None:
        self._update_session(session_id, lambda record: setattr(record, "model", model))

    def set_session_init(self, session_id: str, init: Mapping[str, Any]) -> None:
        """Record the ``init`` message (or an HTTP body without its text)."""
        copied = json.loads(json.dumps(init))
        self._update_session(session_id, lambda record: setattr(record, "init", copied))

    def record_text(self, session_id: str, text: str, original: str | None = None) -> None:
        """Record the rewritten text the "model" received for one turn, and the text as sent."""

        def change(record: SessionRecord) -> None:
            record.texts.append(text)
            record.originals.append(text if original is None else original)

        self._update_session(session_id, change)

    def record_audio(self, session_id: str, count: int) -> None:
        def change(record: SessionRecord) -> None:
            record.audio_bytes += count

        self._update_session(session_id, change)

    def record_error(self, session_id: str, code: str) -> None:
        self._update_session(session_id, lambda record: record.errors.append(code))

    def sessions(self) -> list[SessionRecord]:
        """Copies of every TTS session so far, oldest first."""
        with self._lock:
            return [s.copy() for s in self._sessions.values()]

    def session(self, session_id: str) -> SessionRecord | None:
        with self._lock:
            found = self._sessions.get(session_id)
            return found.copy() if found else None

    def reset(self) -> None:
        """Forget dictionaries, faults, the request log and sessions; keep the keys."""
        with self._lock:
            self._dictionaries.clear()
            self._faults = Faults()
            self._log.clear()
            self._sessions.clear()


def _copy(body: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(body))
    return result

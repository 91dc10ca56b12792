"""The TTS WebSocket (native ``/v1/tts/...`` and unified bridge), reference section 5.

A session answers ``init`` with ``ready``; each ``text`` turn resolves the active
pronunciation reference, rewrites the text, records what the "model" received and streams its
audio: JSON ``audio_chunk`` frames on native routes (SLNG's documented format), binary frames on
the bridge (what its clients read; see docs/emulator.md). ``flush`` (or ``flush: true``) answers
``flushed`` then ``audio_end``. Faults claimed when the session was accepted can replace
``ready`` with an error frame or drop the socket after some chunks.
"""

from __future__ import annotations

import base64
import json
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from sync.emulator import audio, markup, speech
from sync.emulator.faults import SessionFaults
from sync.emulator.http_api import (
    REQUEST_ID_HEADER,
    STATE,
    PlainError,
    bearer_token,
    current,
    log_request,
    network_latency,
)
from sync.emulator.records import SessionRecord
from sync.emulator.rewrite import rewrite_text
from sync.emulator.state import EmulatorState
from sync.emulator.validation import reference_problem

OPEN_SOCKETS = web.AppKey("open_sockets", weakref.WeakSet[web.WebSocketResponse])
DEFAULT_SAMPLE_RATE = 24000
MAX_SAMPLE_RATE = 192_000
# Error frames also carry the HTTP status they stand for (an emulator choice where the reference
# is silent): LiveKit's plugin reads `status_code` to tell a 4xx it must not retry from a 5xx.
FRAME_STATUS = {"pronunciation_not_found": 404, "config_error": 400, "auth_error": 401}
# Close codes: 1008 policy violation (bad key, unknown dictionary when the session closes),
# 1013 try again later, 1011 server-side failure.
FAULT_FRAMES = {
    "rate_limit": (1013, "Too many concurrent connections."),
    "backend_connection_failed": (1011, "Could not connect to the upstream model."),
}


@dataclass(frozen=True)
class AudioSettings:
    sample_rate: int = DEFAULT_SAMPLE_RATE
    encoding: str = "linear16"
    language: object = None


class _Dropped(Exception):
    """The drop fault fired: the transport is already closed."""


def _settings(config: Mapping[str, Any]) -> AudioSettings | str:
    """Audio settings from ``init.config``, or the config_error message."""
    rate = config.get("sample_rate", DEFAULT_SAMPLE_RATE)
    if isinstance(rate, bool) or not isinstance(rate, int) or not 0 < rate <= MAX_SAMPLE_RATE:
        return f"config.sample_rate must be an integer between 1 and {MAX_SAMPLE_RATE}"
    encoding = config.get("encoding", "linear16")
    if encoding not in audio.ENCODINGS:
        return f"config.encoding must be one of {', '.join(audio.ENCODINGS)} in the emulator"
    return AudioSettings(rate, str(encoding), config.get("language"))


class TtsSession:
    """One accepted, authenticated TTS WebSocket."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        request: web.Request,
        record: SessionRecord,
        faults: SessionFaults,
        *,
        model_required: bool,
        request_id: str,
    ) -> None:
        self.ws, self.request, self.record, self.faults = ws, request, record, faults
        self.state: EmulatorState = request.app[STATE]
        self.model_required = model_required
        self.request_id = request_id
        self.binary = record.framing == "binary"
        self.settings = AudioSettings()
        self.reference: Mapping[str, Any] | None = None
        self.initialized = False
        self.chunks_sent = 0
        self.turn_texts: list[str] = []
        self.turn_seconds = 0.0

    async def run(self) -> None:
        handlers = self._handlers()
        try:
            async for message in self.ws:
                if message.type is WSMsgType.ERROR:
                    return
                if message.type is not WSMsgType.TEXT:
                    await self._error("config_error", "Only JSON text frames are supported.")
                    continue
                await self._latency()
                if not await self._dispatch(message.data, handlers):
                    return
        except (_Dropped, ConnectionResetError):
            return  # dropped on purpose, or the client went away mid-turn

    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], Awaitable[bool]]]:
        return {
            "init": self._on_init,
            "text": self._on_text,
            "flush": self._on_flush,
            "clear": self._on_clear,
            "cancel": self._on_clear,
            "close": self._on_close,
            "keepalive": self._on_keepalive,
        }

    async def _dispatch(
        self, raw: str, handlers: Mapping[str, Callable[[dict[str, Any]], Awaitable[bool]]]
    ) -> bool:
        """Handle one client message; False ends the session."""
        try:
            message = json.loads(raw)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            await self._error("config_error", "Messages must be JSON objects.")
            return True
        kind = message.get("type")
        handler = handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            await self._error("config_error", f"Unsupported message type: {kind!r}.")
            return True
        if not self.initialized and kind not in ("init", "close", "keepalive"):
            await self._error("config_error", f"Send init before {kind}.")
            return True
        return await handler(message)

    async def _latency(self) -> None:
        await network_latency(self.state, self.state.faults.ws_latency_ms)

    async def _send(self, frame: dict[str, Any]) -> None:
        await self.ws.send_str(json.dumps(frame, ensure_ascii=False))

    async def _error(self, code: str, message: str) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
        if code == "pronunciation_not_found":
            frame["status_code"] = FRAME_STATUS[code]
        self.state.record_error(self.record.session_id, code)
        await self._send(frame)

    # -- message handlers: each returns False when the session must end ----------------------

    async def _on_init(self, message: dict[str, Any]) -> bool:
        if self.initialized:
            await self._error("config_error", "Session is already initialized.")
            return True
        if self.faults.error_code:
            code = self.faults.error_code
            close_code, text = FAULT_FRAMES[code]
            await self._error(code, text)
            await self.ws.close(code=close_code, message=code.encode())
            return False
        self.state.set_session_init(self.record.session_id, message)
        problem = self._configure(message)
        if problem:
            await self._error("config_error", problem)
            return True
        if self.reference is not None and self._resolve(self.reference) is None:
            await self._not_found(self.reference)
            if self.state.faults.init_unknown_dictionary == "close":
                await self.ws.close(code=1008, message=b"pronunciation_not_found")
                return False
            # "keep": the session goes on without a dictionary. Keeping the unknown reference
            # active would fail every turn, and pipecat answers a failed turn by replaying it
            # on a new session (three sessions per utterance); LiveKit retries the whole turn.
            self.reference = None
        self.initialized = True
        await self._send(
            {
                "type": "ready",
                "session_id": self.record.session_id,
                "slng_request_id": self.request_id,
            }
        )
        return True

    def _configure(self, message: Mapping[str, Any]) -> str | None:
        """Apply ``init``; return the config_error message when it is invalid."""
        config = message.get("config", {})
        if not isinstance(config, Mapping):
            return "config must be an object"
        model = message.get("model")
        if self.model_required and (not isinstance(model, str) or not model):
            return "model is required on /v1/tts/*"
        settings = _settings(config)
        if isinstance(settings, str):
            return settings
        reference = config.get("pronunciation")
        problem = reference_problem(reference) if reference is not None else None
        if problem:
            return problem
        self.settings, self.reference = settings, reference
        self.state.set_session_model(
            self.record.session_id, model if isinstance(model, str) else None
        )
        return None

    async def _on_text(self, message: dict[str, Any]) -> bool:
        text = message.get("text")
        if not isinstance(text, str):
            await self._error("config_error", "text must be a string")
            return True
        if "pronunciation" in message and not await self._switch(message["pronunciation"]):
            return True
        modes = None
        if self.reference is not None:
            dictionary = self._resolve(self.reference)
            if dictionary is None:
                await self._not_found(self.reference)
                return True
            modes = dictionary["modes"]
        await self._speak(rewrite_text(text, modes), text)
        if message.get("flush") is True:
            await self._flush()
        return True

    async def _switch(self, reference: object) -> bool:
        """Make a per-turn reference the active one (sticky); null clears it. False if invalid."""
        problem = reference_problem(reference) if reference is not None else None
        if problem:
            await self._error("config_error", problem)
            return False
        self.reference = reference if isinstance(reference, Mapping) else None
        return True

    async def _on_flush(self, message: dict[str, Any]) -> bool:
        await self._flush()
        return True

    async def _on_clear(self, message: dict[str, Any]) -> bool:
        self.turn_texts, self.turn_seconds = [], 0.0
        await self._send({"type": "cleared"})
        return True

    async def _on_close(self, message: dict[str, Any]) -> bool:
        await self.ws.close(code=1000, message=b"closed by client request")
        return False

    async def _on_keepalive(self, message: dict[str, Any]) -> bool:
        return True

    # -- turns ------------------------------------------------------------------------------

    def _resolve(self, reference: Mapping[str, Any]) -> dict[str, Any] | None:
        return self.state.resolve_for_tts(self.record.org_id, reference)

    async def _not_found(self, reference: Mapping[str, Any]) -> None:
        label = reference.get("name", reference.get("dictionary_id"))
        await self._error("pronunciation_not_found", f"Pronunciation dictionary not found: {label}")

    async def _speak(self, text: str, original: str) -> None:
        """Record what the model received and stream its audio chunks."""
        self.state.record_text(self.record.session_id, text, original)
        self.turn_texts.append(text)
        settings = self.settings
        said = markup.spoken(text, self.request.match_info.get("model_path"))
        for chunk in await turn_audio(self.state, said, settings):
            self._maybe_drop()
            if self.binary:
                await self.ws.send_bytes(chunk)
            else:
                data = base64.b64encode(chunk).decode("ascii")
                await self._send(
                    {"type": "audio_chunk", "data": data, "sequence": self.chunks_sent}
                )
            self.state.record_audio(self.record.session_id, len(chunk))
            self.chunks_sent += 1
            rate = speech.bytes_per_second(settings.sample_rate, settings.encoding)
            self.turn_seconds += len(chunk) / rate
            self._maybe_drop()

    def _maybe_drop(self) -> None:
        limit = self.faults.drop_after_chunks
        if limit is not None and self.chunks_sent >= limit:
            transport = self.request.transport
            if transport is not None:
                transport.close()  # no close frame: the client sees an abnormal closure (1006)
            raise _Dropped

    async def _flush(self) -> None:
        await self._send({"type": "flushed"})
        await self._send(
            {
                "type": "audio_end",
                "duration": round(self.turn_seconds, 3),
                "emulator_text": " ".join(self.turn_texts),
            }
        )
        self.turn_texts, self.turn_seconds = [], 0.0


async def turn_audio(state: EmulatorState, text: str, settings: AudioSettings) -> list[bytes]:
    """One turn's audio in chunks: espeak-ng speech, or the tone's 20 ms frames."""
    rate, encoding = settings.sample_rate, settings.encoding
    if text.strip():
        spoken = await speech.speak(
            state.speaker, text, rate=rate, encoding=encoding, language=settings.language
        )
        if spoken is not None:
            return speech.chunks(spoken, rate, encoding)
    return [audio.frame(rate, encoding)] * audio.chunk_count(text)


def _ws_key(request: web.Request) -> str | None:
    """The key from the Authorization header (wins) or the ``token`` query parameter."""
    return bearer_token(request) or request.query.get("token") or None


async def _handshake(request: web.Request) -> tuple[web.WebSocketResponse, str | None]:
    """Upgrade the connection; return the socket and the org (None for an unknown key)."""
    state = request.app[STATE]
    ws = web.WebSocketResponse()
    if not ws.can_prepare(request).ok:
        raise PlainError(426, "Expected a WebSocket upgrade.")
    key = _ws_key(request)
    if key is None:
        raise PlainError(401, "Missing API key.")
    api_key = state.resolve_key(key)
    org_id = api_key.org_id if api_key else None
    context = current()
    context.org_id = org_id
    ws.headers[REQUEST_ID_HEADER] = context.request_id
    await network_latency(state, 0)  # the upgrade is one more round trip
    await ws.prepare(request)
    log_request(request, 101)
    return ws, org_id


async def _serve(request: web.Request, *, model_required: bool) -> web.WebSocketResponse:
    ws, org_id = await _handshake(request)
    if org_id is None:
        await ws.send_str(
            json.dumps({"type": "error", "code": "auth_error", "message": "Invalid API key."})
        )
        await ws.close(code=1008, message=b"auth_error")
        return ws
    state = request.app[STATE]
    framing = state.faults.ws_framing or ("json" if model_required else "binary")
    record = state.open_session(
        org_id, request.path, framing=framing, headers=_lower(request.headers)
    )
    session = TtsSession(
        ws,
        request,
        record,
        state.claim_session_faults(),
        model_required=model_required,
        request_id=current().request_id,
    )
    request.app[OPEN_SOCKETS].add(ws)
    try:
        await session.run()
    finally:
        request.app[OPEN_SOCKETS].discard(ws)
    return ws


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


async def native_tts(request: web.Request) -> web.WebSocketResponse:
    return await _serve(request, model_required=True)


async def bridge_tts(request: web.Request) -> web.WebSocketResponse:
    return await _serve(request, model_required=False)


async def _close_open_sockets(app: web.Application) -> None:
    sockets = app[OPEN_SOCKETS]
    for ws in list(sockets):
        await ws.close(code=1001, message=b"emulator shutting down")


def add_routes(app: web.Application) -> None:
    sockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()
    app[OPEN_SOCKETS] = sockets
    app.on_shutdown.append(_close_open_sockets)
    app.router.add_get("/v1/tts/{model_path:.+}", native_tts, allow_head=False)
    app.router.add_get("/v1/bridges/unmute/tts/{model_path:.+}", bridge_tts, allow_head=False)

"""The only code that talks to SLNG: its dictionary API over HTTP and TTS over WebSocket.

Every call has a timeout. Failures become typed errors carrying SLNG's ``code``, the HTTP status
and ``slng_request_id``; callers decide by type. Only what is retryable is retried (503,
connection errors, ``rate_limit``, ``backend_connection_failed``), with exponential backoff
(base, 2×base, 4×base … capped) with jitter, inside a total deadline. The API key never appears
in a log line, an exception message or a repr.
"""

import base64
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from websockets.exceptions import (
    ConnectionClosed,
    ConnectionClosedOK,
    InvalidStatus,
    WebSocketException,
)
from websockets.sync.client import connect
from websockets.sync.connection import Connection

logger = logging.getLogger(__name__)
T = TypeVar("T")


class SlngError(Exception):
    """An SLNG call failed. ``code``, ``status`` and ``request_id`` come from SLNG when it said."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        status: int | None = None,
        request_id: str = "",
        detail: str = "",
    ) -> None:
        super().__init__(message)
        self.message, self.code, self.status, self.request_id = message, code, status, request_id
        self.detail = detail or message  # SLNG's own message (``error`` or the frame's ``message``)


class SlngUnavailable(SlngError):
    """SLNG or the path to it is down or overloaded: retry later."""

    retryable = True


class SlngRejected(SlngError):
    """SLNG refused the data (400): fix the dictionary."""


class SlngUnauthorized(SlngError):
    """SLNG refused the key (401 or an auth_error frame): fix the target's key."""


class SlngNotFound(SlngError):
    """No such dictionary upstream (404)."""


class SlngConflict(SlngError):
    """The name already exists upstream (409)."""


class SlngVerificationFailed(SlngError):
    """A TTS session naming the dictionary got an error frame (e.g. pronunciation_not_found)."""


_BY_STATUS: dict[int, type[SlngError]] = {
    400: SlngRejected,
    401: SlngUnauthorized,
    403: SlngUnauthorized,
    404: SlngNotFound,
    409: SlngConflict,
}
_RETRYABLE_FRAMES = {"rate_limit", "backend_connection_failed", "provider_error"}


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff base, 2×base, 4×base … capped at ``cap``, jittered, within ``deadline`` seconds."""

    base: float = 1.0
    cap: float = 30.0
    deadline: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def delay(self, attempt: int) -> float:
        return min(self.cap, self.base * 2**attempt) * random.uniform(0.5, 1.0)  # noqa: S311


ROUTE_BRIDGE, ROUTE_NATIVE = "bridge", "native"
# Frames that end a turn: SLNG's own, and the provider-native form (Deepgram's "Flushed").
_TURN_END = {"audio_end", "flushed", "Flushed"}
# Control frames that carry no audio, in either format.
_CONTROL = {"ready", "Metadata", "segment_start", "segment_end", "cleared", "Cleared", "Warning"}


@dataclass(frozen=True)
class Verification:
    """A TTS session (or HTTP TTS call) that produced audio with the dictionary active."""

    session_id: str
    audio_chunks: int
    elapsed_ms: int
    audio_bytes: int = 0
    request_id: str = ""


@dataclass(frozen=True)
class Audio:
    """Speech from HTTP TTS: the bytes, their content type and SLNG's request id."""

    data: bytes = field(repr=False)
    content_type: str
    request_id: str = ""


@dataclass
class CallCounter:
    http: int = 0
    ws: int = 0


class SlngClient:
    """A client of one SLNG environment with one API key."""

    def __init__(
        self,
        *,
        base_url: str,
        ws_url: str,
        api_key: str,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.ws_url = ws_url.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.calls = CallCounter()
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout),
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"<SlngClient {self.base_url}>"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "SlngClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- HTTP ------------------------------------------------------------------------------

    def list_dictionaries(self) -> list[dict[str, Any]]:
        body = self._retrying(lambda: self._request("GET", "/v1/pronunciation/dictionaries"))
        return list(body["dictionaries"])

    def get_dictionary(self, name: str) -> dict[str, Any]:
        return self._retrying(lambda: self._request("GET", _path(name)))

    def create_dictionary(self, payload: dict[str, Any]) -> dict[str, Any]:
        path = "/v1/pronunciation/dictionaries"
        return self._retrying(lambda: self._request("POST", path, payload))

    def delete_dictionary(self, name: str) -> None:
        self._retrying(lambda: self._request("DELETE", _path(name)))

    def _request(self, method: str, path: str, payload: Any = None) -> Any:
        self.calls.http += 1
        try:
            response = self._http.request(method, path, json=payload)
        except httpx.TransportError as exc:
            raise SlngUnavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.status_code < 300:
            return response.json() if response.content else None
        raise _http_error(method, path, response)

    def _retrying(self, call: Callable[[], T]) -> T:
        """Run ``call``, retrying SlngUnavailable with backoff until the deadline."""
        give_up_at = time.monotonic() + self.retry.deadline
        attempt = 0
        while True:
            try:
                return call()
            except SlngUnavailable as exc:
                pause = self.retry.delay(attempt)
                if time.monotonic() + pause > give_up_at:
                    raise
                logger.info("SLNG unavailable (%s %s), retry in %.2fs", exc.code, exc.status, pause)
                self.retry.sleep(pause)
                attempt += 1

    # -- TTS: verification and speech ------------------------------------------------------

    def verify(
        self, name: str, *, model: str, voice: str = "", text: str, route: str = ROUTE_BRIDGE
    ) -> Verification:
        """Open a TTS session with ``name`` as its dictionary, send ``text``, wait for its audio.

        The session is what a real client opens: ``route`` is ``bridge``
        (``/v1/bridges/unmute/tts/{model}``, the model only in the URL) or ``native``
        (``/v1/tts/{model}``, the model in ``init`` too); an empty voice is left out. Audio may
        come as binary frames or JSON ``audio_chunk``. An error frame raises, whether SLNG then
        keeps the session or closes it: SlngVerificationFailed (e.g. pronunciation_not_found),
        SlngUnauthorized, or SlngUnavailable for the retryable codes.
        """
        return self._retrying(
            lambda: self._verify_once(name, model=model, voice=voice, text=text, route=route)
        )

    def _verify_once(
        self, name: str, *, model: str, voice: str, text: str, route: str
    ) -> Verification:
        self.calls.ws += 1
        started = time.monotonic()
        init: dict[str, Any] = {
            "type": "init",
            "config": {
                "sample_rate": 16000,
                "encoding": "linear16",
                "pronunciation": {"mode": "rewrite", "name": name},
            },
        }
        if route == ROUTE_NATIVE:
            init["model"] = model  # required on /v1/tts/*; the bridge takes it from the URL
        if voice:
            init["voice"] = voice
        try:
            with connect(
                self._tts_url(self.ws_url, route, model),
                additional_headers={"Authorization": f"Bearer {self._api_key}"},
                open_timeout=self.timeout,
                close_timeout=2,
            ) as ws:
                request_id = ws.response.headers.get("X-Request-Id", "") if ws.response else ""
                # Provider-native routes open with Deepgram's "Metadata" instead of "ready".
                ready = _await_frame(
                    ws, {"ready", "Metadata"}, self.timeout, send=init, request_id=request_id
                )
                request_id = str(ready.get("slng_request_id") or request_id)
                ws.send(json.dumps({"type": "text", "text": text, "flush": True}))
                chunks, size = _await_audio(ws, self.timeout, request_id=request_id)
        except InvalidStatus as exc:
            status = exc.response.status_code
            error = _BY_STATUS.get(status, SlngUnavailable)
            raise error(f"TTS handshake refused with HTTP {status}", status=status) from exc
        except (ConnectionClosed, WebSocketException, OSError, TimeoutError) as exc:
            raise SlngUnavailable(f"TTS session failed: {type(exc).__name__}") from exc
        return Verification(
            session_id=str(ready.get("session_id", "")),
            audio_chunks=chunks,
            elapsed_ms=int((time.monotonic() - started) * 1000),
            audio_bytes=size,
            request_id=request_id,
        )

    def verify_http(
        self, name: str, *, model: str, voice: str = "", text: str, route: str = ROUTE_BRIDGE
    ) -> Verification:
        """Synthesize ``text`` over HTTP TTS with ``name`` as the body's ``pronunciation``.

        SLNG answers 400 invalid_pronunciation for a dictionary it does not know: that raises
        SlngVerificationFailed with SLNG's code and message, as does any other refusal (a route
        without HTTP TTS gives code ``http_404`` or ``http_405``).
        """
        started = time.monotonic()
        body: dict[str, Any] = {"text": text, "pronunciation": {"mode": "rewrite", "name": name}}
        if voice:
            body["voice"] = voice
        try:
            audio = self._retrying(lambda: self._tts_http(body, route, model))
        except (SlngUnavailable, SlngUnauthorized):
            raise
        except SlngError as exc:  # 400 invalid_pronunciation, or a route without HTTP TTS
            raise SlngVerificationFailed(
                exc.detail,
                code=exc.code or f"http_{exc.status}",
                status=exc.status,
                request_id=exc.request_id,
            ) from exc
        return Verification(
            session_id="",
            audio_chunks=1,
            elapsed_ms=int((time.monotonic() - started) * 1000),
            audio_bytes=len(audio.data),
            request_id=audio.request_id,
        )

    def synthesize(
        self,
        text: str,
        *,
        model: str,
        voice: str = "",
        route: str = ROUTE_BRIDGE,
        deadline: float = 10.0,
        max_bytes: int = 16 * 1024 * 1024,
    ) -> Audio:
        """Plain text to speech over HTTP TTS (no dictionary), once, within ``deadline`` seconds.

        No retries: a listener waits for this. Raises SlngUnavailable when SLNG is down, slow or
        answers too much audio, and the typed errors of its other answers.
        """
        body: dict[str, Any] = {"text": text, "config": {"sample_rate": 16000}}
        if voice:
            body["voice"] = voice
        return self._tts_http(body, route, model, deadline=deadline, max_bytes=max_bytes)

    def _tts_http(
        self,
        body: dict[str, Any],
        route: str,
        model: str,
        *,
        deadline: float | None = None,
        max_bytes: int = 16 * 1024 * 1024,
    ) -> "Audio":
        self.calls.http += 1
        url = self._tts_url(self.base_url, route, model)
        limit = deadline if deadline is not None else self.timeout * 3
        give_up_at = time.monotonic() + limit
        # Each wait (connect, every read) is bounded by what is left of the deadline, and the
        # deadline is checked after every piece: a slow or trickling TTS cannot hold us.
        timeout = httpx.Timeout(max(0.01, min(limit, self.timeout)))
        try:
            with self._http.stream(
                "POST", url, json=body, headers={"Accept": "audio/*"}, timeout=timeout
            ) as answer:
                if answer.status_code >= 300:
                    answer.read()
                    raise _http_error("POST", url.removeprefix(self.base_url), answer)
                data = bytearray()
                for piece in answer.iter_bytes():
                    data += piece
                    if len(data) > max_bytes or time.monotonic() > give_up_at:
                        raise SlngUnavailable(f"TTS answer over {max_bytes} bytes or too slow")
                content_type = answer.headers.get("Content-Type", "application/octet-stream")
                request_id = answer.headers.get("X-Request-Id", "")
        except httpx.TransportError as exc:
            raise SlngUnavailable(f"POST TTS: {type(exc).__name__}") from exc
        return Audio(bytes(data), content_type.split(";")[0].strip(), request_id)

    @staticmethod
    def _tts_url(base: str, route: str, model: str) -> str:
        model_path = quote(model.strip("/"), safe="/:")
        prefix = "/v1/tts/" if route == ROUTE_NATIVE else "/v1/bridges/unmute/tts/"
        return f"{base}{prefix}{model_path}"


def _path(name: str) -> str:
    return f"/v1/pronunciation/dictionaries/{quote(name, safe='')}"


def _http_error(method: str, path: str, response: httpx.Response) -> SlngError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    code = str(body.get("code", ""))
    message = str(body.get("error") or response.reason_phrase)
    status = response.status_code
    error = _BY_STATUS.get(status, SlngUnavailable if status >= 500 or status == 429 else SlngError)
    return error(
        f"{method} {path}: {status} {code or ''} {message}".replace("  ", " "),
        code=code,
        status=status,
        request_id=str(body.get("slng_request_id") or response.headers.get("X-Request-Id", "")),
        detail=message,
    )


def _await_frame(
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
        frame = _json_frame(raw)
        kind = frame.get("type")
        if kind in ("error", "Error"):
            raise _frame_error(frame, request_id)
        if kind in wanted:
            return frame


def _await_audio(ws: Connection, timeout: float, *, request_id: str) -> tuple[int, int]:
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
        frame = _json_frame(raw)
        kind = frame.get("type")
        if kind in ("error", "Error"):
            raise _frame_error(frame, request_id)
        if kind == "audio_chunk":
            chunks, size = chunks + 1, size + len(_b64(frame.get("data")))
        elif kind in _TURN_END and chunks:
            return chunks, size


def _b64(data: object) -> bytes:
    try:
        return base64.b64decode(str(data or ""), validate=True)
    except ValueError:
        return b""


def _json_frame(raw: str) -> dict[str, Any]:
    try:
        frame = json.loads(raw)
    except ValueError:
        return {}
    return frame if isinstance(frame, dict) else {}


def _frame_error(frame: dict[str, Any], request_id: str = "") -> SlngError:
    code = str(frame.get("code", ""))
    message = str(frame.get("message", ""))
    if code in _RETRYABLE_FRAMES:
        return SlngUnavailable(message or code, code=code, request_id=request_id)
    if code == "auth_error":
        return SlngUnauthorized(message or code, code=code, request_id=request_id)
    return SlngVerificationFailed(message or code, code=code, request_id=request_id)

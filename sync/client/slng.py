"""The SLNG client: its dictionary API over HTTP and TTS over WebSocket or HTTP."""

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException
from websockets.sync.client import connect

from sync.client.audio import NOT_AUDIO, audio_type
from sync.client.errors import (
    _BY_STATUS,
    SlngError,
    SlngUnauthorized,
    SlngUnavailable,
    SlngUnreachable,
    SlngVerificationFailed,
    http_error,
    retry_after,
)
from sync.client.frames import await_audio, await_frame
from sync.client.transport import http_client, refused_host, ws_socket
from sync.reach import TargetUnreachable

logger = logging.getLogger("sync.client")
T = TypeVar("T")


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
    """Calls made, by kind; safe to count from several threads at once."""

    http: int = 0
    ws: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, kind: str) -> None:
        with self._lock:
            setattr(self, kind, getattr(self, kind) + 1)


class SharedPause:
    """A pause every call of one client waits out before it is sent: a rate-limited answer
    (HTTP 429 or a ``rate_limit`` frame) starts it for all of them, for its Retry-After (or the
    backoff), so a run's concurrent workers slow down together instead of each finding the
    limit on its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = 0.0

    def extend(self, seconds: float) -> None:
        """Pause every call until ``seconds`` from now (a later end already set is kept)."""
        with self._lock:
            self._until = max(self._until, time.monotonic() + seconds)

    def remaining(self) -> float:
        with self._lock:
            return max(0.0, self._until - time.monotonic())

    def wait(self, sleep: Callable[[float], None]) -> None:
        """Sleep until the pause ends, again if another answer extended it meanwhile."""
        seen = None
        while True:
            with self._lock:
                until = self._until
            left = until - time.monotonic()
            if until == seen or left <= 0:
                return
            sleep(left)
            seen = until


class SlngClient:
    """A client of one SLNG environment with one API key.

    One client may be used from several threads at once (a run's workers, sync.services): the
    HTTP connection pool is shared, every WebSocket is its own, the call counts are locked, and
    a rate-limited answer pauses every thread's next call (``SharedPause``).
    """

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
        self.pause = SharedPause()
        self._http = http_client(
            base_url=self.base_url,
            timeout=timeout,
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

    def create_dictionary(self, payload: dict[str, Any], *, urgent: bool = False) -> dict[str, Any]:
        """POST a dictionary. ``urgent`` (the create that ends a replace's window, while the
        name is missing upstream) does not wait out a pause another call started; its own
        rate-limited answers are still waited out."""
        path = "/v1/pronunciation/dictionaries"
        return self._retrying(lambda: self._request("POST", path, payload), gated=not urgent)

    def delete_dictionary(self, name: str) -> None:
        self._retrying(lambda: self._request("DELETE", _path(name)))

    def _request(self, method: str, path: str, payload: Any = None) -> Any:
        self.calls.count("http")
        try:
            response = self._http.request(method, path, json=payload)
        except httpx.TransportError as exc:
            raise _transport_error(f"{method} {path}", exc) from exc
        if response.status_code < 300:
            return response.json() if response.content else None
        raise http_error(method, path, response)

    def _retrying(self, call: Callable[[], T], *, gated: bool = True) -> T:
        """Run ``call``, retrying SlngUnavailable with backoff until the deadline.

        The wait before a retry is SLNG's Retry-After when it sent one, else the backoff. A
        rate-limited answer also pauses every other call of this client (``SharedPause``); a
        ``gated`` call waits out such a pause before each attempt.
        """
        give_up_at = time.monotonic() + self.retry.deadline
        attempt = 0
        while True:
            if gated:
                self.pause.wait(self.retry.sleep)
            try:
                return call()
            except SlngUnavailable as exc:
                pause = self.retry.delay(attempt) if exc.retry_after is None else exc.retry_after
                if time.monotonic() + pause > give_up_at:
                    raise
                logger.info("SLNG unavailable (%s %s), retry in %.2fs", exc.code, exc.status, pause)
                if exc.rate_limited:
                    self.pause.extend(pause)  # waited out at the top, by this call too if gated
                if not (gated and exc.rate_limited):
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
        self.calls.count("ws")
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
            url = self._tts_url(self.ws_url, route, model)
            with connect(
                url,
                sock=ws_socket(url, self.timeout),  # checked (sync.reach); no redirect followed
                additional_headers={"Authorization": f"Bearer {self._api_key}"},
                open_timeout=self.timeout,
                close_timeout=2,
            ) as ws:
                request_id = ws.response.headers.get("X-Request-Id", "") if ws.response else ""
                # Provider-native routes open with Deepgram's "Metadata" instead of "ready".
                ready = await_frame(
                    ws, {"ready", "Metadata"}, self.timeout, send=init, request_id=request_id
                )
                request_id = str(ready.get("slng_request_id") or request_id)
                ws.send(json.dumps({"type": "text", "text": text, "flush": True}))
                chunks, size = await_audio(ws, self.timeout, request_id=request_id)
        except InvalidStatus as exc:
            status = exc.response.status_code
            error = _BY_STATUS.get(status, SlngUnavailable)
            raise error(
                f"TTS handshake refused with HTTP {status}",
                status=status,
                retry_after=retry_after(exc.response.headers),
            ) from exc
        except TargetUnreachable as exc:
            raise SlngUnreachable(f"TTS session refused: {exc}") from exc
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
        body: dict[str, Any] = {"text": text}
        if voice:
            body["voice"] = voice
        if route == ROUTE_NATIVE:  # the HTTP bridge takes {text, voice} only, as voiceai-sdk sends
            body["config"] = {"sample_rate": 16000}
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
        self.calls.count("http")
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
                    raise http_error("POST", url.removeprefix(self.base_url), answer)
                data = bytearray()
                for piece in answer.iter_bytes():
                    data += piece
                    if len(data) > max_bytes or time.monotonic() > give_up_at:
                        raise SlngUnavailable(f"TTS answer over {max_bytes} bytes or too slow")
                content_type = answer.headers.get("Content-Type", "application/octet-stream")
                request_id = answer.headers.get("X-Request-Id", "")
        except httpx.TransportError as exc:
            raise _transport_error("POST TTS", exc) from exc
        kind = audio_type(content_type, bytes(data[:16]))
        if kind is None:  # only audio is ever passed on, never another body
            raise SlngError("TTS answer is not audio", code=NOT_AUDIO, status=answer.status_code)
        return Audio(bytes(data), kind, request_id)

    @staticmethod
    def _tts_url(base: str, route: str, model: str) -> str:
        model_path = quote(model.strip("/"), safe="/:")
        prefix = "/v1/tts/" if route == ROUTE_NATIVE else "/v1/bridges/unmute/tts/"
        return f"{base}{prefix}{model_path}"


def _transport_error(what: str, exc: httpx.TransportError) -> SlngError:
    """A connection that failed (retryable), or one refused by sync.reach (not retryable)."""
    refused = refused_host(exc)
    if refused is not None:
        return SlngUnreachable(f"{what}: {refused}")
    return SlngUnavailable(f"{what}: {type(exc).__name__}")


def _path(name: str) -> str:
    return f"/v1/pronunciation/dictionaries/{quote(name, safe='')}"

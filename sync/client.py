"""The only code that talks to SLNG: its dictionary API over HTTP and TTS over WebSocket.

Every call has a timeout. Failures become typed errors carrying SLNG's ``code``, the HTTP status
and ``slng_request_id``; callers decide by type. Only what is retryable is retried (503,
connection errors, ``rate_limit``, ``backend_connection_failed``), with exponential backoff
(base, 2×base, 4×base … capped) with jitter, inside a total deadline. The API key never appears
in a log line, an exception message or a repr.
"""

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException
from websockets.sync.client import connect
from websockets.sync.connection import Connection

logger = logging.getLogger(__name__)
T = TypeVar("T")


class SlngError(Exception):
    """An SLNG call failed. ``code``, ``status`` and ``request_id`` come from SLNG when it said."""

    retryable = False

    def __init__(
        self, message: str, *, code: str = "", status: int | None = None, request_id: str = ""
    ) -> None:
        super().__init__(message)
        self.message, self.code, self.status, self.request_id = message, code, status, request_id


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


@dataclass(frozen=True)
class Verification:
    """A TTS session that produced audio with the dictionary active."""

    session_id: str
    audio_chunks: int
    elapsed_ms: int


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

    # -- WebSocket verification ------------------------------------------------------------

    def verify(self, name: str, *, model: str, voice: str, text: str) -> Verification:
        """Open a TTS session with ``name`` as its dictionary, send ``text``, wait for audio.

        Raises SlngVerificationFailed on an error frame such as pronunciation_not_found.
        """
        return self._retrying(lambda: self._verify_once(name, model=model, voice=voice, text=text))

    def _verify_once(self, name: str, *, model: str, voice: str, text: str) -> Verification:
        self.calls.ws += 1
        started = time.monotonic()
        url = f"{self.ws_url}/v1/tts/{model}"
        init = {
            "type": "init",
            "model": model,
            "voice": voice or None,
            "config": {
                "sample_rate": 16000,
                "encoding": "linear16",
                "pronunciation": {"mode": "rewrite", "name": name},
            },
        }
        try:
            with connect(
                url,
                additional_headers={"Authorization": f"Bearer {self._api_key}"},
                open_timeout=self.timeout,
                close_timeout=2,
            ) as ws:
                session_id = _await_frame(ws, {"ready"}, self.timeout, send=init).get(
                    "session_id", ""
                )
                ws.send(json.dumps({"type": "text", "text": text, "flush": True}))
                _await_frame(ws, {"audio_chunk"}, self.timeout)
        except InvalidStatus as exc:
            status = exc.response.status_code
            error = _BY_STATUS.get(status, SlngUnavailable)
            raise error(f"TTS handshake refused with HTTP {status}", status=status) from exc
        except (ConnectionClosed, WebSocketException, OSError, TimeoutError) as exc:
            raise SlngUnavailable(f"TTS session failed: {type(exc).__name__}") from exc
        elapsed = int((time.monotonic() - started) * 1000)
        return Verification(session_id=str(session_id), audio_chunks=1, elapsed_ms=elapsed)


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
    )


def _await_frame(
    ws: Connection, wanted: set[str], timeout: float, *, send: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Send ``send`` (if any) and read frames until one of type ``wanted``; error frames raise."""
    if send is not None:
        ws.send(json.dumps(send))
    give_up_at = time.monotonic() + timeout
    while True:
        remaining = give_up_at - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no {sorted(wanted)} frame within {timeout}s")
        raw = ws.recv(timeout=remaining)
        if isinstance(raw, bytes):
            if "audio_chunk" in wanted:  # providers with native binary audio frames
                return {"type": "audio_chunk"}
            continue
        frame = json.loads(raw)
        kind = frame.get("type")
        if kind == "error":
            raise _frame_error(frame)
        if kind in wanted:
            return dict(frame)


def _frame_error(frame: dict[str, Any]) -> SlngError:
    code = str(frame.get("code", ""))
    message = str(frame.get("message", ""))
    if code in _RETRYABLE_FRAMES:
        return SlngUnavailable(message or code, code=code)
    if code == "auth_error":
        return SlngUnauthorized(message or code, code=code)
    return SlngVerificationFailed(message or code, code=code)

"""SLNG's failures as typed errors: SLNG's ``code``, the HTTP status and ``slng_request_id``."""

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from sync.client import codes

# A Retry-After longer than this is read as this: a run's deadline gives up long before it.
MAX_RETRY_AFTER_SECONDS = 3600.0


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
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message, self.code, self.status, self.request_id = message, code, status, request_id
        self.detail = detail or message  # SLNG's own message (``error`` or the frame's ``message``)
        self.retry_after = retry_after  # seconds, from a Retry-After header, when SLNG sent one

    @property
    def rate_limited(self) -> bool:
        """SLNG asked us to slow down: HTTP 429 or a ``rate_limit`` code (an error frame)."""
        return self.status == 429 or self.code == codes.RATE_LIMIT


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


class SlngUnreachable(SlngError):
    """The target's host is, or resolves to, an address targets may not reach (sync.reach):
    nothing was sent. Not retried: fix the target's URL or LEXICON_PRIVATE_TARGETS."""


class SlngVerificationFailed(SlngError):
    """A TTS session naming the dictionary got an error frame (e.g. pronunciation_not_found)."""


_BY_STATUS: dict[int, type[SlngError]] = {
    400: SlngRejected,
    401: SlngUnauthorized,
    403: SlngUnauthorized,
    404: SlngNotFound,
    409: SlngConflict,
}


def http_error(method: str, path: str, response: httpx.Response) -> SlngError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    code = str(body.get("code", ""))
    message = str(body.get("error") or response.reason_phrase)
    status = response.status_code
    retry = codes.retryable_status(status)
    error = _BY_STATUS.get(status, SlngUnavailable if retry else SlngError)
    return error(
        f"{method} {path}: {status} {code or ''} {message}".replace("  ", " "),
        code=code,
        status=status,
        request_id=str(body.get("slng_request_id") or response.headers.get("X-Request-Id", "")),
        detail=message,
        retry_after=retry_after(response.headers),
    )


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The seconds a ``Retry-After`` header asks for (delay-seconds or an HTTP date), or None
    when there is none or it cannot be read; bounded by MAX_RETRY_AFTER_SECONDS."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT
        when = when.replace(tzinfo=UTC)
    seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def frame_error(frame: dict[str, Any], request_id: str = "") -> SlngError:
    code = str(frame.get("code", ""))
    message = str(frame.get("message", ""))
    if codes.retryable_frame(code):
        return SlngUnavailable(message or code, code=code, request_id=request_id)
    if code == codes.AUTH_ERROR:
        return SlngUnauthorized(message or code, code=code, request_id=request_id)
    return SlngVerificationFailed(message or code, code=code, request_id=request_id)

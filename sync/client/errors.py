"""SLNG's failures as typed errors: SLNG's ``code``, the HTTP status and ``slng_request_id``."""

from typing import Any

import httpx


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


def http_error(method: str, path: str, response: httpx.Response) -> SlngError:
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


def frame_error(frame: dict[str, Any], request_id: str = "") -> SlngError:
    code = str(frame.get("code", ""))
    message = str(frame.get("message", ""))
    if code in _RETRYABLE_FRAMES:
        return SlngUnavailable(message or code, code=code, request_id=request_id)
    if code == "auth_error":
        return SlngUnauthorized(message or code, code=code, request_id=request_id)
    return SlngVerificationFailed(message or code, code=code, request_id=request_id)

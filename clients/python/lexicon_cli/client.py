"""The command-line client's talk with the REST API: its exit codes, a thin HTTP client, and
the failures that stop a command. Only the standard library and httpx: no Django."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import httpx

OK, REFUSED, USAGE, UNAVAILABLE = 0, 1, 2, 3
DEFAULT_URL = "http://127.0.0.1:8000"
API = "/v1/pronunciation"
POLL_SECONDS = 0.5
TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class Failure(Exception):
    """Stops the command with ``code`` after printing ``message`` to standard error."""

    def __init__(self, code: int, message: str, body: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.body = body or {}  # the server's error body, when there is one


class Client:
    """A thin client of the REST API: every answer that is not 2xx becomes a Failure."""

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {key}", "User-Agent": "lexicon-cli"},
            timeout=TIMEOUT,
        )

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise Failure(UNAVAILABLE, f"cannot reach {self.base_url}: {exc}") from exc
        if response.is_success:
            return response
        raise _failure(response)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise Failure(UNAVAILABLE, f"{path}: the server did not answer JSON") from exc


def _failure(response: httpx.Response) -> Failure:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    message = str(body.get("error") or response.reason_phrase or "error")
    code = body.get("code")
    text = (
        f"{response.status_code} {code}: {message}"
        if code
        else f"{response.status_code}: {message}"
    )
    for field, problems in (body.get("fieldErrors") or {}).items():
        text += "".join(f"\n  {field}: {problem}" for problem in problems)
    if response.status_code >= 500:
        return Failure(UNAVAILABLE, text)
    if response.status_code == 401:
        return Failure(USAGE, f"{text}\n  check LEXICON_API_KEY")
    return Failure(REFUSED, text, body)


def server_url() -> str:
    """``LEXICON_URL``, checked before any request: an http or https URL with a host."""
    url = os.environ.get("LEXICON_URL", "").strip() or DEFAULT_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Failure(
            USAGE,
            f"LEXICON_URL {url!r} is not an http:// or https:// URL "
            "(for example http://127.0.0.1:8000)",
        )
    return url


def _client() -> Client:
    url = server_url()
    key = os.environ.get("LEXICON_API_KEY", "").strip()
    if not key:
        raise Failure(USAGE, "LEXICON_API_KEY is not set: export the organization's API key")
    return Client(url, key)

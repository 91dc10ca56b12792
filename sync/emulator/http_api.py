"""The pronunciation-dictionary HTTP API (reference section 2) and the shared middleware."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sync.emulator import ids
from sync.emulator.records import ApiKey, DictionaryConflict, RequestLogEntry
from sync.emulator.state import EmulatorState
from sync.emulator.validation import ValidationFailed, name_problems

logger = logging.getLogger("sync.emulator")

STATE = web.AppKey("state", EmulatorState)
REQUEST_ID_HEADER = "X-Request-Id"
ADMIN_PREFIX = "/_emulator"
COLLECTION = "/v1/pronunciation/dictionaries"

UNAUTHENTICATED = "Missing or invalid organization context."
UNAVAILABLE = "Pronunciation dictionaries are temporarily unavailable."
RATE_LIMITED = "Too many requests: retry after the time in Retry-After."
INVALID = "Invalid pronunciation dictionary."

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class RequestContext:
    """Per-request facts the middleware and handlers share (a ContextVar, not request storage,
    so it works on every aiohttp 3.x without typed request keys)."""

    request_id: str
    org_id: str | None = None
    logged: bool = False
    received_at: float = 0.0


_CONTEXT: ContextVar[RequestContext] = ContextVar("sync_emulator_request")


def current() -> RequestContext:
    """The context of the request being handled (set by request_middleware)."""
    return _CONTEXT.get()


class ApiError(Exception):
    """An SLNG pronunciation error, rendered flat: code, error, fieldErrors, slng_request_id."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field_errors: dict[str, list[str]] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field_errors = field_errors
        self.headers = headers or {}

    def body(self, request_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "error": self.message}
        if self.field_errors:
            body["fieldErrors"] = self.field_errors
        body["slng_request_id"] = request_id
        return body


class PlainError(Exception):
    """An error outside the pronunciation API, in the gateway's general shape ``{"error": ...}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def log_request(request: web.Request, status: int) -> None:
    """Record one answered request in the state's log and the logger: never the key or query."""
    context = current()
    entry = RequestLogEntry(
        method=request.method,
        path=request.path,
        status=status,
        org_id=context.org_id,
        request_id=context.request_id,
        received_at=context.received_at,
        answered_at=time.monotonic(),
    )
    request.app[STATE].log_request(entry)
    context.logged = True
    logger.info(
        "%s %s -> %s org=%s %s", entry.method, entry.path, status, entry.org_id, entry.request_id
    )


def _http_exception_response(exc: web.HTTPException, request_id: str) -> web.Response:
    # Routing misses (404 unknown path, 405 method) use SLNG's general gateway shape.
    response = web.json_response(
        {"error": exc.reason, "slng_request_id": request_id}, status=exc.status
    )
    if "Allow" in exc.headers:
        response.headers["Allow"] = exc.headers["Allow"]
    return response


@web.middleware
async def request_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give every request an id (header + error bodies), render errors, log non-admin calls."""
    request_id = ids.new_request_id()
    context = RequestContext(request_id, received_at=time.monotonic())
    token = _CONTEXT.set(context)
    try:
        response = await _answer(request, handler, request_id)
        if not response.prepared:
            response.headers[REQUEST_ID_HEADER] = request_id
        if not context.logged and not request.path.startswith(ADMIN_PREFIX):
            log_request(request, response.status)
        return response
    finally:
        _CONTEXT.reset(token)


async def _answer(request: web.Request, handler: Handler, request_id: str) -> web.StreamResponse:
    """Run the handler and turn the errors it raises into JSON responses."""
    try:
        return await handler(request)
    except ApiError as exc:
        return web.json_response(exc.body(request_id), status=exc.status, headers=exc.headers)
    except PlainError as exc:
        body = {"error": exc.message, "slng_request_id": request_id}
        return web.json_response(body, status=exc.status)
    except web.HTTPException as exc:
        return _http_exception_response(exc, request_id)


def bearer_token(request: web.Request) -> str | None:
    """The key from ``Authorization: Bearer <key>``, or None when absent or another scheme."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


async def network_latency(state: EmulatorState, fault_ms: int) -> None:
    """Wait the network's latency (the state's setting) plus a latency fault, if any."""
    latency_ms = state.latency_ms + fault_ms
    if latency_ms:
        await asyncio.sleep(latency_ms / 1000)


async def _begin(request: web.Request) -> ApiKey:
    """Common start of every dictionary call: latency, auth, then the 429 and 503 faults."""
    state = request.app[STATE]
    await network_latency(state, state.faults.http_latency_ms)
    token = bearer_token(request)
    api_key = state.resolve_key(token) if token else None
    if api_key is None:
        raise ApiError(401, "pronunciation_unauthenticated", UNAUTHENTICATED)
    current().org_id = api_key.org_id
    if (retry_after := state.claim_rate_limit()) is not None:
        headers = {"Retry-After": str(retry_after)}
        raise ApiError(429, "rate_limit", RATE_LIMITED, headers=headers)
    if state.claim_http_failure():
        raise ApiError(503, "pronunciation_unavailable", UNAVAILABLE)
    return api_key


def _path_name(request: web.Request) -> str:
    name = request.match_info["name"]
    problems = name_problems(name)
    if problems:
        raise ApiError(400, "invalid_pronunciation", INVALID, {"name": problems})
    return name


def _not_found(name: str) -> ApiError:
    return ApiError(404, "pronunciation_not_found", f"Pronunciation dictionary not found: {name}")


async def _json_body(request: web.Request) -> object:
    try:
        return json.loads(await request.text())
    except ValueError:
        raise ApiError(
            400, "invalid_pronunciation", INVALID, {"body": ["Malformed JSON."]}
        ) from None


async def create_dictionary(request: web.Request) -> web.Response:
    api_key = await _begin(request)
    body = await _json_body(request)
    try:
        created = request.app[STATE].create_dictionary(
            api_key.org_id, body, key_label=api_key.label
        )
    except ValidationFailed as exc:
        raise ApiError(400, "invalid_pronunciation", INVALID, exc.field_errors) from None
    except DictionaryConflict as exc:
        message = f"Pronunciation dictionary already exists: {exc.args[0]}"
        raise ApiError(409, "pronunciation_conflict", message) from None
    return web.json_response(created, status=201)


async def list_dictionaries(request: web.Request) -> web.Response:
    api_key = await _begin(request)
    dictionaries = request.app[STATE].list_dictionaries(api_key.org_id)
    return web.json_response({"dictionaries": dictionaries})


async def get_dictionary(request: web.Request) -> web.Response:
    api_key = await _begin(request)
    name = _path_name(request)
    found = request.app[STATE].get_dictionary(api_key.org_id, name)
    if found is None:
        raise _not_found(name)
    return web.json_response(found)


async def delete_dictionary(request: web.Request) -> web.Response:
    api_key = await _begin(request)
    name = _path_name(request)
    if not request.app[STATE].delete_dictionary(api_key.org_id, name):
        raise _not_found(name)
    return web.Response(status=204)


def add_routes(app: web.Application) -> None:
    app.router.add_post(COLLECTION, create_dictionary)
    app.router.add_get(COLLECTION, list_dictionaries, allow_head=False)
    app.router.add_get(COLLECTION + "/{name}", get_dictionary, allow_head=False)
    app.router.add_delete(COLLECTION + "/{name}", delete_dictionary)

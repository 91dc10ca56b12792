"""Admin endpoints under ``/_emulator/``: faults, reset, request log, sessions, keys.

They are for tests and the local run only, and are not part of SLNG's API. Errors use the
gateway's general shape ``{"error": "...", "slng_request_id": ...}``. Admin calls are not
written to the request log.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from aiohttp import web

from sync.emulator.http_api import ADMIN_PREFIX, STATE, PlainError
from sync.emulator.records import ApiKey, key_from_json


def _bad_request(message: str) -> PlainError:
    return PlainError(400, message)


async def _json_object(request: web.Request) -> Mapping[str, object]:
    try:
        body = json.loads(await request.text() or "{}")
    except ValueError:
        raise _bad_request("Malformed JSON.") from None
    if not isinstance(body, Mapping):
        raise _bad_request("Body must be a JSON object.")
    return body


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def get_faults(request: web.Request) -> web.Response:
    return web.json_response(request.app[STATE].faults.to_json())


async def post_faults(request: web.Request) -> web.Response:
    payload = await _json_object(request)
    try:
        faults = request.app[STATE].update_faults(payload)
    except ValueError as exc:
        raise _bad_request(str(exc)) from None
    return web.json_response(faults.to_json())


async def delete_faults(request: web.Request) -> web.Response:
    request.app[STATE].clear_faults()
    return web.json_response(request.app[STATE].faults.to_json())


async def reset(request: web.Request) -> web.Response:
    request.app[STATE].reset()
    return web.Response(status=204)


async def get_requests(request: web.Request) -> web.Response:
    entries = [entry.to_json() for entry in request.app[STATE].requests()]
    return web.json_response({"requests": entries})


async def delete_requests(request: web.Request) -> web.Response:
    request.app[STATE].clear_requests()
    return web.Response(status=204)


async def get_sessions(request: web.Request) -> web.Response:
    sessions = [record.to_json() for record in request.app[STATE].sessions()]
    return web.json_response({"sessions": sessions})


async def get_dictionaries(request: web.Request) -> web.Response:
    return web.json_response({"dictionaries": request.app[STATE].all_dictionaries()})


async def post_key(request: web.Request) -> web.Response:
    """Add an API key at run time. The answer echoes org and label, never the key."""
    try:
        api_key: ApiKey = key_from_json(dict(await _json_object(request)), 0)
    except ValueError as exc:
        raise _bad_request(str(exc).replace("keys[0]", "body")) from None
    request.app[STATE].add_key(api_key)
    return web.json_response({"org_id": api_key.org_id, "label": api_key.label}, status=201)


def add_routes(app: web.Application) -> None:
    router, prefix = app.router, ADMIN_PREFIX
    router.add_get(f"{prefix}/health", health)
    router.add_get(f"{prefix}/faults", get_faults)
    router.add_post(f"{prefix}/faults", post_faults)
    router.add_delete(f"{prefix}/faults", delete_faults)
    router.add_post(f"{prefix}/reset", reset)
    router.add_get(f"{prefix}/requests", get_requests)
    router.add_delete(f"{prefix}/requests", delete_requests)
    router.add_get(f"{prefix}/sessions", get_sessions)
    router.add_get(f"{prefix}/dictionaries", get_dictionaries)
    router.add_post(f"{prefix}/keys", post_key)

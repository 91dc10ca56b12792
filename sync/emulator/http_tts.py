"""HTTP TTS (reference section 4.2 and 4.4): ``POST`` a JSON body to a TTS route, get audio back.

``POST /v1/tts/{model...}`` takes ``text`` (required), ``voice``, ``model``, ``config``
(``sample_rate``, ``encoding``, ``language``, ``speed``) and ``pronunciation``. The HTTP bridge,
``POST /v1/bridges/unmute/tts/{model...}``, takes what SLNG's own clients send it: ``text`` and
``voice`` (voiceai-sdk), and ``pronunciation``; a ``config`` object there is refused with 400,
as SLNG refuses it (docs/emulator.md), and the audio is the default (24 kHz linear16). The
answer is a WAV file holding the requested encoding. A reference that is malformed or names no
dictionary of the caller's org is 400 ``invalid_pronunciation``, as the reference documents for
HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from sync.emulator import markup, speech
from sync.emulator.http_api import STATE, ApiError, PlainError, _begin, _json_body
from sync.emulator.rewrite import rewrite_text
from sync.emulator.tts import AudioSettings, _lower, _settings, turn_audio
from sync.emulator.validation import reference_problem

MAX_TEXT_CHARS = 5000
INVALID_REFERENCE = "Invalid pronunciation reference."
BRIDGE_PREFIX = "/v1/bridges/"
NO_CONFIG = "config is not accepted on the HTTP bridge: send text and voice."


def _text(body: Mapping[str, Any]) -> str:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise PlainError(400, "text is required and must be a non-empty string.")
    if len(text) > MAX_TEXT_CHARS:
        raise PlainError(400, f"text must be at most {MAX_TEXT_CHARS} characters.")
    return text


def _audio_settings(request: web.Request, body: Mapping[str, Any]) -> AudioSettings:
    if "config" in body and request.path.startswith(BRIDGE_PREFIX):
        raise PlainError(400, NO_CONFIG)
    config = body.get("config", {})
    if not isinstance(config, Mapping):
        raise PlainError(400, "config must be an object.")
    settings = _settings(config)
    if isinstance(settings, str):
        raise PlainError(400, settings)
    return settings


def _modes(request: web.Request, org_id: str, reference: object) -> dict[str, Any] | None:
    """The referenced dictionary's modes; 400 invalid_pronunciation when there is none."""
    if reference is None:
        return None
    problem = reference_problem(reference)
    if problem:
        raise ApiError(
            400, "invalid_pronunciation", INVALID_REFERENCE, {"pronunciation": [problem]}
        )
    assert isinstance(reference, Mapping)  # noqa: S101 - reference_problem checked it
    found = request.app[STATE].resolve_for_tts(org_id, reference)
    if found is None:
        label = reference.get("name", reference.get("dictionary_id"))
        message = f"Pronunciation dictionary not found: {label}"
        raise ApiError(400, "invalid_pronunciation", message)
    modes: dict[str, Any] = found["modes"]
    return modes


async def synthesize(request: web.Request) -> web.Response:
    api_key = await _begin(request)
    body = await _json_body(request)
    if not isinstance(body, Mapping):
        raise PlainError(400, "Request body must be a JSON object.")
    text, settings = _text(body), _audio_settings(request, body)
    modes = _modes(request, api_key.org_id, body.get("pronunciation"))
    state = request.app[STATE]
    record = state.open_session(
        api_key.org_id, request.path, kind="http", headers=_lower(request.headers)
    )
    state.set_session_init(record.session_id, {k: v for k, v in body.items() if k != "text"})
    model = body.get("model")
    state.set_session_model(record.session_id, model if isinstance(model, str) else None)
    rewritten = rewrite_text(text, modes)
    state.record_text(record.session_id, rewritten, text)
    said = markup.spoken(rewritten, request.match_info.get("model_path"))  # its phonemes, roughly
    audio = b"".join(await turn_audio(state, said, settings))
    state.record_audio(record.session_id, len(audio))
    wav = speech.wav(audio, settings.sample_rate, settings.encoding)
    response = web.Response(body=wav, content_type="audio/wav")
    response.headers["X-Session-Id"] = record.session_id
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_post("/v1/tts/{model_path:.+}", synthesize)
    app.router.add_post("/v1/bridges/unmute/tts/{model_path:.+}", synthesize)

"""Issue 13: the emulator's HTTP TTS (POST to a TTS route) and its real speech."""

import array
import io
import logging
import struct
import warnings
import wave
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sync.emulator import ApiKey, EmulatorState, EmulatorThread, speech

KEY, ORG = "sk_test_http_tts", "org_http_tts"
BRIDGE = "/v1/bridges/unmute/tts/slng/deepgram/aura:2-en"
NATIVE = "/v1/tts/deepgram/aura:2"


@pytest.fixture
def emulator() -> Iterator[EmulatorThread]:
    state = EmulatorState([ApiKey(KEY, ORG)], speech="espeak")
    body = {"name": "brand", "modes": {"rewrite": {"rules": [{"match": "ACH", "replace": "ay"}]}}}
    state.create_dictionary(ORG, body)
    with EmulatorThread(state) as running:
        yield running


def post(emulator: EmulatorThread, path: str, body: Any, key: str | None = KEY) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(emulator.base_url + path, json=body, headers=headers, timeout=10)


def without_request_id(response: httpx.Response) -> dict[str, Any]:
    body = dict(response.json())
    assert body.pop("slng_request_id") == response.headers["X-Request-Id"]
    return body


@pytest.mark.parametrize("path", [BRIDGE, NATIVE])
def test_http_tts_speaks_the_rewritten_text_as_wav(emulator: EmulatorThread, path: str) -> None:
    short = post(
        emulator, path, {"text": "ACH", "pronunciation": {"mode": "rewrite", "name": "brand"}}
    )
    plain = post(emulator, path, {"text": "ACH"})

    assert short.status_code == plain.status_code == 200
    lengths = []
    for response in (short, plain):
        assert response.headers["Content-Type"] == "audio/wav"
        with wave.open(io.BytesIO(response.content)) as audio:
            assert (audio.getframerate(), audio.getsampwidth()) == (24000, 2)
            lengths.append(audio.getnframes())
    assert lengths[0] != lengths[1]  # "ay" is not "A C H" spelled out
    spoken = [(s.kind, s.path, s.texts) for s in emulator.state.sessions()]
    assert spoken == [("http", path, ["ay"]), ("http", path, ["ACH"])]


def test_http_tts_answers_the_requested_encoding_and_rate(emulator: EmulatorThread) -> None:
    response = post(
        emulator, NATIVE, {"text": "hello", "config": {"sample_rate": 8000, "encoding": "mulaw"}}
    )

    data = response.content
    tag, channels, rate, byte_rate = struct.unpack_from("<HHII", data, 20)
    assert (data[:4], data[8:12], tag, channels, rate, byte_rate) == (
        b"RIFF",
        b"WAVE",
        7,  # WAVE_FORMAT_MULAW
        1,
        8000,
        8000,
    )
    (session,) = emulator.state.sessions()
    assert len(data) > session.audio_bytes > 2000  # a quarter of a second of 8 kHz µ-law


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (
            {"text": "x", "pronunciation": {"mode": "rewrite", "name": "ghost"}},
            400,
            {"code": "invalid_pronunciation", "error": "Pronunciation dictionary not found: ghost"},
        ),
        (
            {"text": "x", "pronunciation": {"mode": "ipa", "name": "brand"}},
            400,
            {
                "code": "invalid_pronunciation",
                "error": "Invalid pronunciation reference.",
                "fieldErrors": {"pronunciation": ["pronunciation.mode must be 'rewrite'"]},
            },
        ),
        ({"voice": "thalia"}, 400, {"error": "text is required and must be a non-empty string."}),
        (
            {"text": "x", "config": {"sample_rate": 16000}},
            400,
            {"error": "config is not accepted on the HTTP bridge: send text and voice."},
        ),
    ],
)
def test_http_tts_refusals(
    emulator: EmulatorThread, body: Any, status: int, expected: dict[str, Any]
) -> None:
    """Issue 25: the HTTP bridge refuses ``config``, as SLNG does (its clients send text and
    voice)."""
    response = post(emulator, BRIDGE, body)

    assert (response.status_code, without_request_id(response)) == (status, expected)
    assert emulator.state.sessions() == []


def test_http_tts_needs_a_key(emulator: EmulatorThread) -> None:
    response = post(emulator, NATIVE, {"text": "x"}, key=None)

    assert (response.status_code, without_request_id(response)) == (
        401,
        {
            "code": "pronunciation_unauthenticated",
            "error": "Missing or invalid organization context.",
        },
    )


def test_without_espeak_a_tone_stands_in_and_the_log_says_so_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(speech.shutil, "which", lambda name: None)
    with caplog.at_level(logging.WARNING, logger="sync.emulator"):
        state = EmulatorState([ApiKey(KEY, ORG)], speech="auto")
        with EmulatorThread(state) as running:
            answers = [post(running, BRIDGE, {"text": "hello there"}) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200]
    assert state.sessions()[0].audio_bytes == 24000 * 2 // 50  # one 20 ms tone frame
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "espeak-ng is not installed: the emulator speaks a tone instead of the text"
    ]


@pytest.mark.parametrize("encoding", ["mulaw", "alaw"])
def test_g711_encoding_matches_the_standard_library(encoding: str) -> None:
    """The emulator's µ-law / A-law bytes equal audioop's (the C reference implementation)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # audioop leaves in Python 3.13
        audioop = pytest.importorskip("audioop")
    samples = array.array("h", range(-32768, 32768, 7))
    reference = {"mulaw": audioop.lin2ulaw, "alaw": audioop.lin2alaw}[encoding]

    assert speech.encode(samples, encoding) == reference(speech.encode(samples, "linear16"), 2)


def test_the_native_route_still_checks_config(emulator: EmulatorThread) -> None:
    response = post(emulator, NATIVE, {"text": "x", "config": {"encoding": "mp3"}})

    assert (response.status_code, without_request_id(response)) == (
        400,
        {"error": "config.encoding must be one of linear16, mulaw, alaw in the emulator"},
    )


def test_the_sdk_body_is_what_the_bridge_takes(emulator: EmulatorThread) -> None:
    """Issue 25: voiceai-sdk's body, {text, voice}, is answered with audio."""
    response = post(emulator, BRIDGE, {"text": "hello", "voice": "thalia"})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "audio/wav"

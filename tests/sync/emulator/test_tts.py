"""The emulator's TTS WebSocket: sessions, frames, and pronunciation applied at TTS time."""

from __future__ import annotations

import base64
import re

import httpx
import pytest
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK, InvalidStatus

from sync.emulator import EmulatorState, EmulatorThread
from tests.sync.emulator.helpers import (
    BRIDGE_PATH,
    KEY_A,
    KEY_B,
    NATIVE_PATH,
    TIMEOUT,
    ULID,
    body_for,
    create,
    init,
    open_ws,
    recv,
    reference,
    send,
    speak,
)


def test_tts_happy_path_streams_pcm_and_ends_the_turn(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        ready = init(ws)
        assert ready["type"] == "ready"
        assert re.fullmatch("sess_" + ULID, ready["session_id"])
        frames = speak(ws, "Hello there")
    chunk, flushed, end = frames
    assert chunk["type"] == "audio_chunk"
    assert chunk["sequence"] == 0
    pcm = base64.b64decode(chunk["data"], validate=True)
    assert len(pcm) == 24000 * 2 // 50  # 20 ms of 16-bit mono at the default 24 kHz
    assert len(pcm) % 2 == 0
    assert flushed == {"type": "flushed"}
    assert end == {"type": "audio_end", "duration": 0.02, "emulator_text": "Hello there"}


def test_tts_uses_the_requested_sample_rate_and_numbers_chunks(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        init(ws, sample_rate=16000, encoding="linear16")
        frames = speak(ws, "x" * 85)
    chunks = [f for f in frames if f["type"] == "audio_chunk"]
    assert [c["sequence"] for c in chunks] == [0, 1, 2]
    assert {len(base64.b64decode(c["data"])) for c in chunks} == {640}
    assert frames[-1]["duration"] == 0.06


def test_tts_text_without_flush_streams_and_flush_ends_the_turn(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        init(ws)
        send(ws, type="text", text="one")
        assert recv(ws)["type"] == "audio_chunk"
        send(ws, type="keepalive")  # answered by nothing
        send(ws, type="text", text="two")
        assert recv(ws)["sequence"] == 1
        send(ws, type="flush")
        assert recv(ws) == {"type": "flushed"}
        assert recv(ws) == {"type": "audio_end", "duration": 0.04, "emulator_text": "one two"}


def test_tts_accepts_the_token_query_parameter(emulator: EmulatorThread) -> None:
    with open_ws(emulator, f"{NATIVE_PATH}?token={KEY_A}", key=None) as ws:
        assert init(ws)["type"] == "ready"


def test_tts_bridge_does_not_require_a_model(emulator: EmulatorThread) -> None:
    """Issue 13: the bridge sends audio as binary frames (what pipecat and LiveKit read)."""
    with open_ws(emulator, BRIDGE_PATH) as ws:
        send(ws, type="init", config={"sample_rate": 8000, "encoding": "mulaw"})
        assert recv(ws)["type"] == "ready"
        send(ws, type="text", text="hello", flush=True)
        chunk = ws.recv(timeout=TIMEOUT)
        assert recv(ws) == {"type": "flushed"}
    assert chunk == b"\xff" * 160


def test_tts_native_init_without_model_is_a_config_error(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        send(ws, type="init", config={})
        assert recv(ws) == {
            "type": "error",
            "code": "config_error",
            "message": "model is required on /v1/tts/*",
        }
        assert init(ws)["type"] == "ready"  # the session stays open for a corrected init


def test_tts_missing_key_is_401_on_the_handshake(emulator: EmulatorThread) -> None:
    with pytest.raises(InvalidStatus) as caught:
        open_ws(emulator, key=None)
    assert caught.value.response.status_code == 401


def test_tts_invalid_key_gets_an_auth_error_frame_then_close(emulator: EmulatorThread) -> None:
    with open_ws(emulator, key="sk_test_unknown") as ws:
        assert recv(ws) == {"type": "error", "code": "auth_error", "message": "Invalid API key."}
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=TIMEOUT)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1008


def test_tts_messages_before_init_are_config_errors(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        send(ws, type="text", text="hi")
        assert recv(ws) == {
            "type": "error",
            "code": "config_error",
            "message": "Send init before text.",
        }
        ws.send("not json")
        assert recv(ws)["message"] == "Messages must be JSON objects."
        send(ws, type="speak")
        assert recv(ws)["message"] == "Unsupported message type: 'speak'."


def test_tts_rejects_unsupported_encodings(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        assert init(ws, encoding="mp3")["code"] == "config_error"


def test_tts_clear_and_cancel_answer_cleared(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        init(ws)
        send(ws, type="text", text="dropped")
        recv(ws)
        send(ws, type="clear")
        assert recv(ws) == {"type": "cleared"}
        send(ws, type="cancel")
        assert recv(ws) == {"type": "cleared"}
        assert speak(ws, "kept")[-1]["emulator_text"] == "kept"


def test_tts_close_message_ends_the_session_normally(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        init(ws)
        send(ws, type="close")
        with pytest.raises(ConnectionClosedOK) as closed:
            ws.recv(timeout=TIMEOUT)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1000


def test_tts_rewrites_whole_words_longest_first(
    client: httpx.Client, emulator: EmulatorThread, state: EmulatorState
) -> None:
    create(client, body_for("brand"))
    with open_ws(emulator) as ws:
        session_id = init(ws, pronunciation=reference("brand"))["session_id"]
        end = speak(ws, "slng: an ACH Transfer, an ach, an ACHE.")[-1]
    expected = "slang: an ay see aitch transfer, an ay see aitch, an ACHE."
    assert end["emulator_text"] == expected
    recorded = state.session(session_id)
    assert recorded is not None
    assert recorded.texts == [expected]
    assert recorded.model == "aura:2"


def test_tts_resolves_a_reference_by_dictionary_id(
    client: httpx.Client, emulator: EmulatorThread
) -> None:
    dictionary_id = create(client, body_for("brand")).json()["id"]
    with open_ws(emulator) as ws:
        init(ws, pronunciation={"mode": "rewrite", "dictionary_id": dictionary_id})
        assert speak(ws, "SLNG")[-1]["emulator_text"] == "slang"


def test_tts_unknown_dictionary_on_a_turn_is_an_error_frame(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        init(ws)
        frames = speak(ws, "hi", pronunciation=reference("support-pronunciations"))
        assert frames == [
            {
                "type": "error",
                "code": "pronunciation_not_found",
                "message": "Pronunciation dictionary not found: support-pronunciations",
                "status_code": 404,
            }
        ]
        send(ws, type="flush")  # the session is still usable
        assert recv(ws) == {"type": "flushed"}


def test_tts_unknown_dictionary_at_init_errors_but_keeps_the_session(
    client: httpx.Client, emulator: EmulatorThread
) -> None:
    """Issue 13: the unknown reference is dropped, so later turns are spoken without it."""
    with open_ws(emulator) as ws:
        send(ws, type="init", model="aura:2", config={"pronunciation": reference("brand")})
        assert recv(ws)["code"] == "pronunciation_not_found"
        assert recv(ws)["type"] == "ready"
        assert speak(ws, "SLNG")[-1]["emulator_text"] == "SLNG"
        create(client, body_for("brand"))  # a turn may name it again once it exists
        assert speak(ws, "SLNG", pronunciation=reference("brand"))[-1]["emulator_text"] == "slang"


def test_tts_cannot_use_another_orgs_dictionary(
    client: httpx.Client, emulator: EmulatorThread
) -> None:
    create(client, body_for("brand"), key=KEY_B)
    with open_ws(emulator) as ws:
        init(ws)
        assert (
            speak(ws, "SLNG", pronunciation=reference("brand"))[0]["code"]
            == "pronunciation_not_found"
        )


def test_tts_per_turn_override_is_sticky(client: httpx.Client, emulator: EmulatorThread) -> None:
    create(client, body_for("first", [{"match": "word", "replace": "one"}]))
    create(client, body_for("second", [{"match": "word", "replace": "two"}]))
    with open_ws(emulator) as ws:
        init(ws, pronunciation=reference("first"))
        assert speak(ws, "word")[-1]["emulator_text"] == "one"
        assert speak(ws, "word", pronunciation=reference("second"))[-1]["emulator_text"] == "two"
        assert speak(ws, "word")[-1]["emulator_text"] == "two"
        assert speak(ws, "word", pronunciation=None)[-1]["emulator_text"] == "word"
        assert speak(ws, "word")[-1]["emulator_text"] == "word"


@pytest.mark.parametrize(
    "bad_reference",
    [
        {"mode": "rewrite", "name": "a", "dictionary_id": "pd_x"},
        {"mode": "rewrite"},
        {"mode": "ipa", "name": "a"},
        {"mode": "rewrite", "name": "bad name"},
    ],
)
def test_tts_malformed_reference_is_a_config_error(
    emulator: EmulatorThread, bad_reference: dict[str, str]
) -> None:
    with open_ws(emulator) as ws:
        assert init(ws, pronunciation=bad_reference)["code"] == "config_error"
        assert init(ws)["type"] == "ready"
        assert speak(ws, "hi", pronunciation=bad_reference)[0]["code"] == "config_error"

"""Issue 13: what a TTS WebSocket session tells its client and records for tests."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import ClientConnection, connect
from websockets.sync.connection import Connection

from sync.emulator import ApiKey, EmulatorState, EmulatorThread

KEY, ORG = "sk_test_sessions", "org_sessions"
BRIDGE = "/v1/bridges/unmute/tts/slng/deepgram/aura:2-en"
GHOST = {"mode": "rewrite", "name": "ghost"}


@pytest.fixture
def emulator() -> Iterator[EmulatorThread]:
    with EmulatorThread(EmulatorState([ApiKey(KEY, ORG)])) as running:
        yield running


def open_ws(emulator: EmulatorThread, **headers: str) -> ClientConnection:
    return connect(
        emulator.ws_url + BRIDGE,
        additional_headers={"Authorization": f"Bearer {KEY}", **headers},
        proxy=None,
        open_timeout=5,
    )


def recv(ws: Connection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(ws.recv(timeout=5))
    return frame


def test_ready_carries_the_session_and_the_handshakes_request_id(emulator: EmulatorThread) -> None:
    with open_ws(emulator) as ws:
        ws.send(json.dumps({"type": "init", "config": {}}))
        ready = recv(ws)
        assert ws.response is not None
        request_id = ws.response.headers["X-Request-Id"]

    assert ready == {
        "type": "ready",
        "session_id": emulator.state.sessions()[0].session_id,
        "slng_request_id": request_id,
    }


def test_sessions_keep_tracking_headers_and_never_a_credential(emulator: EmulatorThread) -> None:
    with open_ws(
        emulator,
        **{
            "X-SLNG-Session-Id": "call-1",
            "X-SLNG-Agent-Id": "agent-1",
            "X-Region-Override": "eu-north-1",
            "X-API-Key": KEY,
            "X-Slng-Provider-Key": "dg_secret",
        },
    ) as ws:
        ws.send(json.dumps({"type": "init", "voice": "thalia", "config": {}}))
        recv(ws)

    (session,) = emulator.state.sessions()
    assert {k: v for k, v in session.headers.items() if k != "user-agent"} == {
        "x-slng-session-id": "call-1",
        "x-slng-agent-id": "agent-1",
        "x-region-override": "eu-north-1",
    }
    assert KEY not in json.dumps(session.to_json())
    assert "dg_secret" not in json.dumps(session.to_json())
    assert session.init == {"type": "init", "voice": "thalia", "config": {}}


def test_an_unknown_dictionary_in_init_can_close_the_session(emulator: EmulatorThread) -> None:
    emulator.state.update_faults({"init_unknown_dictionary": "close"})
    with open_ws(emulator) as ws:
        ws.send(json.dumps({"type": "init", "config": {"pronunciation": GHOST}}))
        error = recv(ws)
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=5)

    assert error == {
        "type": "error",
        "code": "pronunciation_not_found",
        "message": "Pronunciation dictionary not found: ghost",
        "status_code": 404,
    }
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1008


def test_framing_can_be_forced_to_json_on_the_bridge(emulator: EmulatorThread) -> None:
    emulator.state.update_faults({"ws_framing": "json"})
    with open_ws(emulator) as ws:
        ws.send(json.dumps({"type": "init", "config": {}}))
        recv(ws)
        ws.send(json.dumps({"type": "text", "text": "hello"}))
        chunk = recv(ws)

    assert (chunk["type"], chunk["sequence"]) == ("audio_chunk", 0)
    assert emulator.state.sessions()[0].framing == "json"

"""The emulator's injected faults: HTTP failures and latency, WebSocket drops, visibility."""

from __future__ import annotations

import time

import httpx
import pytest
from websockets.exceptions import ConnectionClosedError

from sync.emulator import EmulatorState, EmulatorThread
from tests.sync.emulator.helpers import (
    COLLECTION,
    TIMEOUT,
    UNAVAILABLE,
    FakeClock,
    auth,
    body_for,
    create,
    error_body,
    init,
    open_ws,
    recv,
    reference,
    send,
    speak,
)


def test_fail_http_answers_503_for_the_next_calls_only(
    client: httpx.Client, state: EmulatorState
) -> None:
    state.fail_http(2)
    for _ in range(2):
        response = client.get(COLLECTION, headers=auth())
        assert response.status_code == 503
        assert error_body(response) == UNAVAILABLE
    assert client.get(COLLECTION, headers=auth()).status_code == 200


def test_http_failures_can_be_injected_over_admin(client: httpx.Client) -> None:
    assert client.post("/_emulator/faults", json={"http_failures": 1}).status_code == 200
    assert create(client, body_for()).status_code == 503
    assert create(client, body_for()).status_code == 201


def test_http_latency_delays_dictionary_calls(client: httpx.Client, state: EmulatorState) -> None:
    state.set_latency(http_ms=200)
    started = time.monotonic()
    assert client.get(COLLECTION, headers=auth()).status_code == 200
    assert time.monotonic() - started >= 0.2


def test_ws_latency_delays_answers(emulator: EmulatorThread, state: EmulatorState) -> None:
    state.set_latency(ws_ms=200)
    with open_ws(emulator) as ws:
        started = time.monotonic()
        assert init(ws)["type"] == "ready"
        assert time.monotonic() - started >= 0.2


def test_drop_closes_the_socket_abruptly_after_k_chunks(
    emulator: EmulatorThread, state: EmulatorState
) -> None:
    state.drop_ws(2)
    with open_ws(emulator) as ws:
        init(ws)
        send(ws, type="text", text="x" * 200, flush=True)
        assert [recv(ws)["sequence"] for _ in range(2)] == [0, 1]
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=TIMEOUT)
    assert closed.value.rcvd is None  # no close frame: abnormal closure
    with open_ws(emulator) as ws:  # only the next session was affected
        init(ws)
        assert speak(ws, "x" * 200)[-1]["type"] == "audio_end"


@pytest.mark.parametrize(
    ("code", "close_code"), [("rate_limit", 1013), ("backend_connection_failed", 1011)]
)
def test_ws_error_fault_answers_init_with_an_error_frame(
    emulator: EmulatorThread, state: EmulatorState, code: str, close_code: int
) -> None:
    state.fail_ws(code)
    with open_ws(emulator) as ws:
        frame = init(ws)
        assert (frame["type"], frame["code"]) == ("error", code)
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=TIMEOUT)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == close_code
    with open_ws(emulator) as ws:
        assert init(ws)["type"] == "ready"


def test_ws_faults_can_be_injected_over_admin(
    client: httpx.Client, emulator: EmulatorThread
) -> None:
    payload = {"ws_error": {"code": "rate_limit", "sessions": 2}}
    assert client.post("/_emulator/faults", json=payload).status_code == 200
    for _ in range(2):
        with open_ws(emulator) as ws:
            assert init(ws)["code"] == "rate_limit"
    with open_ws(emulator) as ws:
        assert init(ws)["type"] == "ready"


def test_visibility_delay_hides_new_dictionaries_from_tts(
    client: httpx.Client, emulator: EmulatorThread, state: EmulatorState, clock: FakeClock
) -> None:
    state.set_visibility_delay(1500)
    create(client, body_for("brand"))
    assert client.get(f"{COLLECTION}/brand", headers=auth()).status_code == 200
    with open_ws(emulator) as ws:
        init(ws)
        assert (
            speak(ws, "SLNG", pronunciation=reference("brand"))[0]["code"]
            == "pronunciation_not_found"
        )
        clock.now += 1.5
        assert speak(ws, "SLNG")[-1]["emulator_text"] == "slang"

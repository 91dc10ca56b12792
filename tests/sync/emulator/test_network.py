"""The emulator's network model (issue 17): a latency setting per HTTP call and WebSocket frame,
429 rate limits with Retry-After, and the request log's arrival and answer times."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.emulator.__main__ import parse_args
from tests.sync.emulator.helpers import (
    COLLECTION,
    KEY_A,
    TIMEOUT,
    auth,
    body_for,
    create,
    error_body,
    init,
    open_ws,
    speak,
)

LATENCY_MS = 150


@pytest.fixture
def slow() -> Iterator[EmulatorThread]:
    """An emulator whose network has LATENCY_MS of latency."""
    state = EmulatorState([ApiKey(KEY_A, "org_alpha", "production-key")], latency_ms=LATENCY_MS)
    with EmulatorThread(state) as emulator:
        yield emulator


def _seconds(started: float) -> float:
    return time.monotonic() - started


def test_the_latency_setting_delays_every_http_call(slow: EmulatorThread) -> None:
    with httpx.Client(base_url=slow.base_url, timeout=TIMEOUT) as client:
        started = time.monotonic()
        assert create(client, body_for()).status_code == 201
        assert client.get(COLLECTION, headers=auth()).status_code == 200

        assert _seconds(started) >= 2 * LATENCY_MS / 1000
        (first, second) = slow.state.requests()
        assert first.answered_at - first.received_at >= LATENCY_MS / 1000
        assert second.received_at >= first.answered_at


def test_the_latency_setting_delays_the_handshake_and_each_client_frame(
    slow: EmulatorThread,
) -> None:
    started = time.monotonic()
    with open_ws(slow) as ws:
        opened = _seconds(started)
        assert init(ws)["type"] == "ready"
        speak(ws, "hello")

    assert opened >= LATENCY_MS / 1000
    assert _seconds(started) >= 3 * LATENCY_MS / 1000  # handshake, init, text


def test_the_latency_setting_outlives_cleared_faults_and_a_reset(slow: EmulatorThread) -> None:
    slow.state.clear_faults()
    slow.state.reset()

    assert slow.state.latency_ms == LATENCY_MS
    assert slow.state.faults.http_latency_ms == 0


def test_a_negative_latency_is_refused() -> None:
    with pytest.raises(ValueError, match="latency_ms"):
        EmulatorState(latency_ms=-1)


def test_the_command_line_takes_the_latency_from_the_option_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert parse_args([]).latency_ms == 0
    assert parse_args(["--latency-ms", "50"]).latency_ms == 50
    monkeypatch.setenv("SLNG_EMULATOR_LATENCY_MS", "30")
    assert parse_args([]).latency_ms == 30
    with pytest.raises(SystemExit):
        parse_args(["--latency-ms", "-5"])


def test_rate_limited_calls_answer_429_with_retry_after(
    client: httpx.Client, state: EmulatorState
) -> None:
    state.rate_limit_http(2, retry_after=7)

    for _ in range(2):
        response = client.get(COLLECTION, headers=auth())
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "7"
        assert error_body(response) == {
            "code": "rate_limit",
            "error": "Too many requests: retry after the time in Retry-After.",
        }
    assert client.get(COLLECTION, headers=auth()).status_code == 200
    assert [r.status for r in state.requests()] == [429, 429, 200]


def test_a_rate_limit_is_claimed_only_by_authenticated_calls(
    client: httpx.Client, state: EmulatorState
) -> None:
    client.post("/_emulator/faults", json={"http_rate_limit": {"calls": 1}})

    assert client.get(COLLECTION).status_code == 401
    assert client.get(COLLECTION, headers=auth()).headers["Retry-After"] == "1"
    assert client.get(COLLECTION, headers=auth()).status_code == 200


def test_a_rate_limit_storm_can_start_after_some_calls(
    client: httpx.Client, state: EmulatorState
) -> None:
    state.rate_limit_http(1, after=2)

    statuses = [client.get(COLLECTION, headers=auth()).status_code for _ in range(4)]

    assert statuses == [200, 200, 429, 200]

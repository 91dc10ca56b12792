"""The emulator's admin API, its request log and its logs (which never contain keys)."""

from __future__ import annotations

import json
import logging
from unittest.mock import ANY

import httpx
import pytest

from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.emulator.server import is_loopback
from tests.sync.emulator.helpers import (
    COLLECTION,
    KEY_A,
    KEY_B,
    NATIVE_PATH,
    auth,
    body_for,
    create,
    init,
    open_ws,
    reference,
    speak,
)


def test_admin_faults_round_trip_and_clear(client: httpx.Client) -> None:
    payload = {
        "http_failures": 1,
        "http_rate_limit": {"calls": 2, "retry_after": 3, "after": 4},
        "http_latency_ms": 5,
        "ws_latency_ms": 6,
        "ws_drop": {"after_chunks": 3, "sessions": 2},
        "ws_error": {"code": "backend_connection_failed", "sessions": 1},
        "visibility_delay_ms": 7,
        "ws_framing": "binary",
        "init_unknown_dictionary": "close",
    }
    assert client.post("/_emulator/faults", json=payload).json() == payload
    assert client.get("/_emulator/faults").json() == payload
    cleared = client.delete("/_emulator/faults").json()
    assert cleared["http_failures"] == 0
    assert cleared["ws_error"] == {"code": None, "sessions": 0}


@pytest.mark.parametrize(
    "payload", [{"http_failure": 1}, {"http_failures": -1}, {"ws_error": {"code": "boom"}}, [1]]
)
def test_admin_rejects_malformed_faults(client: httpx.Client, payload: object) -> None:
    response = client.post("/_emulator/faults", json=payload)
    assert response.status_code == 400
    assert set(response.json()) == {"error", "slng_request_id"}


def test_request_log_records_calls_without_keys(
    client: httpx.Client, emulator: EmulatorThread, state: EmulatorState
) -> None:
    create(client, body_for())
    client.get(COLLECTION)
    with open_ws(emulator, f"{NATIVE_PATH}?token={KEY_A}", key=None) as ws:
        init(ws)
    entries = client.get("/_emulator/requests").json()["requests"]
    assert [(e["method"], e["path"], e["status"], e["org_id"]) for e in entries] == [
        ("POST", COLLECTION, 201, "org_alpha"),
        ("GET", COLLECTION, 401, None),
        ("GET", NATIVE_PATH, 101, "org_alpha"),
    ]
    assert KEY_A not in json.dumps(entries)
    assert [e.request_id for e in state.requests()] == [e["request_id"] for e in entries]


def test_logs_never_contain_keys(
    client: httpx.Client, emulator: EmulatorThread, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    create(client, body_for())
    client.get(COLLECTION, headers=auth("sk_test_wrong"))
    with open_ws(emulator, f"{NATIVE_PATH}?token={KEY_B}", key=None) as ws:
        init(ws)
    # Only the server side's loggers: the websockets client logs its own request line.
    server_logs = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("sync.emulator", "aiohttp"))
    )
    assert "org_alpha" in server_logs  # the emulator does log requests...
    for key in (KEY_A, KEY_B, "sk_test_wrong"):
        assert key not in server_logs  # ...but never a key
    assert KEY_A not in repr(ApiKey(KEY_A, "org_alpha"))


def test_admin_reset_forgets_everything_but_keys(
    client: httpx.Client, state: EmulatorState
) -> None:
    create(client, body_for())
    state.fail_http(5)
    assert client.post("/_emulator/reset").status_code == 204
    assert state.requests() == []
    assert client.get(COLLECTION, headers=auth()).json() == {"dictionaries": []}


def test_admin_lists_sessions_and_dictionaries(
    client: httpx.Client, emulator: EmulatorThread
) -> None:
    created = create(client, body_for()).json()
    with open_ws(emulator, NATIVE_PATH) as ws:
        session_id = init(ws, pronunciation=reference("brand"))["session_id"]
        speak(ws, "SLNG")
    assert client.get("/_emulator/sessions").json() == {
        "sessions": [
            {
                "session_id": session_id,
                "org_id": "org_alpha",
                "path": NATIVE_PATH,
                "model": "aura:2",
                "texts": ["slang"],
                "kind": "ws",
                "framing": "json",
                "headers": {"user-agent": ANY},
                "init": {
                    "type": "init",
                    "model": "aura:2",
                    "voice": "thalia",
                    "config": {"pronunciation": reference("brand")},
                },
                "originals": ["SLNG"],
                "audio_bytes": 960,
                "errors": [],
            }
        ]
    }
    assert client.get("/_emulator/dictionaries").json() == {"dictionaries": [created]}
    assert client.get("/_emulator/health").json() == {"status": "ok"}


def test_admin_adds_keys_without_echoing_them(client: httpx.Client) -> None:
    response = client.post(
        "/_emulator/keys", json={"key": "sk_test_new", "org_id": "org_new", "label": "ci"}
    )
    assert response.status_code == 201
    assert response.json() == {"org_id": "org_new", "label": "ci"}
    assert client.get(COLLECTION, headers=auth("sk_test_new")).status_code == 200
    assert client.post("/_emulator/keys", json={"key": "x"}).status_code == 400


def test_admin_can_be_disabled(state: EmulatorState) -> None:
    with EmulatorThread(state, admin=False) as running:
        response = httpx.post(f"{running.base_url}/_emulator/reset", trust_env=False)
    assert response.status_code == 404


def test_admin_defaults_to_loopback_hosts_only() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert not is_loopback("0.0.0.0")  # noqa: S104
    assert not is_loopback("192.0.2.10")

"""Starting and stopping the emulator, its keys file and its ids."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosedOK

from sync.emulator import ApiKey, EmulatorState, EmulatorThread, load_keys, start_emulator
from sync.emulator.ids import new_ulid
from tests.sync.emulator.helpers import (
    COLLECTION,
    TIMEOUT,
    ULID,
    auth,
    init,
    open_ws,
)


def test_start_emulator_runs_on_the_callers_loop(state: EmulatorState) -> None:
    async def scenario() -> tuple[int, str]:
        running = await start_emulator(state)
        try:
            async with httpx.AsyncClient(base_url=running.url, trust_env=False) as http:
                response = await http.get(COLLECTION, headers=auth(), timeout=TIMEOUT)
        finally:
            await running.close()
        return response.status_code, running.ws_url

    status, ws_url = asyncio.run(scenario())
    assert status == 200
    assert re.fullmatch(r"ws://127\.0\.0\.1:\d+", ws_url)


def test_stop_closes_open_sessions(state: EmulatorState) -> None:
    running = EmulatorThread(state).start()
    with open_ws(running) as ws:
        init(ws)
        running.stop()
        with pytest.raises(ConnectionClosedOK):
            ws.recv(timeout=TIMEOUT)


def test_keys_file_is_loaded(tmp_path: Any) -> None:
    path = tmp_path / "keys.json"
    entry = {"key": "sk_test_file", "org_id": "org_file", "label": "production-key"}
    path.write_text(json.dumps({"keys": [entry]}))
    assert load_keys(path) == [ApiKey("sk_test_file", "org_file", "production-key")]
    assert EmulatorState.from_keys_file(path).resolve_key("sk_test_file") is not None
    path.write_text(json.dumps({"keys": [{"key": "sk"}]}))
    with pytest.raises(ValueError, match="org_id"):
        load_keys(path)


def test_ulids_are_crockford_and_time_ordered() -> None:
    ulids = [new_ulid() for _ in range(1000)]
    assert all(re.fullmatch(ULID, value) for value in ulids)
    assert ulids == sorted(ulids)
    assert len(set(ulids)) == len(ulids)

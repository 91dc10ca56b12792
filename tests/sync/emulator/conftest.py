"""Fixtures of the emulator's tests: a fake clock, a state with three keys, the running emulator."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from tests.sync.emulator.helpers import (
    KEY_A,
    KEY_B,
    KEY_UNLABELLED,
    TIMEOUT,
    FakeClock,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state(clock: FakeClock) -> EmulatorState:
    keys = [
        ApiKey(KEY_A, "org_alpha", "production-key"),
        ApiKey(KEY_B, "org_bravo", "bravo-key"),
        ApiKey(KEY_UNLABELLED, "org_alpha"),
    ]
    return EmulatorState(keys, clock=clock)


@pytest.fixture
def emulator(state: EmulatorState) -> Iterator[EmulatorThread]:
    running = EmulatorThread(state).start()
    yield running
    running.stop()


@pytest.fixture
def client(emulator: EmulatorThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.base_url, timeout=TIMEOUT, trust_env=False) as http:
        yield http

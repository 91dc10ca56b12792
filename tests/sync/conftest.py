"""Sync fixtures: the SLNG emulator on loopback and targets of our organizations pointing at it."""

import pytest

from orgs.models import Organization
from sync.emulator import EmulatorThread
from sync.models import SyncTarget
from sync.targets import target_create
from tests.conftest import SLNG_KEY_ACME, UPSTREAM_ORG_ACME


@pytest.fixture
def target(organization: Organization, slng: EmulatorThread) -> SyncTarget:
    return target_create(
        organization=organization,
        name="production",
        base_url=slng.base_url,
        ws_url=slng.ws_url,
        api_key=SLNG_KEY_ACME,
    )


def upstream(slng: EmulatorThread, org_id: str = UPSTREAM_ORG_ACME) -> dict[str, dict]:
    """What the emulator holds for an upstream org, by name."""
    return {d["name"]: d for d in slng.state.list_dictionaries(org_id)}


def writes(slng: EmulatorThread) -> list[tuple[str, str]]:
    """Every non-GET dictionary request the emulator answered, as (method, path)."""
    return [(r.method, r.path) for r in slng.state.requests() if r.method != "GET"]

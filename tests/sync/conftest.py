"""Sync fixtures: the SLNG emulator on loopback and targets of our organizations pointing at it."""

from collections.abc import Iterator

import pytest

from orgs.models import Organization
from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.models import Channel, SyncTarget
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


@pytest.fixture
def production_slng() -> Iterator[EmulatorThread]:
    """A second SLNG environment (its own emulator) for the production target."""
    state = EmulatorState([ApiKey(SLNG_KEY_ACME, UPSTREAM_ORG_ACME, "lexicon-sync")])
    with EmulatorThread(state) as emulator:
        yield emulator


@pytest.fixture
def staging(organization: Organization, slng: EmulatorThread) -> SyncTarget:
    """``staging`` on ``latest``, pruning, on the ``slng`` emulator."""
    return target_create(
        organization=organization,
        name="staging",
        base_url=slng.base_url,
        ws_url=slng.ws_url,
        api_key=SLNG_KEY_ACME,
        prune=True,
    )


@pytest.fixture
def production(
    organization: Organization, staging: SyncTarget, production_slng: EmulatorThread
) -> SyncTarget:
    """``production`` on ``approved`` after ``staging``, pruning, on its own emulator."""
    return target_create(
        organization=organization,
        name="production",
        base_url=production_slng.base_url,
        ws_url=production_slng.ws_url,
        api_key=SLNG_KEY_ACME,
        prune=True,
        channel=Channel.APPROVED,
        after=staging,
    )

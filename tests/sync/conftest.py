"""Sync fixtures: the SLNG emulator on loopback and targets of our organizations pointing at it."""

from collections.abc import Iterator

import pytest

from orgs.models import Organization
from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.models import SyncTarget
from sync.targets import target_create

SLNG_KEY_ACME = "sk_test_acme_upstream"
SLNG_KEY_GLOBEX = "sk_test_globex_upstream"
UPSTREAM_ORG_ACME = "org_upstream_acme"
UPSTREAM_ORG_GLOBEX = "org_upstream_globex"


@pytest.fixture
def slng() -> Iterator[EmulatorThread]:
    """A fresh SLNG emulator with one upstream org per local org."""
    state = EmulatorState(
        [
            ApiKey(SLNG_KEY_ACME, UPSTREAM_ORG_ACME, "lexicon-sync"),
            ApiKey(SLNG_KEY_GLOBEX, UPSTREAM_ORG_GLOBEX, "lexicon-sync"),
        ]
    )
    with EmulatorThread(state) as emulator:
        yield emulator


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

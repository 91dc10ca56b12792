"""Sync fixtures: the SLNG emulator on loopback and targets of our organizations pointing at it."""

from collections.abc import Iterator
from typing import Any

import pytest
from celery import current_app
from django.test import Client

from orgs.models import Organization, Role
from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from sync.models import Channel, SyncTarget
from sync.services import target_create
from tests.conftest import SLNG_KEY_ACME, UPSTREAM_ORG_ACME
from tests.factories import staff_client


def emulator_target(
    organization: Organization, name: str, slng: EmulatorThread, **options: Any
) -> SyncTarget:
    """A target of ``organization`` on the emulator ``slng`` (acme's SLNG key unless given)."""
    return target_create(
        organization=organization,
        name=name,
        base_url=slng.base_url,
        ws_url=slng.ws_url,
        api_key=options.pop("api_key", SLNG_KEY_ACME),
        **options,
    )


@pytest.fixture
def target(organization: Organization, slng: EmulatorThread) -> SyncTarget:
    return emulator_target(organization, "production", slng)


@pytest.fixture
def eager() -> Iterator[None]:
    """Celery's eager mode: an enqueued run (Sync now, a follower) happens in this process."""
    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = before


@pytest.fixture
def boss(organization: Organization) -> Client:
    """A staff user who is an admin of ``acme``, logged in."""
    return staff_client(organization, Role.ADMIN, "boss")


def target_form(target: SyncTarget, **changes: object) -> dict[str, object]:
    """The admin change form of a target as a browser posts it, with ``changes``."""
    return {
        "name": target.name,
        "base_url": target.base_url,
        "ws_url": target.ws_url,
        "model": target.model,
        "voice": target.voice,
        "enabled": "on",
        "interval_seconds": str(target.interval_seconds),
        "verify_route": target.verify_route,
        "channel": target.channel,
        "api_key": "",
        "runs-TOTAL_FORMS": "0",
        "runs-INITIAL_FORMS": "0",
        **changes,
    }


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
    return emulator_target(organization, "staging", slng, prune=True)


@pytest.fixture
def production(
    organization: Organization, staging: SyncTarget, production_slng: EmulatorThread
) -> SyncTarget:
    """``production`` on ``approved`` after ``staging``, pruning, on its own emulator."""
    return emulator_target(
        organization,
        "production",
        production_slng,
        prune=True,
        channel=Channel.APPROVED,
        after=staging,
    )

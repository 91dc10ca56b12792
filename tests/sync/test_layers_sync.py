"""Layers over real sockets: each includer of a layer receives its flattened, compiled content."""

from typing import Any

import pytest

from orgs.actors import Actor
from orgs.models import Organization, Role
from orgs.services import organization_configure
from pronunciations.models import ReviewState
from pronunciations.services import dictionary_update
from sync.emulator import EmulatorThread
from sync.models import Channel, SyncTarget
from sync.services import target_run
from tests.conftest import SLNG_KEY_ACME
from tests.factories import decide, make_dictionary
from tests.sync.conftest import emulator_target, upstream, writes

pytestmark = pytest.mark.django_db

BRAND = {
    "rewrite": {"rules": [{"match": "NAIC", "replace": "N.A.I.C."}]},
    "ipa": {"rules": [{"match": "Cartesia", "ipa": "kɑɹˈtiʒə"}]},
}


def _run(target: SyncTarget) -> Any:
    return target_run(
        target_id=target.public_id, organization_id=target.organization.public_id, trigger="manual"
    )


def _agents(organization: Organization) -> None:
    make_dictionary(organization, "brand", modes=BRAND, layer_only=True)
    make_dictionary(
        organization,
        "support-en",
        metadata={"language": "en"},
        modes={"rewrite": {"rules": [{"match": "hi", "replace": "hello"}]}},
        includes=[{"name": "brand"}],
    )
    make_dictionary(
        organization,
        "billing-de",
        metadata={"language": "de"},
        modes={
            "rewrite": {
                "rules": [
                    {"match": "NAIC", "replace": "Naik"},
                    {"match": "old", "replace": "alt", "disabled": True},
                ]
            }
        },
        includes=[{"name": "brand"}],
    )


def test_two_includers_each_receive_their_flattened_compiled_content(
    organization: Organization, slng: EmulatorThread
) -> None:
    _agents(organization)
    target = emulator_target(organization, "production", slng, model="kugelaudio/kugel:1")
    assert _run(target).status == "succeeded"

    held = upstream(slng)
    assert sorted(held) == ["billing-de", "support-en"]  # brand is a layer only
    assert held["support-en"]["modes"] == {
        "rewrite": {
            "rules": [
                {"match": "NAIC", "replace": "N.A.I.C."},
                {"match": "hi", "replace": "hello"},
                {"match": "Cartesia", "replace": "/kɑɹˈtiʒə/"},
            ]
        },
        "ipa": BRAND["ipa"],
    }
    # its own NAIC wins; its disabled rule is not sent
    assert held["billing-de"]["modes"]["rewrite"]["rules"] == [
        {"match": "NAIC", "replace": "Naik"},
        {"match": "Cartesia", "replace": "/kɑɹˈtiʒə/"},
    ]
    assert "includes" not in held["support-en"]


def test_a_layer_change_reaches_every_includer(
    organization: Organization, slng: EmulatorThread
) -> None:
    _agents(organization)
    target = emulator_target(organization, "production", slng)
    assert _run(target).status == "succeeded"
    dictionary_update(
        organization=organization,
        name="brand",
        modes={
            "rewrite": {"rules": [{"match": "NAIC", "replace": "N A I C"}]},
            "ipa": BRAND["ipa"],
        },
    )
    assert _run(target).status == "succeeded"

    held = upstream(slng)
    assert {"match": "NAIC", "replace": "N A I C"} in held["support-en"]["modes"]["rewrite"][
        "rules"
    ]
    assert {"match": "NAIC", "replace": "Naik"} in held["billing-de"]["modes"]["rewrite"]["rules"]


def test_an_unchanged_includer_costs_no_write_and_no_verification(
    organization: Organization, slng: EmulatorThread
) -> None:
    _agents(organization)
    target = emulator_target(organization, "production", slng)
    assert _run(target).status == "succeeded"
    before = len(writes(slng))
    again = _run(target)
    assert (again.status, again.verified) == ("succeeded", 0)
    assert len(writes(slng)) == before


def test_an_approved_target_serves_a_layer_change_once_it_is_approved(
    organization: Organization, slng: EmulatorThread
) -> None:
    _agents(organization)
    staging = emulator_target(organization, "staging", slng, api_key=SLNG_KEY_ACME)
    production = emulator_target(organization, "production", slng, channel=Channel.APPROVED)
    production.after = staging
    production.save(update_fields=["after"])
    for target in (staging, production):
        assert _run(target).status == "succeeded"
    organization_configure(organization=organization, review_required=True)
    brand = dictionary_update(
        organization=organization,
        name="brand",
        modes={
            "rewrite": {"rules": [{"match": "NAIC", "replace": "N A I C"}]},
            "ipa": BRAND["ipa"],
        },
    )
    assert _run(production).status == "succeeded"
    support = upstream(slng)["support-en"]["modes"]["rewrite"]["rules"]
    assert {"match": "NAIC", "replace": "N.A.I.C."} in support  # proposed: not served yet

    decide(brand, Actor("rita", "user:rita", Role.REVIEWER), ReviewState.APPROVED, number=2)
    assert _run(production).status == "succeeded"
    support = upstream(slng)["support-en"]["modes"]["rewrite"]["rules"]
    assert {"match": "NAIC", "replace": "N A I C"} in support

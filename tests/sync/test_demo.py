"""Issue 13: the local run's demo target verifies the way SLNG's client libraries speak."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from orgs.models import Membership
from sync.emulator import ApiKey, EmulatorThread
from sync.management.commands.demo_setup import DEMO_CHANNEL_KEYS, DEMO_PASSWORD, DEMO_SLNG_KEY
from sync.models import SyncTarget
from sync.services import target_api_key, target_run

pytestmark = pytest.mark.django_db


def test_the_demo_dictionary_is_verified_through_the_bridge(
    settings: Any, tmp_path: Path, slng: EmulatorThread
) -> None:
    settings.DEBUG, settings.BASE_DIR = True, tmp_path  # demo_setup writes var/ under BASE_DIR
    out = io.StringIO()
    call_command("demo_setup", "--emulator-url", slng.base_url, stdout=out, stderr=out)
    slng.state.add_key(ApiKey(DEMO_SLNG_KEY, "org_local_demo"))

    target = SyncTarget.objects.get(name="emulator")
    run = target_run(
        target_id=target.public_id, organization_id=target.organization.public_id, trigger="manual"
    )

    # the two agents' dictionaries; the brand layer they include is not pushed on its own
    assert (run.status, run.verified) == ("succeeded", 2)
    sessions = slng.state.sessions()
    assert {session.path for session in sessions} == {
        "/v1/bridges/unmute/tts/slng/deepgram/aura:2-en"
    }
    # each verified with its shortest match: "ACH" for support, "SEPA" for billing
    assert sorted(text for session in sessions for text in session.texts) == [
        "Sepa",
        "ay see aitch",
    ]


def test_the_demo_keeps_its_brand_names_once_in_a_layer_both_agents_include(
    settings: Any, tmp_path: Path, slng: EmulatorThread
) -> None:
    settings.DEBUG, settings.BASE_DIR = True, tmp_path
    out = io.StringIO()
    call_command("demo_setup", "--emulator-url", slng.base_url, stdout=out, stderr=out)
    slng.state.add_key(ApiKey(DEMO_SLNG_KEY, "org_local_demo"))
    target = SyncTarget.objects.get(name="emulator")
    target_run(
        target_id=target.public_id, organization_id=target.organization.public_id, trigger="manual"
    )

    held = {d["name"]: d for d in slng.state.list_dictionaries("org_local_demo")}
    assert sorted(held) == ["billing-de", "support-pronunciations"]
    for name in held:
        rules = {r["match"]: r["replace"] for r in held[name]["modes"]["rewrite"]["rules"]}
        assert rules["QubePay"] == "cube pay", name
    assert held["billing-de"]["metadata"]["language"] == "de-DE"
    assert held["support-pronunciations"]["metadata"]["language"] == "en-US"


def test_the_demo_has_staging_production_and_a_reviewer_and_a_rerun_moves_them(
    settings: Any, tmp_path: Path
) -> None:
    """Issue 14's walkthrough: staging on latest, production on approved after staging, a
    reviewer login besides the demo admin; run again with another emulator URL, all move."""
    settings.DEBUG, settings.BASE_DIR = True, tmp_path
    for url in ("http://127.0.0.1:8765", "http://127.0.0.1:8766"):
        call_command(
            "demo_setup", "--emulator-url", url, stdout=io.StringIO(), stderr=io.StringIO()
        )

    targets = SyncTarget.objects.select_related("after").order_by("pk")
    assert [(t.name, t.channel, t.after.name if t.after else None, t.prune) for t in targets] == [
        ("emulator", "latest", None, False),
        ("staging", "latest", None, True),
        ("production", "approved", "staging", True),
    ]
    assert {t.base_url for t in targets} == {"http://127.0.0.1:8766"}
    assert {target_api_key(t) for t in targets} == {DEMO_SLNG_KEY, *DEMO_CHANNEL_KEYS}
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {"demo": "admin", "reviewer": "reviewer"}
    assert User.objects.get(username="reviewer").check_password(DEMO_PASSWORD)

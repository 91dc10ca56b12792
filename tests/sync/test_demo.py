"""Issue 13: the local run's demo target verifies the way SLNG's client libraries speak."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from sync.emulator import ApiKey, EmulatorThread
from sync.management.commands.demo_setup import DEMO_SLNG_KEY
from sync.models import SyncTarget
from sync.services import target_run

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

    assert (run.status, run.verified) == ("succeeded", 1)
    (session,) = slng.state.sessions()
    assert session.path == "/v1/bridges/unmute/tts/slng/deepgram/aura:2-en"
    assert session.texts == ["ay see aitch"]  # "ACH", the sample's shortest match

"""Sync's counters: runs by target and outcome, failed verifications by SLNG code."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY

from orgs.models import Organization
from sync.emulator import EmulatorThread
from sync.metrics import bounded_code
from sync.models import SyncTarget
from sync.services import TargetBusy, target_run
from sync.tasks import run_target
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db


def _counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_failed_verification_is_counted_by_target_and_slng_code(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    make_dictionary(organization, "brand")
    slng.state.set_visibility_delay(60_000)  # TTS answers pronunciation_not_found, twice
    labels = {"target": target.public_id, "code": "pronunciation_not_found"}
    before = _counted("lexicon_sync_verifications_failed_total", **labels)

    run = target_run(
        target_id=target.public_id, organization_id=organization.public_id, trigger="manual"
    )

    assert run.failed == 1
    assert _counted("lexicon_sync_verifications_failed_total", **labels) == before + 1


def test_codes_outside_slng_reference_are_counted_as_other() -> None:
    assert [bounded_code(c) for c in ("config_error", "http_405", "x" * 80, "", "http_9999")] == [
        "config_error",
        "http_405",
        "other",
        "other",
        "other",
    ]


def test_a_task_run_is_counted_by_target_and_outcome_with_its_duration(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    make_dictionary(organization, "brand")
    succeeded = {"target": target.public_id, "outcome": "succeeded"}
    runs, timed = (
        _counted("lexicon_sync_runs_total", **succeeded),
        _counted("lexicon_sync_run_duration_seconds_count", **succeeded),
    )

    run_target(target.public_id, organization.public_id, "manual")

    assert _counted("lexicon_sync_runs_total", **succeeded) == runs + 1
    assert _counted("lexicon_sync_run_duration_seconds_count", **succeeded) == timed + 1


def test_a_run_that_finds_its_target_busy_is_counted_busy(
    organization: Organization, target: SyncTarget, slng: EmulatorThread
) -> None:
    busy = {"target": target.public_id, "outcome": "busy"}
    before = _counted("lexicon_sync_runs_total", **busy)
    SyncTarget.objects.filter(pk=target.pk).update(
        lease_token="another-run", lease_until=timezone.now() + timedelta(minutes=5)
    )

    with pytest.raises(TargetBusy):  # called directly, the task raises instead of retrying
        run_target(target.public_id, organization.public_id, "manual")

    assert _counted("lexicon_sync_runs_total", **busy) == before + 1

"""Issue 14: ``GET …/{name}/sync`` says per target which revision is live, which is due and
which is waiting, and why; a verification on staging or an approval moves production at once."""

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_update
from sync.emulator import EmulatorThread
from sync.models import SyncState, SyncStatus, SyncTarget, Trigger, Verification
from sync.services import target_run
from tests.factories import make_dictionary
from tests.sync.conftest import upstream
from tests.sync.review import approve, proposing
from tests.sync.test_channels import NEW, OLD, verified_on

pytestmark = pytest.mark.django_db


def _brand_held_on(
    organization: Organization, *targets: SyncTarget, name: str = "brand"
) -> Dictionary:
    """``brand`` at revision 1, which each target holds verified (as a run would leave it)."""
    brand = make_dictionary(organization, name, modes=OLD)
    for target in targets:
        SyncState.objects.create(
            target=target, dictionary=brand, status=SyncStatus.VERIFIED, pushed_revision=1
        )
        verified_on(target, brand, 1)
    return brand


def _standing(api: APIClient, target: str) -> dict[str, Any]:
    body = api.get("/v1/pronunciation/dictionaries/brand/sync").json()
    [row] = [row for row in body["targets"] if row["target"] == target]
    return {k: row[k] for k in ("status", "channel", "after", "live_revision", "due_revision")} | {
        "waiting": row["waiting"]
    }


def _edit(organization: Organization, modes: dict[str, Any]) -> None:
    with proposing(organization):
        dictionary_update(organization=organization, name="brand", modes=modes)


def test_a_change_waiting_for_review_leaves_production_verified_and_says_why(
    organization: Organization, staging: SyncTarget, production: SyncTarget, api: APIClient
) -> None:
    _brand_held_on(organization, staging, production)

    _edit(organization, NEW)

    assert _standing(api, "production") == {
        "status": "verified",
        "channel": "approved",
        "after": "staging",
        "live_revision": 1,
        "due_revision": 1,
        "waiting": {"revision": 2, "reason": "awaiting_review", "target": None},
    }
    assert _standing(api, "staging") == {
        "status": "pending",
        "channel": "latest",
        "after": None,
        "live_revision": 1,
        "due_revision": 2,
        "waiting": None,
    }


def test_a_change_whose_checks_fail_waits_as_checks_failed(
    organization: Organization, staging: SyncTarget, production: SyncTarget, api: APIClient
) -> None:
    brand = _brand_held_on(organization, production)
    check = {"text": "Pay by QP.", "expect": "Pay by cue pee."}  # passes with OLD, not NEW
    with proposing(organization):
        dictionary_update(organization=organization, name="brand", modes=OLD, checks=[check])

    _edit(organization, NEW)

    assert brand.revisions.get(number=3).checks_failed == 1
    assert _standing(api, "production")["waiting"] == {
        "revision": 3,
        "reason": "checks_failed",
        "target": None,
    }


def test_an_approved_change_not_yet_verified_on_staging_waits_for_staging(
    organization: Organization, staging: SyncTarget, production: SyncTarget, api: APIClient
) -> None:
    brand = _brand_held_on(organization, staging, production)
    _edit(organization, NEW)

    approve(brand, 2)
    waiting = _standing(api, "production")
    verified_on(staging, brand, 2)
    due = _standing(api, "production")

    assert waiting["waiting"] == {
        "revision": 2,
        "reason": "awaiting_verification_on",
        "target": "staging",
    }
    assert (waiting["status"], waiting["due_revision"]) == ("verified", 1)
    assert due == {**waiting, "status": "pending", "due_revision": 2, "waiting": None}


def test_nothing_waits_when_production_holds_the_newest_approved_revision(
    organization: Organization, staging: SyncTarget, production: SyncTarget, api: APIClient
) -> None:
    brand = _brand_held_on(organization, staging, production)
    _edit(organization, NEW)
    brand.revisions.filter(number=2).update(review_state="rejected")

    assert _standing(api, "production")["waiting"] is None


# -- prompt: a verification or an approval moves production at once ----------------------


def _run(target: SyncTarget) -> None:
    target_run(
        target_id=target.public_id,
        organization_id=target.organization.public_id,
        trigger=Trigger.MANUAL,
    )


def test_staging_verifying_new_content_runs_production_at_once(
    organization: Organization,
    staging: SyncTarget,
    production: SyncTarget,
    production_slng: EmulatorThread,
    eager: None,
) -> None:
    make_dictionary(organization, "brand", modes=OLD)

    _run(staging)  # verifies revision 1 on staging, which enqueues production

    assert Verification.objects.filter(target=production, revision=1).exists()
    assert upstream(production_slng)["brand"]["modes"] == OLD
    assert production.runs.get().trigger == Trigger.CHANGE


def test_an_approval_runs_production_at_once(
    organization: Organization,
    staging: SyncTarget,
    production: SyncTarget,
    production_slng: EmulatorThread,
    eager: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    brand = make_dictionary(organization, "brand", modes=OLD)
    _run(staging)
    _edit(organization, NEW)
    _run(staging)
    assert upstream(production_slng)["brand"]["modes"] == OLD

    with django_capture_on_commit_callbacks(execute=True):
        approve(brand, 2)

    assert upstream(production_slng)["brand"]["modes"] == NEW
    assert SyncState.objects.get(target=production).pushed_revision == 2


# -- the admin reads the same standing ---------------------------------------------------


def test_the_admin_shows_production_verified_and_the_waiting_change(
    organization: Organization,
    staging: SyncTarget,
    production: SyncTarget,
    boss: Client,
    django_assert_max_num_queries: Any,
) -> None:
    brand = _brand_held_on(organization, staging, production)
    for i in range(5):
        _brand_held_on(organization, staging, production, name=f"other-{i}")
    _edit(organization, NEW)

    with django_assert_max_num_queries(14):  # no query per row (18 with one per row)
        listing = boss.get("/admin/pronunciations/dictionary/").content.decode()
    page = boss.get(f"/admin/pronunciations/dictionary/{brand.pk}/change/").content.decode()

    assert "production: verified" in listing
    assert "staging: pending" in listing
    assert "revision 2 waits for review" in page


def test_the_sync_panel_says_what_each_target_serves_and_what_waits(
    organization: Organization, staging: SyncTarget, production: SyncTarget, boss: Client
) -> None:
    """Issue 14 item 5: "live where" on the change page, a line per target."""
    brand = _brand_held_on(organization, staging, production)
    _edit(organization, NEW)
    SyncState.objects.filter(target=staging).update(pushed_revision=2)  # as staging's run left it

    status = boss.get(f"/admin/pronunciations/dictionary/{brand.pk}/sync/status/").json()

    rows = {row["target"]: row for row in status["targets"]}
    assert {
        name: (row["channel"], row["revision"], row["waiting"]) for name, row in rows.items()
    } == {
        "production": (
            "approved revisions, once verified on staging",
            "revision 1 on SLNG",
            "revision 2 waits for review",
        ),
        "staging": ("every revision", "revision 2 on SLNG", ""),
    }
    page = boss.get(f"/admin/pronunciations/dictionary/{brand.pk}/change/").content.decode()
    assert (
        '<div class="sync-note sync-channel">approved revisions, once verified on staging</div>'
        in (page)
    )

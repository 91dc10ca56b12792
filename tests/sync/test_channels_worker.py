"""Issue 14 end to end: a real Celery worker, two SLNG environments over real sockets.

``staging`` follows ``latest``; ``production`` follows ``approved`` after ``staging``. An
editor's change reaches staging and is verified there; production keeps serving the old
revision, byte for byte, until a reviewer approves; then it gets exactly the approved snapshot
and verifies it. A later unapproved edit never reaches production, and a deletion reaches it
only once approved. Nothing here starts a run by hand: the change, the approval and staging's
verification enqueue them. The editor and the reviewer are API keys with those roles.
"""

import json
from datetime import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from orgs.models import Organization, Role
from orgs.services import api_key_create, organization_configure
from pronunciations.content import wire_hash
from pronunciations.models import Dictionary, Revision
from sync.emulator import EmulatorThread
from sync.models import RunStatus, SyncRun, SyncState, SyncStatus, SyncTarget, Verification
from tests.conftest import UPSTREAM_ORG_ACME, client_with_key
from tests.processes import Celery, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BRAND = "/v1/pronunciation/dictionaries/brand"
OLD = {"rewrite": {"rules": [{"match": "QP", "replace": "cue pee"}]}}
NEW = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}
ENDED = (RunStatus.SUCCEEDED, RunStatus.FAILED)  # runs that ran (not queued, not superseded)
LATER = {"rewrite": {"rules": [{"match": "QubePay", "replace": "queue bay"}]}}


def _stored(slng: EmulatorThread) -> dict[str, Any] | None:
    """The body the environment stores for ``brand`` (None when it holds none)."""
    return slng.state.get_dictionary(UPSTREAM_ORG_ACME, "brand")


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _verified_at(target: SyncTarget, number: int) -> bool:
    state = SyncState.objects.filter(target=target, dictionary__name="brand").first()
    return state is not None and (state.status, state.pushed_revision) == (
        SyncStatus.VERIFIED,
        number,
    )


def _staging_took_it(staging: SyncTarget, condition: Any, what: str) -> datetime:
    """Wait for ``condition`` and for staging's run to end; answer when that run ended.

    Having verified new content, the run enqueues production as it ends: that production run,
    or one that supersedes it (it starts later), plans with what staging verified.
    """
    wait_for(condition, what=what)
    wait_for(lambda: not staging.runs.filter(status=RunStatus.RUNNING).exists(), what="staging")
    ended = staging.runs.filter(status__in=ENDED).order_by("-finished_at")
    finished = ended.values_list("finished_at", flat=True)[0]
    assert finished is not None
    return finished


def _production_ran_since(production: SyncTarget, moment: datetime) -> None:
    """Wait until a production run that started after ``moment`` has ended (it planned with
    everything committed before ``moment``)."""
    wait_for(
        lambda: SyncRun.objects.filter(
            target=production, started_at__gt=moment, status__in=ENDED
        ).exists(),
        what=f"a production run started after {moment}",
    )


def _change(call: Any, status: int) -> datetime:
    """A write through the API; answers when production's run for it was queued (after the
    commit: that run, or one superseding it, will see it)."""
    response = call()
    assert response.status_code == status, response.content
    queued = SyncRun.objects.filter(target__name="production", queued_at__isnull=False)
    moment = queued.order_by("-queued_at").values_list("queued_at", flat=True)[0]
    assert moment is not None
    return moment


def _waiting(api: APIClient) -> dict[str, Any]:
    rows = api.get(f"{BRAND}/sync").json()["targets"]
    return {row["target"]: row["waiting"] for row in rows}


@pytest.fixture
def reviewer(organization: Organization) -> APIClient:
    """An API client with a key of the reviewer role (the ``api`` key is an editor's)."""
    issued = api_key_create(organization=organization, label="review-key", role=Role.REVIEWER)
    return client_with_key(issued.plaintext)


def _approve(reviewer: APIClient, path: str, comment: str = "") -> None:
    response = reviewer.post(f"{path}/approve", {"comment": comment}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["review"]["state"] == "approved"


def test_a_change_is_promoted_from_staging_to_production_only_once_approved(
    organization: Organization,
    api: APIClient,
    reviewer: APIClient,
    staging: SyncTarget,
    production: SyncTarget,
    slng: EmulatorThread,
    production_slng: EmulatorThread,
    worker: Celery,
) -> None:
    # Revision 1 (review off): staging verifies it, then production, with no manual step.
    body = {"name": "brand", "modes": OLD}
    assert api.post("/v1/pronunciation/dictionaries", body, format="json").status_code == 201
    wait_for(lambda: _verified_at(production, 1), what="revision 1 verified on production")
    first = _stored(production_slng)
    assert first is not None
    assert first["modes"] == OLD
    organization_configure(organization=organization, review_required=True)

    # Revision 2, proposed: staging serves and verifies it, production keeps revision 1.
    _change(lambda: api.put(BRAND, {"modes": NEW}, format="json"), 200)
    took = _staging_took_it(staging, lambda: _verified_at(staging, 2), "revision 2 on staging")
    assert _stored(slng)["modes"] == NEW  # type: ignore[index]
    _production_ran_since(production, took)
    assert _canonical(_stored(production_slng)) == _canonical(first)  # type: ignore[arg-type]
    assert _verified_at(production, 1)
    assert _waiting(api) == {
        "production": {"revision": 2, "reason": "awaiting_review", "target": None},
        "staging": None,
    }

    # The editor cannot approve; a reviewer approves revision 2: production gets exactly its
    # snapshot and verifies it.
    assert api.post(f"{BRAND}/revisions/2/approve", {}, format="json").status_code == 403
    _approve(reviewer, f"{BRAND}/revisions/2", "sounds right on staging")
    brand = Dictionary.objects.get(name="brand")
    wait_for(lambda: _verified_at(production, 2), what="revision 2 verified on production")
    approved = Revision.objects.get(dictionary=brand, number=2)
    served = _stored(production_slng)
    assert served is not None
    assert (served["modes"], served.get("metadata") or {}) == (
        approved.snapshot["modes"],
        approved.snapshot["metadata"],
    )
    assert wire_hash(served["modes"]) == approved.content_hash
    assert production_slng.state.sessions()[-1].texts == ["cube pay"]  # spoke the new rule
    assert Verification.objects.filter(
        target=production, dictionary=brand, content_hash=approved.content_hash
    ).exists()

    # Revision 3, never approved: staging takes it, production never does.
    _change(lambda: api.put(BRAND, {"modes": LATER}, format="json"), 200)
    took = _staging_took_it(staging, lambda: _verified_at(staging, 3), "revision 3 on staging")
    _production_ran_since(production, took)
    assert _canonical(_stored(production_slng)) == _canonical(served)  # type: ignore[arg-type]
    assert _waiting(api)["production"] == {
        "revision": 3,
        "reason": "awaiting_review",
        "target": None,
    }

    # The deletion (revision 4), proposed: staging prunes at once, production keeps serving.
    deleted = _change(lambda: api.delete(BRAND), 204)
    wait_for(lambda: _stored(slng) is None, what="brand pruned on staging")
    _production_ran_since(production, deleted)
    assert _canonical(_stored(production_slng)) == _canonical(served)  # type: ignore[arg-type]

    # Approving the deletion (it supersedes revision 3) prunes production.
    _approve(reviewer, f"/v1/pronunciation/deleted-dictionaries/{brand.public_id}/revisions/4")
    wait_for(
        lambda: (
            _stored(production_slng) is None
            and not SyncState.objects.filter(target=production).exists()
        ),
        what="brand pruned on production, its state dropped",
    )
    assert Revision.objects.get(dictionary=brand, number=3).review_state == "superseded"

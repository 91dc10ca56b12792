"""Issue 16 item 4: a sync trigger answers the runs it queued; GET /v1/sync/runs/{id} follows one.

The runs' tasks are run here with ``run_target.apply`` (the task in this process, against the
emulator over real sockets); tests/sync/test_worker.py follows a run through a real worker.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from config.celery import app
from orgs.models import Organization
from sync.emulator import EmulatorThread
from sync.models import RunStatus, SyncRun, SyncTarget
from sync.tasks import run_target
from tests.factories import make_dictionary

SYNC = "/v1/pronunciation/dictionaries/brand/sync"
RUNS = "/v1/sync/runs"
RUN_ID = re.compile(r"run_[0-9A-Z]{26}")
MILLIS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
NO_COUNTS = {"created": 0, "replaced": 0, "deleted": 0, "unchanged": 0, "verified": 0, "failed": 0}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_queue() -> Iterator[None]:
    """The runs queued here are run in this process; their messages must not reach a worker of
    another test."""
    yield
    app.control.purge()


@pytest.fixture
def brand(organization: Organization, target: SyncTarget) -> None:
    make_dictionary(organization, "brand", rules=1)


def _run_task(run: dict[str, Any], target: SyncTarget) -> None:
    """Run the queued run's task here, with the message the trigger sent."""
    organization_id = target.organization.public_id
    result = run_target.apply(
        args=(target.public_id, organization_id, "manual"), kwargs={"run_id": run["id"]}
    )
    assert result.successful()


def _generated(run: dict[str, Any]) -> dict[str, Any]:
    """Check the generated fields' formats; the rest is compared whole."""
    run = dict(run)
    assert RUN_ID.fullmatch(run.pop("id"))
    assert MILLIS.fullmatch(run.pop("queued_at"))
    for field in ("started_at", "finished_at"):
        if run[field] is not None:
            assert MILLIS.fullmatch(run.pop(field)), field
    return run


def test_the_sync_trigger_answers_the_runs_it_queued(
    api: APIClient, brand: None, target: SyncTarget
) -> None:
    response = api.post(SYNC)

    assert response.status_code == 202
    body = response.json()
    (run,) = body["runs"]
    assert body == {"queued": ["production"], "runs": [run]}
    assert run["url"] == f"http://testserver{RUNS}/{run['id']}"
    assert _generated(run) == {
        "target": "production",
        "target_id": target.public_id,
        "trigger": "manual",
        "state": "queued",
        "status": "queued",
        "started_at": None,
        "finished_at": None,
        "duration_ms": None,
        "progress": {"done": 0, "total": None},
        "counts": NO_COUNTS,
        "http_calls": 0,
        "error": None,
        "url": run["url"],
    }
    assert api.get(f"{RUNS}/{run['id']}").json() == run


def test_a_queued_run_reports_its_outcome_once_its_task_ran_it(
    api: APIClient, brand: None, target: SyncTarget
) -> None:
    (queued,) = api.post(SYNC).json()["runs"]

    _run_task(queued, target)

    response = api.get(f"{RUNS}/{queued['id']}")
    assert response.status_code == 200
    run = response.json()
    assert MILLIS.fullmatch(run["started_at"])
    assert MILLIS.fullmatch(run["finished_at"])
    assert run["queued_at"] == queued["queued_at"]
    assert isinstance(run["duration_ms"], int)
    assert run["http_calls"] > 0
    assert _generated(run) | {"duration_ms": 0, "http_calls": 0} == {
        "target": "production",
        "target_id": target.public_id,
        "trigger": "manual",
        "state": "finished",
        "status": "succeeded",
        "duration_ms": 0,
        "progress": {"done": 1, "total": 1},
        "counts": {**NO_COUNTS, "created": 1, "verified": 1},
        "http_calls": 0,
        "error": None,
        "url": queued["url"],
    }
    assert SyncRun.objects.count() == 1  # the task ran the queued run, it made no other


def test_a_targets_run_trigger_answers_its_run_too(
    api: APIClient, brand: None, target: SyncTarget
) -> None:
    response = api.post(f"/v1/sync/targets/{target.public_id}/run")

    assert response.status_code == 202
    (run,) = response.json()["runs"]
    assert response.json()["queued"] == ["production"]
    assert (run["target_id"], run["state"]) == (target.public_id, "queued")
    listed = api.get(f"/v1/sync/targets/{target.public_id}/runs").json()["runs"]
    assert listed == [run]


def test_another_organizations_run_is_not_found(
    api: APIClient, other_api: APIClient, brand: None
) -> None:
    (run,) = api.post(SYNC).json()["runs"]

    response = other_api.get(f"{RUNS}/{run['id']}")

    assert response.status_code == 404
    body = response.json()
    body.pop("slng_request_id")
    assert body == {"code": "pronunciation_not_found", "error": f"Sync run not found: {run['id']}"}
    assert api.get(f"{RUNS}/run_01JD4XQ8V2N6R0S4T8W2Y6A0C4").status_code == 404


def test_a_run_queued_before_another_started_is_superseded_and_its_task_does_nothing(
    api: APIClient, brand: None, target: SyncTarget, slng: EmulatorThread
) -> None:
    """A queued run whose task has not started when a later run of its target starts is done
    by that run: it ends ``superseded``, and its message, when it comes, runs nothing."""
    (first,) = api.post(SYNC).json()["runs"]
    (second,) = api.post(SYNC).json()["runs"]

    _run_task(second, target)
    requests = len(slng.state.requests())
    _run_task(first, target)

    superseded = api.get(f"{RUNS}/{first['id']}").json()
    assert (superseded["state"], superseded["status"]) == ("finished", "superseded")
    assert superseded["counts"] == NO_COUNTS
    assert api.get(f"{RUNS}/{second['id']}").json()["status"] == "succeeded"
    assert len(slng.state.requests()) == requests
    assert SyncRun.objects.count() == 2


def test_a_run_whose_target_was_disabled_before_it_started_ends_failed(
    api: APIClient, brand: None, target: SyncTarget, slng: EmulatorThread
) -> None:
    (queued,) = api.post(SYNC).json()["runs"]
    SyncTarget.objects.filter(pk=target.pk).update(enabled=False)

    _run_task(queued, target)

    run = api.get(f"{RUNS}/{queued['id']}").json()
    assert (run["state"], run["status"]) == ("finished", "failed")
    assert run["error"] == "the target was disabled before the run started"
    assert slng.state.requests() == []


def test_a_run_whose_key_cannot_be_used_ends_failed_in_its_own_row(
    api: APIClient, brand: None, target: SyncTarget
) -> None:
    (queued,) = api.post(SYNC).json()["runs"]
    SyncTarget.objects.filter(pk=target.pk).update(base_url="http://127.0.0.1:9/")

    _run_task(queued, target)

    run = api.get(f"{RUNS}/{queued['id']}").json()
    assert (run["state"], run["status"]) == ("finished", "failed")
    assert run["error"].startswith("TargetKeyUnusable: ")
    assert SyncRun.objects.count() == 1


def test_a_run_the_broker_did_not_take_is_not_left_queued(
    api: APIClient, brand: None, target: SyncTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(run_target, "apply_async", broker_down)

    assert api.post(f"/v1/sync/targets/{target.public_id}/run").status_code == 503
    response = api.post(SYNC)
    assert (response.status_code, response.json()) == (202, {"queued": [], "runs": []})
    assert not SyncRun.objects.exists()


def test_a_message_without_a_run_id_still_gets_a_run(
    organization: Organization, brand: None, target: SyncTarget
) -> None:
    """Messages sent before runs were queued (and the schedule's) name no run."""
    run_target.apply(args=(target.public_id, organization.public_id, "schedule"))

    run = SyncRun.objects.get()
    assert (run.trigger, run.status, run.queued_at) == ("schedule", RunStatus.SUCCEEDED, None)

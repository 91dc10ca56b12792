"""Issue 22 item 5: one organization's imports cannot take every import slot, nor delay sync.

Real workers on their own queues: two import slots (a prefork pool of 2 on ``imports``) and a
sync worker. Organization A queues six imports whose first one is held on a row lock, as a
long import would be; B's import and B's sync still finish while it is held, and A's imports
then run one at a time, in the order they were queued.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.models import Dictionary, ImportJob, JobState
from sync.emulator import EmulatorThread
from sync.models import SyncState, SyncStatus
from tests.conftest import SLNG_KEY_GLOBEX
from tests.factories import make_dictionary
from tests.processes import Celery, wait_for
from tests.sync.conftest import emulator_target

pytestmark = pytest.mark.django_db(transaction=True)
IMPORT = "/v1/pronunciation/import?async=true"


def _queue_import(api: APIClient, rows: str, **fields: Any) -> str:
    upload = SimpleUploadedFile("rules.csv", f"dictionary,mode,match,replace\n{rows}".encode())
    response = api.post(IMPORT, {"file": upload, **fields}, format="multipart")
    assert response.status_code == 202, response.content
    return str(response.json()["id"])


@pytest.fixture
def held(organization: Organization) -> Iterator[Dictionary]:
    """A's dictionary ``brand``, its row locked by another connection until the test ends (or
    releases it): an import into it waits, holding its worker slot like a long import."""
    dictionary = make_dictionary(organization, "brand")
    holder = connections.create_connection("default")
    holder.ensure_connection()
    holder.set_autocommit(False)
    with holder.cursor() as cursor:
        table = Dictionary._meta.db_table
        cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [dictionary.pk])  # noqa: S608
    dictionary.release = holder.rollback  # type: ignore[attr-defined]
    yield dictionary
    holder.rollback()
    holder.close()


def _state(job_id: str) -> str:
    return str(ImportJob.objects.get(public_id=job_id).state)


def test_one_organizations_imports_leave_slots_and_sync_to_the_others(
    api: APIClient,
    other_api: APIClient,
    other_organization: Organization,
    held: Dictionary,
    slng: EmulatorThread,
    celery: Celery,
) -> None:
    """Issue 22: six imports of A made B's sync wait 17.8 s instead of 0.6 s (one queue, no
    per-organization cap)."""
    emulator_target(other_organization, "production", slng, api_key=SLNG_KEY_GLOBEX)
    celery.env["LEXICON_IMPORT_WAIT_SECONDS"] = "0.2"
    celery.worker("imports", concurrency=2)
    celery.worker("sync", "default")
    a_jobs = [_queue_import(api, f"brand,rewrite,word{i},w{i}\n") for i in range(6)]
    b_job = _queue_import(other_api, "b-dict,rewrite,x,y\n", create_missing="true")
    b_rules = {"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}}
    created = other_api.post(
        "/v1/pronunciation/dictionaries", {"name": "b-live", "modes": b_rules}, format="json"
    )
    assert created.status_code == 201

    wait_for(lambda: _state(b_job) == JobState.SUCCEEDED, timeout=90, what="B's import")
    wait_for(
        lambda: SyncState.objects.filter(
            dictionary__name="b-live", status=SyncStatus.VERIFIED
        ).exists(),
        timeout=90,
        what="B's sync",
    )
    states = [_state(job) for job in a_jobs]
    assert states == [JobState.RUNNING] + [JobState.QUEUED] * 5  # one slot, the rest in line
    assert ImportJob.objects.get(public_id=a_jobs[3]).phase == "waiting"

    held.release()  # type: ignore[attr-defined]
    wait_for(
        lambda: all(_state(job) == JobState.SUCCEEDED for job in a_jobs),
        timeout=120,
        what="A's imports",
    )
    started = ImportJob.objects.filter(public_id__in=a_jobs).order_by("started_at")
    assert [job.public_id for job in started] == a_jobs

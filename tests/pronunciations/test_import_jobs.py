"""Issue 11: imports too large for one request run as Celery jobs with progress, the same report
and the same all-or-nothing rule; scoped to the organization; a dead job is not left running."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.models import (
    Dictionary,
    ImportJob,
    ImportJobChunk,
    JobState,
    Revision,
    Rule,
)
from pronunciations.transfer import jobs
from tests.factories import make_dictionary
from tests.processes import Celery, wait_for
from tests.pronunciations import bombs

IMPORT = "/v1/pronunciation/import"
ROWS = 20_000  # 80 dictionaries of 250 rules; bench/uploads.py runs the 1 M-row import

pytestmark = pytest.mark.django_db(transaction=True)


def _post(api: APIClient, data: bytes, query: str = "?async=true", **fields: Any) -> Any:
    upload = SimpleUploadedFile("rules.csv", data)
    return api.post(IMPORT + query, {"file": upload, **fields}, format="multipart")


def _poll(api: APIClient, url: str) -> list[dict[str, Any]]:
    """Every answer of the job's URL until the job has finished."""
    seen: list[dict[str, Any]] = []

    def finished() -> bool:
        response = api.get(url)
        assert response.status_code == 200
        seen.append(response.json())
        return seen[-1]["state"] in ("succeeded", "failed")

    wait_for(finished, timeout=120, what="the import job to finish")
    return seen


def test_a_background_import_lands_every_row_and_reports_progress(
    api: APIClient, organization: Organization, worker: Celery
) -> None:
    """Issue 11: the honest large import (1 M rows in the benchmark) completes as a job."""
    response = _post(api, bombs.csv_bytes(bombs.rule_rows(ROWS)), create_missing="true")

    assert response.status_code == 202
    body = response.json()
    assert (
        response["Location"]
        == body["url"]
        == f"http://testserver/v1/pronunciation/imports/{body['id']}"
    )
    assert (body["state"], body["rows_total"], body["rows_done"]) == ("queued", ROWS, 0)
    seen = _poll(api, body["url"])
    final = seen[-1]
    assert final["state"] == "succeeded"
    assert final["rows_done"] == final["rows_total"] == ROWS
    assert [s["rows_done"] for s in seen] == sorted(s["rows_done"] for s in seen)
    assert final["report"]["rules"] == {"added": ROWS, "changed": 0, "removed": 0}
    assert len(final["report"]["dictionaries"]["created"]) == ROWS // 250
    assert final["error"] is None
    assert final["finished_at"] is not None
    assert Rule.objects.filter(dictionary__organization=organization).count() == ROWS
    assert not ImportJobChunk.objects.exists()


def test_a_job_with_one_bad_row_writes_nothing(
    api: APIClient, organization: Organization, worker: Celery
) -> None:
    """Issue 11: a background import keeps the all-or-nothing rule and the same report."""
    rows = list(bombs.rule_rows(ROWS))
    rows[15_000] = (rows[15_000][0], "bogus", "x", "y")

    response = _post(api, bombs.csv_bytes(rows), create_missing="true")
    final = _poll(api, response.json()["url"])[-1]

    assert final["state"] == "failed"
    assert final["report"]["errors"] == [
        {
            "row": 15_002,
            "column": "mode",
            "message": "mode must be rewrite, ipa or check, got 'bogus'",
        }
    ]
    assert final["error"] == {
        "status": 400,
        "code": "invalid_pronunciation",
        "error": "Import refused: 1 error(s); nothing was written.",
        "fieldErrors": {"rows[15002].mode": ["mode must be rewrite, ipa or check, got 'bogus'"]},
    }
    assert not Dictionary.objects.exists()
    assert not Rule.objects.exists()


def test_small_imports_still_answer_at_once_and_prefer_respond_async_queues_them(
    api: APIClient, organization: Organization
) -> None:
    """Issue 11: only large files (or a client that asks) go to the background."""
    data = bombs.csv_bytes(bombs.rule_rows(3))

    at_once = _post(api, data, query="", create_missing="true", dry_run="true")
    upload = SimpleUploadedFile("rules.csv", data)
    asked = api.post(
        IMPORT, {"file": upload, "dry_run": "true"}, format="multipart", HTTP_PREFER="respond-async"
    )

    assert at_once.status_code == 200
    assert at_once.json()["rules"]["added"] == 3
    assert asked.status_code == 202
    assert ImportJob.objects.get().options["dry_run"] is True


def test_a_large_file_goes_to_the_background_without_asking(
    api: APIClient, organization: Organization, settings: Any
) -> None:
    """Issue 11: a file over LEXICON_IMPORT_SYNC_MAX_BYTES is a job whatever the client asks."""
    settings.LEXICON_IMPORT_SYNC_MAX_BYTES = 100

    response = _post(api, bombs.csv_bytes(bombs.rule_rows(10)), query="", create_missing="true")

    assert response.status_code == 202
    assert ImportJob.objects.get().file_bytes > 100


def test_another_organizations_key_gets_404_for_a_job(
    api: APIClient, other_api: APIClient, organization: Organization
) -> None:
    """Issue 11: a job is scoped to its organization, and hostile ids never reach the database."""
    url = _post(api, bombs.csv_bytes(bombs.rule_rows(3))).json()["url"]
    job_id = url.rsplit("/", 1)[-1]

    theirs = other_api.get(url)
    nul = api.get("/v1/pronunciation/imports/imp_%00")

    assert theirs.status_code == 404
    assert theirs.json() == {
        "code": "pronunciation_not_found",
        "error": f"Import job not found: {job_id}",
        "slng_request_id": theirs.json()["slng_request_id"],
    }
    assert nul.status_code == 400  # refused by the request checks, before any view
    assert nul.json()["code"] == "invalid_pronunciation"


def test_a_message_naming_another_organization_does_nothing(
    api: APIClient, organization: Organization, other_organization: Organization
) -> None:
    """Issue 11: the task takes the organization's id too and refuses a mismatch."""
    _post(api, bombs.csv_bytes(bombs.rule_rows(3)), create_missing="true")
    job = ImportJob.objects.get()

    jobs.import_job_run(job_id=job.public_id, organization_id=other_organization.public_id)

    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    assert not Rule.objects.exists()


def _running(job: ImportJob, *, attempts: int, seconds_ago: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING,
        attempts=attempts,
        heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


def test_a_job_whose_worker_died_is_reported_failed_and_never_runs_late(
    api: APIClient, organization: Organization
) -> None:
    """Issue 11: a job left running by a killed worker was shown running forever."""
    url = _post(api, bombs.csv_bytes(bombs.rule_rows(3)), create_missing="true").json()["url"]
    job = ImportJob.objects.get()
    _running(job, attempts=1, seconds_ago=3600)

    body = api.get(url).json()
    jobs.import_job_run(job_id=job.public_id, organization_id=organization.public_id)

    assert body["state"] == "failed"
    assert body["error"]["code"] == "import_interrupted"
    assert ImportJob.objects.get().state == JobState.FAILED
    assert not Rule.objects.exists()


def test_a_redelivered_job_runs_once_more_then_gives_up(
    api: APIClient, organization: Organization
) -> None:
    """Issue 11: acks_late redelivers a task whose worker died; nothing was written, so it runs
    again, once (a second death fails the job)."""
    _post(api, bombs.csv_bytes(bombs.rule_rows(3)), create_missing="true")
    _post(api, bombs.csv_bytes(bombs.rule_rows(3)), create_missing="true")
    again, twice = ImportJob.objects.order_by("pk")
    _running(again, attempts=1, seconds_ago=5)
    _running(twice, attempts=2, seconds_ago=5)

    for job in (again, twice):
        jobs.import_job_run(job_id=job.public_id, organization_id=organization.public_id)

    again.refresh_from_db()
    twice.refresh_from_db()
    assert (again.state, again.attempts) == (JobState.SUCCEEDED, 2)
    assert twice.state == JobState.FAILED
    assert Rule.objects.count() == 3


def test_the_admin_import_of_a_large_file_shows_the_jobs_progress_page(
    organization: Organization, settings: Any, tmp_path: Path
) -> None:
    """Issue 11: the admin's import sends a large file to the background and polls its job."""
    settings.LEXICON_IMPORT_SYNC_MAX_BYTES = 100
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw-for-tests"))
    upload = SimpleUploadedFile("rules.csv", bombs.csv_bytes(bombs.rule_rows(10)))

    response = client.post(
        "/admin/pronunciations/dictionary/import/",
        {
            "import_file": upload,
            "format": "0",
            "organization": organization.pk,
            "mode": "merge",
            "create_missing": "on",
        },
    )

    job = ImportJob.objects.get()
    page_url = f"/admin/pronunciations/dictionary/import-jobs/{job.public_id}/"
    assert response.status_code == 302
    assert response["Location"] == page_url
    page = client.get(page_url).content.decode()
    assert f'data-status-url="{page_url}status/"' in page
    assert client.get(f"{page_url}status/").json()["state"] == "queued"
    jobs.import_job_run(job_id=job.public_id, organization_id=organization.public_id)
    status = client.get(f"{page_url}status/").json()
    assert status["state"] == "succeeded"
    assert status["rows_done"] == 10
    assert status["report"]["rules"]["added"] == 10


def test_a_hostile_dictionary_name_is_refused_before_a_job_is_stored(
    api: APIClient, organization: Organization
) -> None:
    """Issue 11: a job stores its options as JSON, which PostgreSQL refuses with NUL in it."""
    pls = SimpleUploadedFile("x.pls", b"<lexicon/>")

    refused = api.post(
        IMPORT + "?async=true", {"file": pls, "dictionary": "d\x00"}, format="multipart"
    )

    assert refused.status_code == 400
    assert list(refused.json()["fieldErrors"]) == ["dictionary"]
    assert not ImportJob.objects.exists()


def test_a_large_pls_import_in_the_admin_becomes_a_job(
    organization: Organization, settings: Any
) -> None:
    """Issue 11: the admin's PLS import bounds its file like the others and queues large ones."""
    settings.LEXICON_IMPORT_SYNC_MAX_BYTES = 100
    dictionary = make_dictionary(organization, "brand")
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw-for-tests"))
    lexemes = "<lexeme><grapheme>a</grapheme><alias>b</alias></lexeme>" * 5
    pls = (
        '<?xml version="1.0"?><lexicon version="1.0" alphabet="ipa" xml:lang="en" '
        f'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon">{lexemes}</lexicon>'
    ).encode()
    upload = SimpleUploadedFile("brand.pls", pls)

    response = client.post(
        f"/admin/pronunciations/dictionary/{dictionary.pk}/pls/import/",
        {"file": upload, "mode": "replace"},
    )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pronunciations/dictionary/import-jobs/{job.public_id}/"
    assert (job.file_format, job.options["dictionary"]) == ("pls", "brand")


def test_a_background_imports_comment_is_kept_with_the_revisions_it_makes(
    api: APIClient, organization: Organization
) -> None:
    """Issue 27: the comment travels with the job (``lexicon apply --comment --background``)."""
    data = b"dictionary,mode,match,replace\nnightly,rewrite,QP,cue pee\n"
    response = _post(api, data, create_missing="true", comment="Nightly sync")
    assert response.status_code == 202

    jobs.import_job_run(job_id=response.json()["id"], organization_id=organization.public_id)

    assert ImportJob.objects.get().state == JobState.SUCCEEDED
    assert Revision.objects.get(dictionary__name="nightly").comment == "Nightly sync"

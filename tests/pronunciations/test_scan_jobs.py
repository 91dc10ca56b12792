"""Large scans as background jobs (issue 26): a real Celery worker, progress, the same answer
as a synchronous scan, and another organization's job not found."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.models import ScanJob
from tests.factories import make_dictionary
from tests.processes import Celery, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/v1/pronunciation/scan"
LINE = "Thanks for calling QubePay about order SKU-4471. Start a live chat any time.\n"


def _poll(api: APIClient, url: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def finished() -> bool:
        response = api.get(url)
        assert response.status_code == 200
        seen.append(response.json())
        return seen[-1]["state"] in ("succeeded", "failed")

    wait_for(finished, timeout=120, what="the scan job to finish")
    return seen


def test_a_large_scan_runs_as_a_job_with_progress(
    api: APIClient, other_api: APIClient, organization: Organization, worker: Celery, settings: Any
) -> None:
    settings.LEXICON_SCAN_SYNC_MAX_BYTES = 10_000
    make_dictionary(organization, "brand", modes={"rewrite": {"rules": [
        {"match": "QubePay", "replace": "cube pay"}]}})  # fmt: skip
    text = (LINE + "\n") * 400  # 400 turns, 31 KB: over the synchronous limit
    upload = SimpleUploadedFile("prompts.txt", text.encode())

    response = api.post(URL, {"file": upload}, format="multipart")

    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == body["url"] == f"http://testserver{URL}s/{body['id']}"
    assert body["state"] == "queued"
    assert other_api.get(body["url"]).status_code == 404
    final = _poll(api, body["url"])[-1]
    assert (final["state"], final["turns_total"], final["turns_done"]) == ("succeeded", 400, 400)
    result = final["result"]
    assert result["id"] == body["id"]
    assert [f["key"] for f in result["findings"]] == ["qubepay", "sku-4471", "live"]
    assert result["findings"][0]["count"] == 400
    assert result["findings"][0]["covered"] is True
    assert ScanJob.objects.get(public_id=body["id"]).data == b""  # the text is not kept

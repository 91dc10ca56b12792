"""Background imports and scans announce their end (import.finished / import.failed,
scan.finished / scan.failed) to a real receiver, through a real worker, signed."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from orgs.models import Organization, Role
from orgs.services import api_key_create
from tests.conftest import client_with_key
from tests.factories import make_dictionary
from tests.processes import Celery, wait_for
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)
IMPORT = "/v1/pronunciation/import?async=true"
SCAN = "/v1/pronunciation/scan?async=true"
CSV = b"dictionary,mode,match,replace\nbrand,rewrite,SLNG,slang\nbrand,rewrite,QubePay,cube pay\n"
TEXT = b"Thanks for calling QubePay about order SKU-4471.\n"


@pytest.fixture
def api(organization: Organization) -> APIClient:
    key = api_key_create(organization=organization, label="hooks-admin", role=Role.ADMIN)
    return client_with_key(key.plaintext)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def _listen(api: APIClient, url: str, events: list[str]) -> str:
    response = api.post("/v1/webhooks", {"url": url, "events": events}, format="json")
    assert response.status_code == 201, response.content
    return str(response.json()["secret"])


def _one_event(receiver: Receiver, secret: str) -> dict[str, Any]:
    wait_for(lambda: receiver.received, timeout=120, what="the job's event")
    (item,) = receiver.received
    return dict(Webhook(secret).verify(item.body, item.headers))


def _upload(api: APIClient, url: str, name: str, data: bytes, **fields: str) -> str:
    upload = SimpleUploadedFile(name, data)
    response = api.post(url, {"file": upload, **fields}, format="multipart")
    assert response.status_code == 202, response.content
    return str(response.json()["id"])


def test_a_background_import_that_finishes_is_announced_with_its_counts(
    api: APIClient, organization: Organization, receiver: Receiver, worker: Celery
) -> None:
    secret = _listen(api, receiver.url, ["import.finished", "import.failed"])

    job_id = _upload(api, IMPORT, "rules.csv", CSV, create_missing="true")

    body = _one_event(receiver, secret)
    assert body["type"] == "import.finished"
    assert body["data"] == {
        "organization": organization.public_id,
        "job_id": job_id,
        "file_name": "rules.csv",
        "format": "csv",
        "mode": "merge",
        "dry_run": False,
        "dictionaries": {"created": 1, "changed": 0, "unchanged": 0},
        "rules": {"added": 2, "changed": 0, "removed": 0},
    }


def test_a_background_import_refused_is_announced_as_failed(
    api: APIClient, organization: Organization, receiver: Receiver, worker: Celery
) -> None:
    secret = _listen(api, receiver.url, ["import.finished", "import.failed"])
    bad = CSV + b"brand,rewrite,,empty match\nbrand,shout,LOUD,loud\n"

    job_id = _upload(api, IMPORT, "rules.csv", bad, create_missing="true", dry_run="true")

    body = _one_event(receiver, secret)
    assert body["type"] == "import.failed"
    assert body["data"] == {
        "organization": organization.public_id,
        "job_id": job_id,
        "file_name": "rules.csv",
        "format": "csv",
        "mode": "merge",
        "dry_run": True,
        "status": 400,
        "code": "invalid_pronunciation",
        "message": "Import refused: 2 error(s); nothing was written.",
        "errors": 2,
    }


def test_a_background_scan_that_finishes_is_announced_with_its_summary(
    api: APIClient, organization: Organization, receiver: Receiver, worker: Celery
) -> None:
    make_dictionary(organization, "brand", modes={"rewrite": {"rules": [
        {"match": "QubePay", "replace": "cube pay"}]}})  # fmt: skip
    secret = _listen(api, receiver.url, ["scan.finished", "scan.failed"])

    scan_id = _upload(api, SCAN, "prompts.txt", TEXT)

    body = _one_event(receiver, secret)
    assert body["type"] == "scan.finished"
    summary = body["data"].pop("summary")
    assert body["data"] == {
        "organization": organization.public_id,
        "scan_id": scan_id,
        "language": "en-US",
        "dictionaries": ["brand"],
        "turns": 1,
    }
    assert set(summary) == {"findings", "uncovered", "dead_rules"}
    assert summary["findings"] >= 1


def test_a_background_scan_that_fails_is_announced_with_its_error(
    api: APIClient, organization: Organization, receiver: Receiver, worker: Celery
) -> None:
    secret = _listen(api, receiver.url, ["scan.finished", "scan.failed"])

    scan_id = _upload(api, SCAN, "prompts.txt", TEXT, dictionaries="missing")

    body = _one_event(receiver, secret)
    assert body["type"] == "scan.failed"
    assert body["data"]["scan_id"] == scan_id
    assert body["data"]["status"] == 404
    assert body["data"]["code"] == "pronunciation_not_found"
    assert "missing" in body["data"]["message"]

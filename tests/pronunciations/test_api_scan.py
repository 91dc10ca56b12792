"""POST /v1/pronunciation/scan (issue 26): findings with coverage, scoped dictionaries, hostile
texts refused in SLNG's error body, and adding a finding's rule as a proposal."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from orgs.actors import Actor
from orgs.models import Organization
from pronunciations.models import ReviewState
from pronunciations.scan import services as scanning
from tests.factories import make_dictionary

URL = "/v1/pronunciation/scan"
BINARY = " (a binary file, or NUL)"
BRAND = {"rewrite": {"rules": [{"match": "QubePay", "replace": "Cube Pay"}]}}

pytestmark = pytest.mark.django_db


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    body.pop("slng_request_id", None)
    return body


def test_scan_answers_findings_with_each_dictionary_rule(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "brand", modes=BRAND, metadata={"language": "en-GB"})
    make_dictionary(organization, "empty", modes={"rewrite": {"rules": []}})
    text = "Welcome to QubePay. Your order SKU-4471 ships today."

    response = api.post(URL, {"text": text}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["id"].startswith("scan_")
    assert (body["language"], body["dictionaries"]) == ("en-GB", ["brand", "empty"])
    by_key = {finding["key"]: finding for finding in body["findings"]}
    assert set(by_key) == {"qubepay", "sku-4471"}
    assert by_key["qubepay"]["coverage"] == [
        {"dictionary": "brand", "state": "fires", "match": "QubePay", "becomes": "Cube Pay",
         "fires": 1},
        {"dictionary": "empty", "state": "none", "match": None, "becomes": None, "fires": 0},
    ]  # fmt: skip
    assert by_key["sku-4471"]["covered"] is False
    assert body["summary"] == {"findings": 2, "uncovered": 1, "dead_rules": 0}


def test_scan_of_an_uploaded_subtitle_file(api: APIClient) -> None:
    vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nAsk about the B2B plan.\n"
    upload = SimpleUploadedFile("call.vtt", vtt, content_type="text/vtt")

    response = api.post(URL, {"file": upload, "language": "en-US"}, format="multipart")

    assert response.status_code == 200
    assert [f["text"] for f in response.json()["findings"]] == ["B2B"]


def test_another_organizations_dictionary_is_not_found(
    api: APIClient, other_organization: Organization
) -> None:
    make_dictionary(other_organization, "secret-brand", modes=BRAND)

    response = api.post(URL, {"text": "QubePay", "dictionaries": ["secret-brand"]}, format="json")

    assert response.status_code == 404
    assert error(response) == {
        "code": "pronunciation_not_found",
        "error": "Pronunciation dictionary not found: secret-brand",
    }


@pytest.mark.parametrize(
    ("payload", "file_name", "field", "problem"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "logo.txt",
            "file",
            "is not text: byte 0x1a at offset 6" + BINARY,
        ),
        (b"hello\x00", "notes.txt", "file", "is not text: byte 0x00 at offset 5" + BINARY),
        (b"[" * 100_000, "calls.jsonl", "file", "line 1: nested deeper than 32 levels"),
        (b"text", "slides.pptx", "format", "scan reads txt, csv, jsonl, srt, vtt, not “pptx”"),
    ],
)
def test_hostile_uploads_are_refused_in_slngs_body(
    api: APIClient, payload: bytes, file_name: str, field: str, problem: str
) -> None:
    upload = SimpleUploadedFile(file_name, payload)

    response = api.post(URL, {"file": upload}, format="multipart")

    assert response.status_code == 400
    body = error(response)
    assert body["code"] == "invalid_pronunciation"
    assert body["fieldErrors"] == {field: [problem]}


def test_an_oversize_text_is_refused_with_413(api: APIClient, settings: Any) -> None:
    settings.LEXICON_SCAN_MAX_BYTES = 1000
    upload = SimpleUploadedFile("big.txt", b"word " * 400)

    response = api.post(URL, {"file": upload}, format="multipart")

    assert response.status_code == 413
    assert error(response) == {
        "code": "invalid_pronunciation",
        "error": "The text is too large to scan: at most 1000 bytes, this is 2000.",
    }


def test_a_bad_language_and_no_text_are_refused(api: APIClient) -> None:
    response = api.post(URL, {"text": "QubePay", "language": "english!"}, format="json")
    assert response.status_code == 400
    assert error(response)["fieldErrors"] == {
        "language": ["must be a BCP 47 language tag such as en-US"]
    }
    response = api.post(URL, {"text": 42}, format="json")
    assert response.status_code == 400
    assert error(response)["fieldErrors"] == {
        "text": ["send the text to scan as a string, or a file"]
    }


def test_scans_are_rate_limited_per_organization(api: APIClient, settings: Any) -> None:
    settings.LEXICON_SCAN_RATE_LIMIT = "2/min"
    statuses = [api.post(URL, {"text": "B2B"}, format="json").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_adding_a_finding_with_review_on_is_a_proposal_naming_the_scan(
    organization: Organization,
) -> None:
    organization.review_required = True
    organization.save(update_fields=["review_required"])
    make_dictionary(organization, "brand", modes={"rewrite": {"rules": []}})

    put, proposed = scanning.scan_rule_add(
        organization=organization,
        dictionary="brand",
        mode="rewrite",
        match="SKU-4471",
        replace="S K U 4 4 7 1",
        scan_id="scan_01TEST",
        author=Actor("linguist", "user:1"),
    )

    assert proposed is True
    revision = put.dictionary.revisions.order_by("-number").first()
    assert revision is not None
    assert revision.review_state == ReviewState.PROPOSED
    assert revision.comment == "added from scan scan_01TEST: SKU-4471"

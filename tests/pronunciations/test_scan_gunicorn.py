"""Hostile scans through gunicorn with production settings, where the request limits live
(issue 26): binary, NUL, 100,000 "[" in a .jsonl, an oversize text and an oversize JSON body
are each a 4xx in SLNG's body naming the problem; a good text still scans after them."""

from collections.abc import Iterator

import httpx
import pytest

from orgs.models import Organization
from orgs.services import api_key_create
from tests.processes import Gunicorn, production_env

URL = "/v1/pronunciation/scan"
WEB = ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application", "--bind", "x"]
BINARY = " (a binary file, or NUL)"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def gunicorn() -> Iterator[Gunicorn]:
    server = Gunicorn(
        WEB,
        production_env(
            WEB_CONCURRENCY="1", GUNICORN_ACCESS_LOG="", LEXICON_SCAN_MAX_BYTES="100000"
        ),
    )
    yield server
    server.stop()


@pytest.fixture
def client(gunicorn: Gunicorn, organization: Organization) -> Iterator[httpx.Client]:
    key = api_key_create(organization=organization, label="scan").plaintext
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=gunicorn.url, headers=headers, timeout=60) as client:
        yield client


def _upload(client: httpx.Client, name: str, data: bytes) -> httpx.Response:
    return client.post(URL, files={"file": (name, data)})


def _without_id(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert body.pop("slng_request_id").startswith("req_")
    return body


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("logo.txt", b"\x89PNG\r\n\x1a\n", "is not text: byte 0x1a at offset 6" + BINARY),
        ("notes.txt", b"QubePay\x00", "is not text: byte 0x00 at offset 7" + BINARY),
        ("calls.jsonl", b"[" * 100_000, "line 1: nested deeper than 32 levels"),
    ],
)
def test_hostile_files_are_400s_naming_the_problem(
    client: httpx.Client, name: str, data: bytes, problem: str
) -> None:
    response = _upload(client, name, data)

    assert response.status_code == 400
    assert _without_id(response) == {
        "code": "invalid_pronunciation",
        "error": "Invalid pronunciation dictionary.",
        "fieldErrors": {"file": [problem]},
    }


def test_oversize_texts_are_413s_and_the_worker_still_scans(client: httpx.Client) -> None:
    oversize = _upload(client, "big.txt", b"QubePay " * 20_000)
    body_too_large = client.post(URL, json={"text": "QubePay " * 200_000})
    good = client.post(URL, json={"text": "Thanks for calling QubePay."})

    assert oversize.status_code == 413
    assert _without_id(oversize) == {
        "code": "invalid_pronunciation",
        "error": "The text is too large to scan: at most 100000 bytes, this is 160000.",
    }
    assert body_too_large.status_code == 413
    assert good.status_code == 200
    assert [f["text"] for f in good.json()["findings"]] == ["QubePay"]

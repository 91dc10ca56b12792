"""Issue 16 item 4: a refused parameter's error names the parameter, on every endpoint.

Every path, query and form parameter check raises ``validation.ParameterError``; the exception
handler turns it into ``errors.InvalidParameter``, whose ``error`` leads each problem with its
parameter. A body's validation errors keep SLNG's generic message (tests/contract).
"""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from orgs.models import Organization
from tests.factories import make_dictionary

API = "/v1/pronunciation"
NAME_CHARACTERS = "may contain only letters, digits, '.', '_' and '-'"
ID_CHARACTERS = "must be an id of letters, digits and '_' (at most 64)"
UNSTORABLE = "must not contain control characters or unpaired surrogates (U+0000)"

pytestmark = pytest.mark.django_db


# issue 18's export formats, and issue 25's alphabets for Polly and ElevenLabs
VENDORS = "polly, polly-xsampa, azure, elevenlabs, elevenlabs-arpabet, elevenlabs-json, cartesia"


@pytest.fixture(autouse=True)
def brand(organization: Organization) -> None:
    make_dictionary(organization, "brand")


def _upload(name: str = "x.csv", **fields: str) -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, b"dictionary,mode,match,replace\n"), **fields}


@pytest.mark.parametrize(
    ("method", "path", "data", "parameter", "problem", "error"),
    [
        (
            "get",
            f"{API}/export?format=docx",
            None,
            "format",
            f"format must be one of csv, xlsx, json, {VENDORS}",
            f"format must be one of csv, xlsx, json, {VENDORS}",
        ),
        (
            "get",
            f"{API}/dictionaries/brand/export?format=DOCX",
            None,
            "format",
            f"format must be one of csv, xlsx, json, pls, {VENDORS}",
            f"format must be one of csv, xlsx, json, pls, {VENDORS}",
        ),
        (
            "get",
            f"{API}/export?names=brand,bad!",
            None,
            "names",
            f"'bad!': {NAME_CHARACTERS}",
            f"names: 'bad!': {NAME_CHARACTERS}",
        ),
        ("get", f"{API}/export?names=%00", None, "names", UNSTORABLE, f"names: {UNSTORABLE}"),
        (
            "get",
            f"{API}/dictionaries/bad!name",
            None,
            "name",
            NAME_CHARACTERS,
            f"name: {NAME_CHARACTERS}",
        ),
        (
            "get",
            f"{API}/dictionaries/brand/revisions?limit=0",
            None,
            "limit",
            "must be an integer from 1 to 200",
            "limit: must be an integer from 1 to 200",
        ),
        (
            "get",
            f"{API}/dictionaries/brand/revisions?before=x",
            None,
            "before",
            "must be an integer from 1 to 2147483648",
            "before: must be an integer from 1 to 2147483648",
        ),
        (
            "post",
            f"{API}/deleted-dictionaries/pd-1/restore",
            None,
            "dictionary_id",
            ID_CHARACTERS,
            f"dictionary_id: {ID_CHARACTERS}",
        ),
        ("get", f"{API}/imports/imp-1", None, "job_id", ID_CHARACTERS, f"job_id: {ID_CHARACTERS}"),
        (
            "get",
            "/v1/sync/targets/tgt-1/runs",
            None,
            "target_id",
            ID_CHARACTERS,
            f"target_id: {ID_CHARACTERS}",
        ),
        (
            "post",
            "/v1/sync/targets/tgt-1/run",
            None,
            "target_id",
            ID_CHARACTERS,
            f"target_id: {ID_CHARACTERS}",
        ),
        ("get", "/v1/sync/runs/run-1", None, "run_id", ID_CHARACTERS, f"run_id: {ID_CHARACTERS}"),
        (
            "get",
            f"{API}/dictionaries/brand/rules/Rewrite/word0",
            None,
            "mode",
            "must be one of rewrite, ipa",
            "mode: must be one of rewrite, ipa",
        ),
        (
            "post",
            f"{API}/import",
            {"mode": "merge"},
            "file",
            "upload the file in the 'file' field",
            "file: upload the file in the 'file' field",
        ),
        (
            "post",
            f"{API}/import",
            _upload(format="docx"),
            "format",
            "format must be one of csv, xlsx, json, pls",
            "format must be one of csv, xlsx, json, pls",
        ),
        (
            "post",
            f"{API}/import",
            _upload("x.pls", dictionary="d", on_conflict="last"),
            "on_conflict",
            "on_conflict must be first or refuse",
            "on_conflict must be first or refuse",
        ),
        (
            "post",
            f"{API}/import",
            _upload(mode="overwrite"),
            "mode",
            "mode must be replace or merge",
            "mode must be replace or merge",
        ),
        (
            "post",
            f"{API}/import",
            _upload("x.pls"),
            "dictionary",
            "a PLS file holds one dictionary: name it",
            "dictionary: a PLS file holds one dictionary: name it",
        ),
        (
            "post",
            f"{API}/import",
            _upload("x.pls", dictionary="bad name"),
            "dictionary",
            NAME_CHARACTERS,
            f"dictionary: {NAME_CHARACTERS}",
        ),
    ],
)
def test_a_refused_parameter_is_named_in_the_error(
    api: APIClient,
    method: str,
    path: str,
    data: dict[str, Any] | None,
    parameter: str,
    problem: str,
    error: str,
) -> None:
    response = getattr(api, method)(path, data, format="multipart" if data else None)

    assert response.status_code == 400
    body = response.json()
    assert body.pop("slng_request_id").startswith("req_")
    assert body == {
        "code": "invalid_pronunciation",
        "error": error,
        "fieldErrors": {parameter: [problem]},
    }


def test_a_body_error_keeps_slngs_message(api: APIClient) -> None:
    """The path's name is a parameter; the same check of a body's name is not."""
    response = api.post(
        f"{API}/dictionaries",
        {"name": "bad!name", "modes": {"rewrite": {"rules": []}}},
        format="json",
    )

    assert response.json()["error"] == "Invalid pronunciation dictionary."
    assert response.json()["fieldErrors"] == {"name": [NAME_CHARACTERS]}

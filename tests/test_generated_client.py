"""Issue 27: a Python client generated from the served schema by openapi-python-client completes
a round trip against a live local run: create, get with ETag, update with If-Match, export in
each format, delete, undelete, approve."""

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from orgs.keys import key_prefix
from orgs.models import APIKey, Role
from orgs.services import api_key_create
from tests.local_run import LocalRun, local_run  # noqa: F401 - the fixture
from tests.processes import ROOT

# Transactional: the keys and the setting it writes are read by the server's processes.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "lexicon_client"  # the generated package's directory: its imports are relative


def _schema(url: str, directory: Path) -> Path:
    """The schema as the server answers ``?format=json``."""
    with urllib.request.urlopen(f"{url}/api/schema/?format=json", timeout=30) as answer:  # noqa: S310 - loopback
        assert answer.headers["Content-Type"].startswith("application/json")
        schema = json.loads(answer.read())
    path = directory / "openapi.json"
    path.write_text(json.dumps(schema))
    return path


def _generate(schema: Path, directory: Path) -> Path:
    """Generate the client; any warning (a part of the schema it could not use) fails."""
    config = directory / "generator.yaml"
    config.write_text("post_hooks: []\n")
    out = directory / PACKAGE
    done = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(schema), "--meta", "none"]
        + ["--config", str(config), "--output-path", str(out)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert "Warning" not in said, said
    assert "Error" not in said, said
    return directory


def _run(run: LocalRun, parent: Path, phase: str, **keys: str) -> dict[str, Any]:
    """The round trip's ``phase`` in a fresh interpreter that has the generated package only
    on its path (not the server's code)."""
    env = {**run.env, "LEXICON_URL": run.url, "LEXICON_KEY": run.key, **keys}
    env["PYTHONPATH"] = str(parent)
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "client_round_trip.py"), PACKAGE, phase],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_generated_client_round_trip(
    local_run: LocalRun,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    client_dir = _generate(_schema(local_run.url, tmp_path), tmp_path)

    seen = _run(local_run, client_dir, "write")

    assert seen["create"]["status"] == 201
    assert seen["create"]["type"] == "DictionaryWriteOutput"
    assert seen["create"]["etag"]
    assert seen["create"]["request_id"]
    assert seen["create"]["created_at"] == "datetime"
    assert seen["get"]["etag"] == seen["create"]["etag"]
    assert seen["stale_update"] == {"status": 412, "code": "pronunciation_precondition_failed"}
    assert seen["update"] == {"status": 200, "revision": 2, "etag_changed": True}
    assert seen["export"], "no export format in the schema"
    for file_format, export in seen["export"].items():
        assert export["status"] == 200, file_format
        assert export["type"] == "File", (file_format, export)
        assert export["same_bytes"], file_format
    assert {"csv", "json", "xlsx", "pls"} <= set(seen["export"])
    assert seen["delete"] == {"status": 204}
    assert seen["undelete"]["status"] == 200
    assert seen["undelete"]["name"] == "client-trip"
    assert seen["undelete"]["etag"]
    assert seen["undelete"]["deleted_at"] == "datetime"

    key = APIKey.objects.select_related("organization").get(prefix=key_prefix(local_run.key))
    organization = key.organization
    organization.review_required = True
    organization.save(update_fields=["review_required"])
    reviewer = api_key_create(organization=organization, label="rev", role=Role.REVIEWER)
    review = _run(local_run, client_dir, "review", LEXICON_REVIEWER_KEY=reviewer.plaintext)

    assert review == {
        "proposed": "proposed",
        "editor_approve": 403,
        "approve": 200,
        "state": "approved",
        "at": "datetime",
    }

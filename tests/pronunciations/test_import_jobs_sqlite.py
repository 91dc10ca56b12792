"""Issue 23: a background import succeeds on the local run's own set-up (SQLite, the file broker,
a real Celery worker with beat, runserver), while the job is read and the API is used."""

from typing import Any

import httpx

from tests.local_run import LocalRun
from tests.processes import wait_for
from tests.pronunciations import bombs
from tests.sqlite_run import sqlite_run  # noqa: F401 - the fixture

ROWS = 5_000  # 20 dictionaries of 250 rules


def test_a_background_import_succeeds_on_sqlite_with_the_file_broker(
    sqlite_run: LocalRun,  # noqa: F811
) -> None:
    """Issue 23: the job wrote progress on a second SQLite connection while its own transaction
    held the write lock, and failed with 'database is locked'."""
    headers = {"Authorization": f"Bearer {sqlite_run.key}"}
    with httpx.Client(base_url=sqlite_run.url, headers=headers, timeout=30) as client:
        upload = {"file": ("rules.csv", bombs.csv_bytes(bombs.rule_rows(ROWS)), "text/csv")}
        response = client.post(
            "/v1/pronunciation/import?async=true", files=upload, data={"create_missing": "true"}
        )
        assert response.status_code == 202, response.text
        seen: list[dict[str, Any]] = []

        def finished() -> bool:
            answer = client.get(response.json()["url"])
            assert answer.status_code == 200, answer.text
            seen.append(answer.json())
            client.get("/v1/pronunciation/dictionaries").raise_for_status()  # reads go on
            return seen[-1]["state"] in ("succeeded", "failed")

        wait_for(finished, timeout=240, what="the import job to finish")
        final = seen[-1]
        assert (final["state"], final["error"]) == ("succeeded", None)
        assert final["rows_done"] == final["rows_total"] == ROWS
        assert final["report"]["rules"] == {"added": ROWS, "changed": 0, "removed": 0}
        listed = client.get("/v1/pronunciation/dictionaries").json()["dictionaries"]
        imported = [len(d["modes"]["rewrite"]["rules"]) for d in listed if d["name"][:2] == "d0"]
        assert imported == [250] * (ROWS // 250)

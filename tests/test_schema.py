"""The served OpenAPI schema describes SLNG's operations and error body."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_schema_describes_the_four_operations_and_the_error_body() -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    operations = {
        op["operationId"]: set(op["responses"])
        for path in schema["paths"].values()
        for op in path.values()
    }
    slng = {
        "pronunciation-dictionaries-create": {"201", "400", "401", "409", "503"},
        "pronunciation-dictionaries-list": {"200", "401", "503"},
        "pronunciation-dictionaries-get": {"200", "400", "401", "404", "503"},
        # 412 answers only a DELETE that sends If-Match, which SLNG clients never do.
        "pronunciation-dictionaries-delete": {"204", "400", "401", "404", "412", "503"},
    }
    assert {op: operations[op] for op in slng} == slng
    assert set(operations) - set(slng) == {
        "pronunciation-dictionaries-replace",
        "pronunciation-dictionaries-patch",
        "pronunciation-dictionaries-preview",
        "pronunciation-dictionaries-lint",
        "pronunciation-preview",
        "pronunciation-revisions-list",
        "pronunciation-revisions-get",
        "pronunciation-revisions-diff",
        "pronunciation-revisions-restore",
        "pronunciation-deleted-list",
        "pronunciation-deleted-restore",
        "pronunciation-dictionaries-sync",
        "pronunciation-dictionaries-sync-state",
        "sync-targets-list",
        "sync-targets-run",
        "sync-targets-runs",
        "pronunciation-import",
        "pronunciation-import-job",
        "pronunciation-export",
        "pronunciation-dictionaries-export",
    }
    error = schema["components"]["schemas"]["ErrorOutput"]
    assert set(error["properties"]) == {"code", "error", "fieldErrors", "slng_request_id"}
    assert error["required"] == ["code", "error"]
    assert schema["components"]["securitySchemes"]["BearerKey"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_docs_page_is_served_without_external_assets() -> None:
    response = Client().get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
    assert b"cdn.jsdelivr" not in response.content

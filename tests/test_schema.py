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
    # SLNG documents no 429; Lexicon answers one past a rate limit, so its schema says so.
    slng = {
        "pronunciation-dictionaries-create": {"201", "400", "401", "409", "429", "503"},
        "pronunciation-dictionaries-list": {"200", "401", "429", "503"},
        "pronunciation-dictionaries-get": {"200", "400", "401", "404", "429", "503"},
        # 412 answers only a DELETE that sends If-Match, which SLNG clients never do.
        "pronunciation-dictionaries-delete": {"204", "400", "401", "404", "412", "429", "503"},
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


@pytest.mark.django_db
def test_every_keyed_operation_documents_429_and_a_dictionary_links_to_its_operations() -> None:
    """Issue 11: 429 rate_limit with Retry-After is documented; links follow a dictionary."""
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = {
        op["operationId"]: op for path in schema["paths"].values() for op in path.values()
    }

    for operation in operations.values():
        if operation.get("security"):
            assert "Retry-After" in operation["responses"]["429"]["headers"]
    created = operations["pronunciation-dictionaries-create"]["responses"]["201"]["links"]
    assert {link["operationId"] for link in created.values()} == {
        "pronunciation-dictionaries-get",
        "pronunciation-dictionaries-replace",
        "pronunciation-dictionaries-patch",
        "pronunciation-dictionaries-delete",
        "pronunciation-dictionaries-export",
        "pronunciation-export",
        "pronunciation-dictionaries-lint",
        "pronunciation-dictionaries-preview",
        "pronunciation-revisions-list",
        "pronunciation-deleted-restore",
    }
    assert created["replace"]["parameters"] == {
        "name": "$response.body#/name",
        "header.If-Match": "$response.header.ETag",
    }
    revisions = operations["pronunciation-revisions-list"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in revisions.values()} == {
        "pronunciation-revisions-get",
        "pronunciation-revisions-diff",
        "pronunciation-revisions-restore",
    }

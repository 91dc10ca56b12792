"""Issue 27: the schema is a contract a generated client can live on: enums, date-times,
declared bodies, headers and statuses, and JSON for ``?format=json``."""

from typing import Any

import pytest
from django.test import Client

from core.errors import PronunciationError
from pronunciations.api.schema_contract import error_codes

pytestmark = pytest.mark.django_db
TIMES = {"at", "restorable_until"}


def _schema() -> dict[str, Any]:
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    schema: dict[str, Any] = response.json()
    return schema


def _operations(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        operation["operationId"]: operation
        for path in schema["paths"].values()
        for operation in path.values()
    }


def _properties(node: Any, found: list[tuple[str, dict[str, Any]]]) -> None:
    if isinstance(node, dict):
        for name, value in (node.get("properties") or {}).items():
            found.append((name, value))
        for value in node.values():
            _properties(value, found)
    elif isinstance(node, list):
        for value in node:
            _properties(value, found)


def test_format_yaml_and_the_default_stay_yaml() -> None:
    for url in ("/api/schema/", "/api/schema/?format=yaml"):
        response = Client().get(url)
        assert response.status_code == 200
        assert response.content.startswith(b"openapi: ")


def test_every_time_is_a_date_time() -> None:
    found: list[tuple[str, dict[str, Any]]] = []
    _properties(_schema(), found)
    times = [(name, value) for name, value in found if name.endswith("_at") or name in TIMES]

    assert len(times) > 15
    assert [name for name, value in times if value.get("format") != "date-time"] == []


def test_states_channels_actions_sources_and_codes_are_enums() -> None:
    schemas = _schema()["components"]["schemas"]

    def enum(component: str, field: str) -> list[str]:
        node: dict[str, Any] = schemas[component]["properties"][field]
        wrapped: list[dict[str, Any]] = node.get("allOf") or [{}]
        ref: str = node.get("$ref") or wrapped[0].get("$ref", "")
        values: list[str] = schemas[ref.rsplit("/", 1)[-1]]["enum"] if ref else node["enum"]
        return values

    assert enum("RevisionOutput", "action") == ["create", "update", "delete", "undelete"]
    assert enum("RevisionOutput", "source") == ["api", "admin", "import", "restore"]
    assert enum("SyncTargetOutput", "channel") == ["latest", "approved"]
    assert enum("SyncTargetStateOutput", "status") == ["pending", "synced", "verified", "failed"]
    assert enum("SyncRunOutput", "state") == ["queued", "running", "finished"]
    assert enum("SyncRunOutput", "trigger") == ["schedule", "manual", "change"]
    assert "proposed" in enum("DeletedDictionaryOutput", "review_state")
    codes = enum("ErrorOutput", "code")
    assert codes == error_codes()
    assert {PronunciationError.code, "pronunciation_precondition_failed", "rate_limit"} <= set(
        codes
    )
    assert not [name for name in schemas if any(c.isdigit() for c in name)]  # no hashed names


def test_every_request_body_declares_its_fields_and_the_listen_text_is_required() -> None:
    schema = _schema()
    schemas = schema["components"]["schemas"]
    bare = []
    for operation_id, operation in _operations(schema).items():
        for media in operation.get("requestBody", {}).get("content", {}).values():
            body = media["schema"]
            body = schemas[body["$ref"].rsplit("/", 1)[-1]] if "$ref" in body else body
            if not body.get("properties"):
                bare.append(operation_id)
    assert bare == []
    for listen in ("SpeakRequest", "DictionarySpeakRequest"):
        assert schemas[listen]["required"] == ["text"]


def test_answers_built_as_dicts_declare_their_fields() -> None:
    operations = _operations(_schema())
    for operation_id, status in [
        ("pronunciation-revisions-diff", "200"),
        ("pronunciation-import", "200"),
        ("pronunciation-import", "202"),
        ("pronunciation-import-job", "200"),
    ]:
        body = operations[operation_id]["responses"][status]["content"]["application/json"]
        assert "$ref" in body["schema"], (operation_id, status)


def test_headers_each_answer_sends_are_declared() -> None:
    operations = _operations(_schema())
    for operation in operations.values():
        for response in operation["responses"].values():
            assert "X-Request-Id" in response["headers"]
    for operation_id, status in [
        ("pronunciation-dictionaries-get", "200"),
        ("pronunciation-dictionaries-create", "201"),
        ("pronunciation-dictionaries-replace", "200"),
        ("pronunciation-dictionaries-patch", "200"),
        ("pronunciation-rules-put", "201"),
    ]:
        assert "ETag" in operations[operation_id]["responses"][status]["headers"]
    assert "Location" in operations["pronunciation-rules-put"]["responses"]["201"]["headers"]
    assert "Location" in operations["pronunciation-import"]["responses"]["202"]["headers"]
    assert "Location" not in operations["pronunciation-rules-put"]["responses"]["200"]["headers"]


def test_every_body_can_answer_413_and_every_if_match_412() -> None:
    for operation_id, operation in _operations(_schema()).items():
        if "requestBody" in operation:
            assert "413" in operation["responses"], operation_id
        if any(p["name"] == "If-Match" for p in operation.get("parameters", [])):
            assert "412" in operation["responses"], operation_id


def test_an_export_answers_bytes_first_for_a_generated_client() -> None:
    operations = _operations(_schema())
    for operation_id in ("pronunciation-dictionaries-export", "pronunciation-export"):
        content = operations[operation_id]["responses"]["200"]["content"]
        first = next(iter(content))
        assert first == "application/octet-stream"
        assert content[first]["schema"] == {"type": "string", "format": "binary"}
        assert "text/csv; charset=utf-8" in content
        assert "application/json" in content

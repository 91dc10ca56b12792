"""The served OpenAPI schema describes SLNG's operations and error body."""

import re
from typing import Any

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
    # SLNG documents no 429; Lexicon answers one past a rate limit, so its schema says so. Nor
    # 403: Lexicon answers it to a viewer key's writes (issue 14; keys are editors by default).
    slng = {
        # 413: a body over LEXICON_MAX_REQUEST_BYTES (issue 11).
        "pronunciation-dictionaries-create": {
            *("201", "400", "401", "403", "409", "413", "422", "429", "503")
        },
        # 400: a bad limit, cursor or updated_since, Lexicon's opt-in extensions (issues 22,
        # 27); 304: If-None-Match naming the current ETag (issue 27).
        "pronunciation-dictionaries-list": {"200", "304", "400", "401", "429", "503"},
        "pronunciation-dictionaries-get": {"200", "304", "400", "401", "404", "429", "503"},
        # 412 answers only a DELETE that sends If-Match, which SLNG clients never do.
        "pronunciation-dictionaries-delete": {
            *("204", "400", "401", "403", "404", "412", "429", "503")
        },
    }
    assert {op: operations[op] for op in slng} == slng
    assert set(operations) - set(slng) == {
        "pronunciation-dictionaries-replace",
        "pronunciation-dictionaries-patch",
        "pronunciation-dictionaries-checks-get",
        "pronunciation-dictionaries-flattened",
        "pronunciation-dictionaries-checks-replace",
        "pronunciation-dictionaries-preview",
        "pronunciation-dictionaries-lint",
        "pronunciation-preview",
        "pronunciation-scan",
        "pronunciation-scan-job",
        "pronunciation-dictionaries-speak",
        "pronunciation-speak",
        "pronunciation-revisions-list",
        "pronunciation-revisions-get",
        "pronunciation-revisions-diff",
        "pronunciation-revisions-restore",
        "pronunciation-revisions-approve",
        "pronunciation-revisions-reject",
        "pronunciation-revisions-withdraw",
        "pronunciation-deleted-revisions-approve",
        "pronunciation-deleted-revisions-reject",
        "pronunciation-deleted-revisions-withdraw",
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
        "pronunciation-rules-get",
        "pronunciation-rules-put",
        "pronunciation-rules-delete",
        "sync-runs-get",
        "webhooks-list",
        "webhooks-create",
        "webhooks-get",
        "webhooks-update",
        "webhooks-delete",
        "webhooks-resume",
        "webhooks-deliveries",
        "webhooks-redeliver",
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


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    return dict(schema["components"]["schemas"][ref.rsplit("/", 1)[1]])


@pytest.mark.django_db
def test_the_schema_tells_the_truth_about_exports_previews_and_restores() -> None:
    """Issue 11 item 15: the per-dictionary JSON export was "binary" and the saved-dictionary
    preview documented modes that it ignores; restore's optional comment was undocumented."""
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    one = "/v1/pronunciation/dictionaries/{name}"

    for export in (f"{one}/export", "/v1/pronunciation/export"):
        content = paths[export]["get"]["responses"]["200"]["content"]
        json_bodies = content["application/json"]["schema"]["oneOf"]  # rows, or a vendor's body
        assert json_bodies[0]["type"] == "array"
        assert {body.get("description", "")[:22] for body in json_bodies[1:]} == {
            "format=elevenlabs-json",
            "format=cartesia: the b",
            "report=true: what a ve",
        }
        assert content["text/csv; charset=utf-8"]["schema"]["format"] == "binary"
        assert content["application/zip"]["schema"]["format"] == "binary"
    saved = paths[f"{one}/preview"]["post"]["requestBody"]["content"]["application/json"]
    assert set(_resolve(schema, saved["schema"])["properties"]) == {"text"}
    unsaved = paths["/v1/pronunciation/preview"]["post"]["requestBody"]["content"]
    assert set(_resolve(schema, unsaved["application/json"]["schema"])["required"]) == {
        "text",
        "modes",
    }
    restore = paths[f"{one}/revisions/{{number}}/restore"]["post"]
    body = _resolve(schema, restore["requestBody"]["content"]["application/json"]["schema"])
    assert set(body["properties"]) == {"comment"}
    assert restore["requestBody"].get("required", False) is False
    for method in ("put", "patch"):
        update = paths[one][method]["requestBody"]["content"]["application/json"]["schema"]
        assert "name" in _resolve(schema, update)["properties"]
    assert "413" in paths[one]["put"]["responses"]
    assert "413" in paths["/v1/pronunciation/import"]["post"]["responses"]


@pytest.mark.django_db
def test_public_id_path_parameters_have_the_pattern_the_views_enforce() -> None:
    """Issue 11 items 8 and 15: a malformed id is a 400, and the schema says which ids are."""
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parameters = {
        (parameter["name"], parameter["schema"].get("pattern"))
        for path in schema["paths"].values()
        for operation in path.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"].endswith("_id")
    }

    assert parameters == {
        ("dictionary_id", "^[A-Za-z0-9_]{1,64}$"),
        ("target_id", "^[A-Za-z0-9_]{1,64}$"),
        ("job_id", "^[A-Za-z0-9_]{1,64}$"),
        ("run_id", "^[A-Za-z0-9_]{1,64}$"),
        ("endpoint_id", "^[A-Za-z0-9_]{1,64}$"),
        ("message_id", "^[A-Za-z0-9_]{1,64}$"),
    }
    restore = schema["paths"]["/v1/pronunciation/deleted-dictionaries/{dictionary_id}/restore"]
    assert "400" in restore["post"]["responses"]


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
        "pronunciation-dictionaries-checks-get",
        "pronunciation-dictionaries-checks-replace",
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


@pytest.mark.django_db
def test_every_operation_has_a_summary_a_description_and_a_declared_tag() -> None:
    """Issue 16 item 3: a tools team generating a client needs each operation described and
    grouped by resource, under a tag the schema itself describes."""
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    declared = {tag["name"] for tag in schema["tags"] if tag.get("description")}
    missing = {
        op["operationId"]: [
            part for part in ("summary", "description") if not str(op.get(part, "")).strip()
        ]
        + [f"tag {tag}" for tag in op.get("tags", []) if tag not in declared]
        + ([] if op.get("tags") else ["tags"])
        for path in schema["paths"].values()
        for op in path.values()
    }

    assert {op: parts for op, parts in missing.items() if parts} == {}
    assert declared == {
        "dictionaries",
        "revisions",
        "review",
        "checks",
        "preview and lint",
        "import and export",
        "sync",
        "listen",
        "webhooks",
    }


@pytest.mark.django_db
def test_component_names_are_clean_and_every_reference_resolves() -> None:
    """Issue 16 item 3: names like ``DictionaryCreateRequestRequest`` became generated classes."""
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    names = set(schema["components"]["schemas"])

    assert not {n for n in names if n.endswith("RequestRequest") or n.startswith("Patched")}
    assert not {n for n in names if "Schema" in n}
    assert {"DictionaryCreateRequest", "DictionaryPatchRequest", "ModesRequest"} <= names
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', response.content.decode()))
    assert refs <= names


_CODES = {
    "400": "invalid_pronunciation",
    "401": "pronunciation_unauthenticated",
    "403": "pronunciation_forbidden",
    "404": "pronunciation_not_found",
    "409": "pronunciation_conflict",
    "412": "pronunciation_precondition_failed",
    "413": "invalid_pronunciation",
    "422": "pronunciation_idempotency_key_reused",
    "429": "rate_limit",
    "503": "pronunciation_unavailable",
}


@pytest.mark.django_db
def test_every_error_response_has_an_example_of_slngs_flat_body() -> None:
    """Issue 16 item 3: each error status shows the body a client must parse."""
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    fields = set(schema["components"]["schemas"]["ErrorOutput"]["properties"])
    seen: set[str] = set()

    for path in schema["paths"].values():
        for operation in path.values():
            for status, response in operation["responses"].items():
                if not status.startswith(("4", "5")):
                    continue
                examples = response["content"]["application/json"]["examples"]
                assert examples, (operation["operationId"], status)
                for example in examples.values():
                    body = example["value"]
                    assert {"code", "error", "slng_request_id"} <= set(body) <= fields
                    assert body["code"] == _CODES[status], (operation["operationId"], status)
                seen.add(status)
    assert seen == set(_CODES)
    created = schema["paths"]["/v1/pronunciation/dictionaries"]["post"]
    invalid = created["responses"]["400"]["content"]["application/json"]["examples"]
    assert [example["value"]["fieldErrors"] for example in invalid.values()] == [
        {"name": ["may contain only letters, digits, '.', '_' and '-'"]}
    ]


@pytest.mark.django_db
def test_the_one_rule_and_sync_run_operations_are_described() -> None:
    """Issue 16 item 4: the new operations' parameters, bodies and errors are in the schema."""
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    rule = schema["paths"]["/v1/pronunciation/dictionaries/{name}/rules/{mode}/{match}"]
    parameters = {p["name"]: p["schema"] for p in rule["get"]["parameters"] if p["in"] == "path"}

    assert parameters["mode"] == {"type": "string", "enum": ["rewrite", "ipa"]}
    assert parameters["match"] == {"type": "string", "minLength": 1, "maxLength": 128}
    assert set(rule["put"]["responses"]) == {
        "200",
        "201",
        "400",
        "401",
        "403",  # a viewer key (issue 14)
        "404",
        "412",
        "413",
        "429",
        "503",
    }
    assert "If-Match" in {p["name"] for p in rule["delete"]["parameters"]}
    not_found = rule["get"]["responses"]["404"]["content"]["application/json"]["examples"]
    assert [e["value"]["error"] for e in not_found.values()] == [
        "Rule not found in the rewrite mode of pronunciation dictionary brand: QubePay"
    ]
    dictionary = schema["components"]["schemas"]["DictionaryOutput"]["properties"]
    assert {"revision", "updated_at"} <= set(dictionary)
    run = schema["paths"]["/v1/sync/runs/{run_id}"]["get"]
    assert set(run["responses"]) == {"200", "400", "401", "404", "429", "503"}
    queued = schema["components"]["schemas"]["SyncQueuedOutput"]["properties"]
    assert set(queued) == {"queued", "runs"}


@pytest.mark.django_db
def test_the_create_examples_are_what_the_service_takes_and_answers(api: Any) -> None:
    """Issue 16 item 3: the create request example, sent as is, answers its 201 example's body
    (ids, times and key label aside)."""
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    create = schema["paths"]["/v1/pronunciation/dictionaries"]["post"]
    request = create["requestBody"]["content"]["application/json"]["examples"]["Create"]["value"]
    example = create["responses"]["201"]["content"]["application/json"]["examples"]["Created"]

    response = api.post("/v1/pronunciation/dictionaries", request, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == set(example["value"])
    varying = {"id", "org_id", "created_at", "updated_at", "created_by_key_label"}
    assert {k: v for k, v in body.items() if k not in varying} == {
        k: v for k, v in example["value"].items() if k not in varying
    }


@pytest.mark.django_db
def test_review_operations_and_role_refusals_are_documented() -> None:
    """Issue 14: approve and reject show their request, answer and refusals; every operation a
    viewer key may not call documents 403, and no read does."""
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    approve = paths["/v1/pronunciation/dictionaries/{name}/revisions/{number}/approve"]["post"]

    assert approve["tags"] == ["review"]
    # 413: any body over LEXICON_MAX_REQUEST_BYTES (issue 27 declares it for every body); 422:
    # an Idempotency-Key reused with another request.
    assert set(approve["responses"]) == {
        *("200", "400", "401", "403", "404", "409", "413", "422", "429", "503")
    }
    failing = approve["responses"]["400"]["content"]["application/json"]["examples"]
    assert [set(e["value"]["fieldErrors"]) for e in failing.values()] == [{"checks[2]"}]
    forbidden = approve["responses"]["403"]["content"]["application/json"]["examples"]
    assert "needs the reviewer role" in next(iter(forbidden.values()))["value"]["error"]
    answer = approve["responses"]["200"]["content"]["application/json"]
    assert answer["schema"] == {"$ref": "#/components/schemas/RevisionDetailOutput"}
    review = schema["components"]["schemas"]["ReviewOutput"]["properties"]
    assert set(review) == {"state", "by", "at", "comment"}
    documented = {
        (method, path)
        for path, item in paths.items()
        for method, op in item.items()
        if "403" in op["responses"]
    }
    assert ("get", "/v1/pronunciation/dictionaries") not in documented
    assert ("post", "/v1/pronunciation/preview") not in documented
    assert ("put", "/v1/pronunciation/dictionaries/{name}") in documented
    assert ("post", "/v1/sync/targets/{target_id}/run") in documented


def test_the_checks_examples_are_what_the_service_takes_and_answers(api: Any) -> None:
    """Issue 14: the checks PUT example, sent to the create example's dictionary, answers its
    200 example."""
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    create = schema["paths"]["/v1/pronunciation/dictionaries"]["post"]
    created = create["requestBody"]["content"]["application/json"]["examples"]["Create"]["value"]
    put = schema["paths"]["/v1/pronunciation/dictionaries/{name}/checks"]["put"]
    request = put["requestBody"]["content"]["application/json"]["examples"]["Replace"]["value"]
    example = put["responses"]["200"]["content"]["application/json"]["examples"]["Replaced"]
    api.post("/v1/pronunciation/dictionaries", created, format="json")

    url = f"/v1/pronunciation/dictionaries/{created['name']}/checks"
    response = api.put(url, request, format="json")

    assert response.status_code == 200
    assert response.json() == example["value"]
    assert example["value"]["failed"] == 1


@pytest.mark.django_db
def test_the_cheap_and_safe_headers_are_declared() -> None:
    """Issue 27 item 3: ETag, If-None-Match and 304, updated_since, Idempotency-Key on every
    POST with its 422 and Idempotent-Replayed, and the RateLimit fields on every answer."""
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    listed = paths["/v1/pronunciation/dictionaries"]["get"]
    one = paths["/v1/pronunciation/dictionaries/{name}"]["get"]

    def parameters(operation: dict[str, Any]) -> set[tuple[str, str]]:
        return {(p["in"], p["name"]) for p in operation["parameters"]}

    assert {("header", "If-None-Match"), ("query", "updated_since")} <= parameters(listed)
    assert ("header", "If-None-Match") in parameters(one)
    for operation in (listed, one):
        assert {"ETag", "RateLimit", "RateLimit-Policy"} <= set(
            operation["responses"]["200"]["headers"]
        )
        assert "304" in operation["responses"]
    posts = [path["post"] for path in paths.values() if "post" in path]
    assert len(posts) >= 20
    for post in posts:
        assert ("header", "Idempotency-Key") in parameters(post), post["operationId"]
        assert {"409", "422"} <= set(post["responses"]), post["operationId"]
        success = [r for status, r in post["responses"].items() if status.startswith("2")]
        assert all("Idempotent-Replayed" in r["headers"] for r in success), post["operationId"]
    refused = paths["/v1/pronunciation/dictionaries"]["post"]["responses"]["429"]["headers"]
    assert {"Retry-After", "RateLimit", "RateLimit-Policy"} <= set(refused)

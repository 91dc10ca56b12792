"""OpenAPI postprocessing for generated clients: the error codes, the headers each answer sends."""

from typing import Any

from core.api import EXAMPLE_REQUEST_ID, error_code
from core.errors import PreconditionFailed, PronunciationError, RequestTooLarge
from core.exceptions import error_body

_REQUEST_ID = {
    "schema": {"type": "string"},
    "description": "This request's id (also in logs; an error body's slng_request_id).",
}
_ETAG = {
    "schema": {"type": "string"},
    "description": "The dictionary's version: send it as If-Match for a conditional write.",
}
_LOCATION = {"schema": {"type": "string", "format": "uri"}, "description": "The new resource."}

# The answers whose views set ETag (api/common.dictionary_response, the rules' and checks'
# answers) or Location (a created rule, an import or scan job), by operation id and status.
_ETAG_ANSWERS: dict[str, tuple[str, ...]] = {
    "pronunciation-dictionaries-get": ("200",),
    "pronunciation-dictionaries-create": ("201",),
    "pronunciation-dictionaries-replace": ("200",),
    "pronunciation-dictionaries-patch": ("200",),
    "pronunciation-revisions-restore": ("200",),
    "pronunciation-deleted-restore": ("200",),
    "pronunciation-rules-get": ("200",),
    "pronunciation-rules-put": ("200", "201"),
    "pronunciation-rules-delete": ("204",),
    "pronunciation-dictionaries-checks-get": ("200",),
    "pronunciation-dictionaries-checks-replace": ("200",),
}
_LOCATION_ANSWERS: dict[str, tuple[str, ...]] = {
    "pronunciation-rules-put": ("201",),
    "pronunciation-import": ("202",),
    "pronunciation-scan": ("202",),
}


def error_codes() -> list[str]:
    """Every ``code`` an error body can carry: those of core.errors' PronunciationError and its
    subclasses in every app (the exception handler renders only those)."""
    found: set[str] = set()
    pending: list[type[PronunciationError]] = [PronunciationError]
    while pending:
        error = pending.pop()
        found.add(error.code)
        pending += error.__subclasses__()
    return sorted(found)


def declare_error_codes(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """``ErrorOutput.code`` is one of :func:`error_codes`, an enum a generated client checks."""
    schemas = result.get("components", {}).get("schemas", {})
    if "ErrorOutput" in schemas:
        schemas["ErrorOutput"]["properties"]["code"] = {"type": "string", "enum": error_codes()}
    return result


def declare_headers(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """``X-Request-Id`` on every answer (config.middleware sets it), ``ETag`` and ``Location``
    on the answers that send them."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            operation_id = operation.get("operationId", "")
            for status, response in operation["responses"].items():
                headers = response.setdefault("headers", {})
                headers["X-Request-Id"] = dict(_REQUEST_ID)
                if status in _ETAG_ANSWERS.get(operation_id, ()):
                    headers["ETag"] = dict(_ETAG)
                if status in _LOCATION_ANSWERS.get(operation_id, ()):
                    headers["Location"] = dict(_LOCATION)
    return result


def error_answer(error: PronunciationError, description: str) -> dict[str, Any]:
    """An error answer's OpenAPI response: the one error body, with ``error`` as its example."""
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/ErrorOutput"},
                "examples": {
                    error.code: {
                        "summary": error.code,
                        "value": error_body(error, EXAMPLE_REQUEST_ID),
                    }
                },
            }
        },
    }


def declare_statuses(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Statuses every operation of a kind can answer, wherever its view did not list them: 413
    for any body (config.middleware refuses one over its limit before the view) and 412 where
    an ``If-Match`` is read."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "requestBody" in operation and "413" not in responses:
                responses["413"] = error_answer(RequestTooLarge(), error_code(413))
            names = {p.get("name") for p in operation.get("parameters", [])}
            if "If-Match" in names and "412" not in responses:
                example = PreconditionFailed("brand", '"r3-6b1f0c2a"')
                responses["412"] = error_answer(example, error_code(412))
    return result

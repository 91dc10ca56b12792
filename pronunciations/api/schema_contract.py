"""OpenAPI postprocessing for generated clients: the error codes, the headers each answer sends."""

from typing import Any

from core.errors import PronunciationError

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

"""OpenAPI postprocessing: path parameters get the constraints the views enforce."""

from typing import Any

from core.errors import IdempotencyKeyInProgress, IdempotencyKeyReused
from core.exceptions import RateLimited, error_body
from core.idempotency import HEADER, MAX_KEY_LENGTH, REPLAYED
from orgs.authentication import minimum_role, role_refusal
from orgs.models import Role
from pronunciations.api.common import EXAMPLE_REQUEST_ID
from pronunciations.api.schema_contract import error_answer
from pronunciations.errors import Forbidden
from pronunciations.validation import MATCH_MAX_LENGTH, NAME_MAX_LENGTH

_PUBLIC_ID: dict[str, Any] = {"type": "string", "pattern": "^[A-Za-z0-9_]{1,64}$"}
_PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "name": {"type": "string", "pattern": "^[A-Za-z0-9._-]+$", "maxLength": NAME_MAX_LENGTH},
    "number": {"type": "integer", "minimum": 1},
    "other": {"type": "integer", "minimum": 1},
    # validation.validate_public_id: anything else is a 400 naming the parameter.
    "dictionary_id": _PUBLIC_ID,
    "target_id": _PUBLIC_ID,
    "job_id": _PUBLIC_ID,
    "run_id": _PUBLIC_ID,
    "endpoint_id": _PUBLIC_ID,
    "message_id": _PUBLIC_ID,
    # validation.validate_rule_parameters: a rule's mode and (percent-encoded) match.
    "mode": {"type": "string", "enum": ["rewrite", "ipa"]},
    "match": {"type": "string", "minLength": 1, "maxLength": MATCH_MAX_LENGTH},
}


def constrain_path_parameters(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Give every ``{name}``, ``{number}``, ``{other}``, rule and public id path parameter its
    real schema."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["name"] in _PATH_SCHEMAS:
                    parameter["schema"] = dict(_PATH_SCHEMAS[parameter["name"]])
    return result


_RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 1},
        "description": "Seconds until the rate window ends.",
    }
}


_RATE_LIMIT = {
    "RateLimit-Policy": {
        "schema": {"type": "string"},
        "description": 'The key\'s rate limit (IETF RateLimit fields): "key";q=<requests>;'
        "w=<window seconds>.",
    },
    "RateLimit": {
        "schema": {"type": "string"},
        "description": 'What is left of it: "key";r=<requests left>;t=<seconds to the window\'s'
        " end>.",
    },
}


def document_rate_limits(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Every key-authenticated operation can answer 429 ``rate_limit`` with ``Retry-After``,
    and every answer of one carries the RateLimit fields."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or not operation.get("security"):
                continue
            for response in operation.get("responses", {}).values():
                response.setdefault("headers", {}).update(_RATE_LIMIT)
            operation.setdefault("responses", {})["429"] = {
                "description": "rate_limit",
                "headers": {**_RETRY_AFTER, **_RATE_LIMIT},
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/ErrorOutput"},
                        "examples": {
                            "RateLimit": {
                                "summary": "rate_limit",
                                "value": error_body(RateLimited(), EXAMPLE_REQUEST_ID),
                            }
                        },
                    }
                },
            }
    return result


def _forbidden_example(minimum: str) -> dict[str, Any]:
    """The body a key below ``minimum`` gets, with the message orgs.authentication writes."""
    message = role_refusal(Role.VIEWER, minimum)
    return {
        "description": "pronunciation_forbidden (the API key's role is below "
        f"{minimum}; see the API docs, Review and roles)",
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/ErrorOutput"},
                "examples": {
                    "Forbidden": {
                        "summary": "pronunciation_forbidden",
                        "value": error_body(Forbidden(message), EXAMPLE_REQUEST_ID),
                    }
                },
            }
        },
    }


def document_roles(result: dict[str, Any], generator: Any = None, **_: Any) -> dict[str, Any]:
    """Every operation a viewer key may not call documents 403 ``pronunciation_forbidden``,
    naming the role it needs (the view's ``key_roles``, else editor for writes)."""
    for path, _regex, method, callback in getattr(generator, "endpoints", None) or []:
        minimum = minimum_role(callback.cls, method)
        operation = result.get("paths", {}).get(path, {}).get(method.lower())
        if operation is not None and minimum != Role.VIEWER:
            operation.setdefault("responses", {})["403"] = _forbidden_example(minimum)
    return result


# OpenAPI links: how a response's values feed the next request, so clients (and stateful tests)
# can follow a dictionary from its creation through updates, history, export and deletion.
_NAME = {"name": "$response.body#/name"}
_WRITE = {**_NAME, "header.If-Match": "$response.header.ETag"}
_FROM_DICTIONARY = {
    "get": ("pronunciation-dictionaries-get", _NAME),
    "replace": ("pronunciation-dictionaries-replace", _WRITE),
    "patch": ("pronunciation-dictionaries-patch", _WRITE),
    "delete": ("pronunciation-dictionaries-delete", _WRITE),
    "export": ("pronunciation-dictionaries-export", _NAME),
    "exportAll": ("pronunciation-export", {"names": "$response.body#/name"}),
    "lint": ("pronunciation-dictionaries-lint", _NAME),
    "checks": ("pronunciation-dictionaries-checks-get", _NAME),
    "replaceChecks": ("pronunciation-dictionaries-checks-replace", _WRITE),
    "preview": ("pronunciation-dictionaries-preview", _NAME),
    "revisions": ("pronunciation-revisions-list", _NAME),
    "undelete": ("pronunciation-deleted-restore", {"dictionary_id": "$response.body#/id"}),
}
_IN_PATH = {"name": "$request.path.name"}
_NEWEST = "$response.body#/revisions/0/number"
_OLDER = "$response.body#/revisions/1/number"
_LINKS: dict[tuple[str, str], dict[str, tuple[str, dict[str, str]]]] = {
    **{
        (producer, status): _FROM_DICTIONARY
        for producer, status in [
            ("pronunciation-dictionaries-create", "201"),
            ("pronunciation-dictionaries-get", "200"),
            ("pronunciation-dictionaries-replace", "200"),
            ("pronunciation-dictionaries-patch", "200"),
            ("pronunciation-revisions-restore", "200"),
            ("pronunciation-deleted-restore", "200"),
        ]
    },
    ("pronunciation-revisions-list", "200"): {
        "revision": ("pronunciation-revisions-get", {**_IN_PATH, "number": _NEWEST}),
        "diff": ("pronunciation-revisions-diff", {**_IN_PATH, "number": _OLDER, "other": _NEWEST}),
        "restore": ("pronunciation-revisions-restore", {**_IN_PATH, "number": _OLDER}),
    },
    ("pronunciation-dictionaries-list", "200"): {
        "first": (
            "pronunciation-dictionaries-get",
            {"name": "$response.body#/dictionaries/0/name"},
        ),
    },
    ("pronunciation-dictionaries-delete", "204"): {
        "deleted": ("pronunciation-deleted-list", {}),
    },
    ("pronunciation-deleted-list", "200"): {
        "undelete": (
            "pronunciation-deleted-restore",
            {"dictionary_id": "$response.body#/dictionaries/0/id"},
        ),
    },
}


def add_links(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Add the OpenAPI links of ``_LINKS`` to the responses they start from."""
    operations = {
        operation["operationId"]: operation
        for path in result.get("paths", {}).values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for (source, status), links in _LINKS.items():
        response = operations[source]["responses"][status]
        response["links"] = {
            name: {"operationId": target, "parameters": dict(parameters)}
            for name, (target, parameters) in links.items()
        }
    return result


def _clean_component_name(name: str) -> str:
    """``DictionaryCreateRequestRequest`` -> ``DictionaryCreateRequest``; ``ModesSchemaRequest``
    -> ``ModesRequest``; ``PatchedDictionaryPatchRequestRequest`` -> ``DictionaryPatchRequest``.
    The split request components get the serializer's name plus "Request"; the serializers are
    already named for their role, so the suffix and the "Patched" prefix only repeat it."""
    if name.startswith("Patched") and name.endswith("RequestRequest"):
        name = name.removeprefix("Patched")
    name = name.removesuffix("Request") if name.endswith("RequestRequest") else name
    if name.endswith("SchemaRequest"):
        return name.removesuffix("SchemaRequest") + "Request"
    return name.removesuffix("Schema")


def _rename_refs(node: Any, names: dict[str, str]) -> Any:
    prefix = "#/components/schemas/"
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(prefix) and ref[len(prefix) :] in names:
            node["$ref"] = prefix + names[ref[len(prefix) :]]
        for value in node.values():
            _rename_refs(value, names)
    elif isinstance(node, list):
        for value in node:
            _rename_refs(value, names)
    return node


def clean_component_names(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Component names without a doubled ``Request``, a ``Patched`` prefix or a ``Schema``
    suffix, for the classes a generated client gets. Names only: no body changes. A name that
    would collide with another component's is left as it was."""
    schemas: dict[str, Any] = result.get("components", {}).get("schemas", {})
    names: dict[str, str] = {}
    for name in schemas:
        clean = _clean_component_name(name)
        if clean != name and clean not in schemas and clean not in names.values():
            names[name] = clean
    if names:
        result["components"]["schemas"] = {names.get(k, k): v for k, v in schemas.items()}
        _rename_refs(result["paths"], names)
        _rename_refs(result["components"], names)
    return result


_IDEMPOTENCY_KEY = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": "A key of yours (a UUID): a retry with the same key and request within 24 "
    "hours gets the first answer again, marked Idempotent-Replayed, and writes nothing.",
}
_REPLAYED = {
    REPLAYED: {
        "schema": {"type": "string", "enum": ["true"]},
        "description": "The answer is the one given to the first request with this "
        "Idempotency-Key.",
    }
}


def document_idempotency(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Every POST takes ``Idempotency-Key`` (core.idempotency): its answers may be replayed,
    and it can answer 422 (the key reused for another request) and 409 (still in progress)."""
    for path in result.get("paths", {}).values():
        operation = path.get("post")
        if not isinstance(operation, dict):
            continue
        operation.setdefault("parameters", []).append(dict(_IDEMPOTENCY_KEY))
        responses = operation.setdefault("responses", {})
        for status, response in responses.items():
            if status.startswith("2"):
                response.setdefault("headers", {}).update(_REPLAYED)
        responses["422"] = error_answer(
            IdempotencyKeyReused(), "pronunciation_idempotency_key_reused"
        )
        responses.setdefault(
            "409", error_answer(IdempotencyKeyInProgress(), "pronunciation_conflict")
        )
    return result

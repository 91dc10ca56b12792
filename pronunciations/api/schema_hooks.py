"""OpenAPI postprocessing: path parameters get the constraints the views enforce."""

from typing import Any

from pronunciations.validation import NAME_MAX_LENGTH

_PUBLIC_ID: dict[str, Any] = {"type": "string", "pattern": "^[A-Za-z0-9_]{1,64}$"}
_PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "name": {"type": "string", "pattern": "^[A-Za-z0-9._-]+$", "maxLength": NAME_MAX_LENGTH},
    "number": {"type": "integer", "minimum": 1},
    "other": {"type": "integer", "minimum": 1},
    # validation.validate_public_id: anything else is a 400 naming the parameter.
    "dictionary_id": _PUBLIC_ID,
    "target_id": _PUBLIC_ID,
    "job_id": _PUBLIC_ID,
}


def constrain_path_parameters(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Give every ``{name}``, ``{number}``, ``{other}`` and public id path parameter its real
    schema."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["name"] in _PATH_SCHEMAS:
                    parameter["schema"] = dict(_PATH_SCHEMAS[parameter["name"]])
    return result

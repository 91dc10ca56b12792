"""Validation of dictionary create bodies and pronunciation references, SLNG style.

Errors are collected, never raised one at a time, into ``fieldErrors``-shaped dicts
(path -> list of messages). A value that is wrong is keyed by its own path
(``modes.rewrite.rules[3].match``); a required member that is missing is keyed by the object
that lacks it, as in SLNG's published example ``{"modes": ["modes.rewrite is required"]}``
(top-level members are keyed by their own name).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]+")
NAME_MAX = 128
MATCH_MAX = 128
VALUE_MAX = 256
RULES_MAX = 256
# Mode name -> (the field that carries the spoken value, whether `rules` is required).
MODES: dict[str, tuple[str, bool]] = {"rewrite": ("replace", True), "ipa": ("ipa", False)}

FieldErrors = dict[str, list[str]]


class ValidationFailed(Exception):
    """Raised with every problem found, keyed by field path."""

    def __init__(self, field_errors: FieldErrors) -> None:
        super().__init__("invalid pronunciation dictionary")
        self.field_errors = field_errors


def _add(errors: FieldErrors, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def name_problems(name: object, path: str = "name") -> list[str]:
    """Return what is wrong with a dictionary name (empty list when it is valid)."""
    if not isinstance(name, str):
        return [f"{path} must be a string"]
    if not name:
        return [f"{path} must not be empty"]
    if len(name) > NAME_MAX:
        return [f"{path} must be at most {NAME_MAX} characters"]
    if not NAME_PATTERN.fullmatch(name):
        return [f"{path} must match ^[A-Za-z0-9._-]+$"]
    return []


def _check_string(
    errors: FieldErrors, rule: Mapping[str, Any], path: str, spec: tuple[str, int]
) -> None:
    field, limit = spec
    value = rule.get(field)
    key = f"{path}.{field}"
    if field not in rule:
        _add(errors, path, f"{key} is required")
    elif not isinstance(value, str):
        _add(errors, key, f"{key} must be a string")
    elif not value:
        _add(errors, key, f"{key} must not be empty")
    elif len(value) > limit:
        _add(errors, key, f"{key} must be at most {limit} characters")


def _clean_rules(
    errors: FieldErrors, rules: object, path: str, value_field: str
) -> list[dict[str, Any]]:
    if not isinstance(rules, list):
        _add(errors, path, f"{path} must be an array")
        return []
    if len(rules) > RULES_MAX:
        _add(errors, path, f"{path} must have at most {RULES_MAX} items")
    cleaned: list[dict[str, Any]] = []
    for index, rule in enumerate(rules):
        rule_path = f"{path}[{index}]"
        if not isinstance(rule, Mapping):
            _add(errors, rule_path, f"{rule_path} must be an object")
            continue
        _check_string(errors, rule, rule_path, ("match", MATCH_MAX))
        _check_string(errors, rule, rule_path, (value_field, VALUE_MAX))
        # Unknown keys inside a rule are dropped, not stored (the spec sets no
        # additionalProperties); only `match` and the value field are echoed back.
        cleaned.append({"match": rule.get("match"), value_field: rule.get(value_field)})
    return cleaned


def _clean_mode(errors: FieldErrors, mode: str, body: object) -> dict[str, Any]:
    path = f"modes.{mode}"
    value_field, rules_required = MODES[mode]
    if not isinstance(body, Mapping):
        _add(errors, path, f"{path} must be an object")
        return {}
    if "rules" not in body:
        if rules_required:
            _add(errors, path, f"{path}.rules is required")
        return {}
    return {"rules": _clean_rules(errors, body["rules"], f"{path}.rules", value_field)}


def _clean_modes(errors: FieldErrors, modes: object) -> dict[str, Any]:
    if not isinstance(modes, Mapping):
        _add(errors, "modes", "modes must be an object")
        return {}
    if "rewrite" not in modes:
        _add(errors, "modes", "modes.rewrite is required")
    cleaned: dict[str, Any] = {}
    for mode, body in modes.items():
        if mode not in MODES:
            _add(errors, f"modes.{mode}", f"modes.{mode} is not a supported mode")
            continue
        cleaned[mode] = _clean_mode(errors, mode, body)
    return cleaned


def clean_create_body(body: object) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """Validate a create body and return ``(name, modes, metadata)``.

    Raises ValidationFailed listing every problem. Unknown top-level fields are ignored.
    """
    if not isinstance(body, Mapping):
        raise ValidationFailed({"body": ["Request body must be a JSON object."]})
    errors: FieldErrors = {}
    if "name" not in body:
        _add(errors, "name", "name is required")
    else:
        for problem in name_problems(body["name"]):
            _add(errors, "name", problem)
    if "modes" not in body:
        _add(errors, "modes", "modes is required")
        modes: dict[str, Any] = {}
    else:
        modes = _clean_modes(errors, body["modes"])
    metadata = body.get("metadata")
    if "metadata" in body and not isinstance(metadata, Mapping):
        _add(errors, "metadata", "metadata must be an object")
    if errors:
        raise ValidationFailed(errors)
    return body["name"], modes, dict(metadata) if isinstance(metadata, Mapping) else None


def reference_problem(reference: object) -> str | None:
    """Return why a TTS ``pronunciation`` reference is malformed, or None when it is valid."""
    if not isinstance(reference, Mapping):
        return "pronunciation must be an object"
    if reference.get("mode") != "rewrite":
        return "pronunciation.mode must be 'rewrite'"
    has_name, has_id = "name" in reference, "dictionary_id" in reference
    if has_name == has_id:
        return "pronunciation must give exactly one of name or dictionary_id"
    if has_name:
        problems = name_problems(reference["name"], "pronunciation.name")
        return problems[0] if problems else None
    dictionary_id = reference["dictionary_id"]
    if not isinstance(dictionary_id, str) or not dictionary_id:
        return "pronunciation.dictionary_id must be a non-empty string"
    return None

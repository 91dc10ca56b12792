"""JSON values that arrive from outside: parsing bounded in depth, and metadata's rules."""

import json
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from core.text import problem, replace_unstorable, unstorable_problems

# Structured problems by field path: what clean_modes and clean_metadata collect.
Problems = dict[str, list[ValidationError]]


def json_depth(value: object) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), computed without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def parse_json(text: str | bytes, *, field: str) -> Any:
    """Parse untrusted JSON, bounded in nesting depth (LEXICON_MAX_JSON_DEPTH).

    Raises ``ValidationError`` keyed by ``field`` for malformed (code ``malformed``, the
    decoder's message in ``params["reason"]``) or too deeply nested JSON (code ``too_deep``),
    never ``RecursionError``.
    """
    limit = settings.LEXICON_MAX_JSON_DEPTH
    too_deep = problem(
        "is nested too deeply: at most %(limit)s levels of arrays and objects",
        "too_deep",
        limit=limit,
    )
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValidationError({field: [too_deep]}) from None
    except (ValueError, UnicodeDecodeError) as exc:
        where: dict[str, Any] = {}
        if isinstance(exc, json.JSONDecodeError):  # where it went wrong, for the admin
            where = {"line": exc.lineno, "column": exc.colno, "offset": exc.pos, "what": exc.msg}
        malformed = ValidationError(
            "is not valid JSON: %(reason)s", code="malformed", params={"reason": str(exc), **where}
        )
        raise ValidationError({field: [malformed]}) from None
    if json_depth(value) > limit:
        raise ValidationError({field: [too_deep]})
    return value


def _json_value_errors(value: object, path: str, errors: Problems) -> None:
    """Every key, string and number inside a parsed JSON value, checked without recursion:
    characters nothing can store, and NaN or Infinity (Python's JSON parser reads them, but
    they are not JSON: PostgreSQL's jsonb refuses them)."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            message = "must be a finite number: JSON has no NaN or Infinity"
            errors.setdefault(where, []).append(problem(message, "not_finite", value=str(item)))
        elif isinstance(item, str):
            if problems := unstorable_problems(item):
                errors.setdefault(where, []).extend(problems)
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{where}.{key}"
                if isinstance(key, str) and (problems := unstorable_problems(key)):
                    child_path = f"{where}.{replace_unstorable(key)}"
                    errors.setdefault(child_path, []).extend(
                        problem("key " + str(p.message), "unstorable_key", **(p.params or {}))
                        for p in problems
                    )
                stack.append((child, child_path))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{index}]") for index, child in enumerate(item))


def clean_metadata(raw: object, errors: Problems) -> dict[str, Any]:
    """Validate ``metadata``: a JSON object (null means none) of bounded depth and serialized
    size, whose keys and strings hold only storable characters and whose numbers are finite
    (paths like metadata.a[2].b)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors["metadata"] = [problem("must be an object", "not_object")]
        return {}
    depth = settings.LEXICON_MAX_JSON_DEPTH
    if json_depth(raw) > depth:  # checked first: serializing a deeper value would recurse
        message = "is nested too deeply: at most %(limit)s levels of arrays and objects"
        errors["metadata"] = [problem(message, "too_deep", limit=depth)]
        return {}
    found: Problems = {}
    _json_value_errors(raw, "metadata", found)
    if found:
        errors.update(found)
        return {}
    limit = settings.LEXICON_MAX_METADATA_BYTES
    size = len(json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > limit:
        message = "must be at most %(limit)s bytes as JSON, got %(got)s"
        errors["metadata"] = [problem(message, "too_big", limit=limit, got=size)]
    return raw

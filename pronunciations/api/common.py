"""Helpers of pronunciations' views: a write's answer with its ETag, a body's typical 400; what
every app's views share (``core.api``) is re-exported here for them."""

from rest_framework.response import Response

from core.api import (
    BAD_NAME_PARAMETER,
    EXAMPLE_REQUEST_ID,
    bad_id,
    caller_for,
    error_code,
    error_example,
    error_responses,
    if_match,
    json_object,
    query_int,
    refusal,
)
from pronunciations import checks
from pronunciations.api.serializers import DictionaryOutput
from pronunciations.lint import lint_modes
from pronunciations.models import Dictionary
from pronunciations.validation import (
    validate_modes,
    validate_name,
)


def dictionary_response(
    dictionary: Dictionary, *, status: int = 200, with_warnings: bool = False
) -> Response:
    """A write's answer: the dictionary object with its ETag; ``warnings`` (lint) only when asked
    and not empty, ``checks`` (``{"passed", "failed"}``) only when it has checks, so SLNG's
    clients see SLNG's body."""
    data = DictionaryOutput(dictionary).data
    if with_warnings:
        modes = validate_modes(dictionary.current_modes)  # type: ignore[attr-defined]
        warnings = lint_modes(modes, dictionary.content_hash, dictionary.organization_id)
        if warnings:
            data["warnings"] = [warning.as_dict() for warning in warnings]
    if results := checks.current_results(dictionary):
        data["checks"] = checks.summary(results)
    response = Response(data, status=status)
    response["ETag"] = dictionary.etag
    return response


BAD_BODY = {400: refusal(lambda: validate_name("brand names"))}

__all__ = [
    "BAD_BODY",
    "BAD_NAME_PARAMETER",
    "EXAMPLE_REQUEST_ID",
    "bad_id",
    "caller_for",
    "dictionary_response",
    "error_code",
    "error_example",
    "error_responses",
    "if_match",
    "json_object",
    "query_int",
    "refusal",
]

"""What every API view shares: the caller's prologue, request parameters and bodies, the
schema's error entries (each example rendered by the exception handler's own ``error_body``)."""

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponseNotModified
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework.request import Request

from core import errors
from core.errors import PronunciationError
from core.exceptions import RateLimited, error_body, translate
from core.parameters import validate_int_parameter, validate_name_parameter, validate_public_id
from core.serializers import ErrorOutput
from orgs.authentication import caller_key
from orgs.models import APIKey, Role

# A request that writes nothing (a preview, Listen): a viewer key may POST it.
READ_ONLY_POST = {"POST": Role.VIEWER}

_NOTES = {413: " (body or file over its limit)"}


def error_code(status: int) -> str:
    """The SLNG code the exception handler answers with at ``status``: taken from the domain
    errors it renders (errors.PronunciationError and its subclasses), so the two cannot drift."""
    codes: dict[int, str] = {}
    pending: list[type[PronunciationError]] = [PronunciationError]
    while pending:
        error = pending.pop(0)
        codes.setdefault(error.status, error.code)
        pending += error.__subclasses__()
    return codes[status] + _NOTES.get(status, "")


def refusal(check: Callable[[], object]) -> errors.PronunciationError:
    """The error the handler answers for what ``check`` raises: a schema example made by the
    real validator, so it cannot drift from the answer."""
    try:
        check()
    except (ValidationError, PronunciationError) as exc:
        return translate(exc)
    raise AssertionError("the example's check accepted its input")


# The typical 400 of the schema's examples: a path's bad {name} (nearly every operation has one;
# a parameter's error names it).
BAD_NAME_PARAMETER = refusal(lambda: validate_name_parameter("brand names"))


def bad_id(parameter: str) -> dict[int, errors.PronunciationError]:
    """The 400 example of an operation whose path names a public id, ``{parameter}``."""
    return {400: refusal(lambda: validate_public_id("id-1", name=parameter))}


EXAMPLE_REQUEST_ID = "req_01JD4XK6ZQ3V8N2M5T7W9Y1B3C"


def error_example(status: int, error: PronunciationError | None = None) -> OpenApiExample:
    """The body Lexicon answers at ``status``, rendered by the exception handler's own
    ``error_body`` from the domain error raised there (``error``, or a typical one), so the
    example cannot drift from it."""
    raisers: dict[int, Callable[[], errors.PronunciationError]] = {
        400: lambda: BAD_NAME_PARAMETER,
        401: errors.Unauthenticated,
        404: lambda: errors.DictionaryNotFound("brand"),
        409: lambda: errors.DictionaryConflict("brand"),
        412: lambda: errors.PreconditionFailed("brand", '"r3-6b1f0c2a"'),
        413: errors.RequestTooLarge,
        429: RateLimited,
        503: errors.Unavailable,
    }
    error = error or raisers[status]()
    return OpenApiExample(
        error.code,
        value=error_body(error, EXAMPLE_REQUEST_ID),
        response_only=True,
        status_codes=[str(status)],
    )


def error_responses(
    *codes: int, errors: Mapping[int, PronunciationError] | None = None
) -> dict[int, OpenApiResponse]:
    """Schema entries for the SLNG error body at the given statuses, each with its example
    (of the error given in ``errors`` for that status, else a typical one)."""
    return {
        code: OpenApiResponse(
            ErrorOutput,
            description=error_code(code),
            examples=[error_example(code, (errors or {}).get(code))],
        )
        for code in codes
    }


def caller_for(request: Request, name: str) -> APIKey:
    """The prologue of every view of one dictionary: its path name checked (a 400 naming it,
    before any query), then the caller's key, whose organization scopes every read and write."""
    validate_name_parameter(name)
    return caller_key(request)


def if_match(request: Request) -> str | None:
    """The request's ``If-Match`` (None when absent or empty): every conditional write reads it
    here and hands it to its service, which compares it with the locked row's ETag."""
    return request.headers.get("If-Match") or None


_ENTITY_TAG = re.compile(r'(?:W/)?("[\x21\x23-\x7e\x80-\xff]*")')


def not_modified(request: Request, etag: str) -> HttpResponseNotModified | None:
    """304 with the current ``etag`` when the request's ``If-None-Match`` matches it (RFC 9110,
    section 13.1.2: ``*`` or any listed entity-tag, compared weakly: ``W/"x"`` matches
    ``"x"``), else None: the caller answers the full representation."""
    header = request.headers.get("If-None-Match", "").strip()
    if not header:
        return None
    current = _ENTITY_TAG.fullmatch(etag)
    opaque = current.group(1) if current else etag
    if header != "*" and opaque not in _ENTITY_TAG.findall(header):
        return None
    response = HttpResponseNotModified()
    response["ETag"] = etag
    return response


def json_object(request: Request) -> Mapping[str, Any]:
    if not isinstance(request.data, Mapping):
        raise ValidationError({"body": ["request body must be a JSON object"]})
    return request.data


def query_int(request: Request, name: str, default: int | None, low: int, high: int) -> int | None:
    """An integer query parameter in ``low..high``; 400 naming it otherwise."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    return validate_int_parameter(raw, name=name, low=low, high=high)

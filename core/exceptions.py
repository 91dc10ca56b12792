"""The only place errors become responses: every error body is SLNG's flat error object.

``{"code", "error", "fieldErrors"?, "slng_request_id"?}`` for DRF views (the exception handler)
and for requests that never reach a view (the 404/500 handlers of config.urls); the admin's JSON
endpoints answer the same translated errors in the shape their pages' scripts read
(``admin_error``).
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.errors import (
    Busy,
    Forbidden,
    InvalidDictionary,
    InvalidParameter,
    NotFound,
    PronunciationError,
    RequestTooLarge,
    Unauthenticated,
    Unavailable,
)
from core.parameters import ParameterError
from core.text import replace_unstorable

logger = logging.getLogger(__name__)


class NotFoundError(NotFound):
    default_message = "Not found."


class MethodNotAllowedError(PronunciationError):
    status = 405


class NotAcceptableError(PronunciationError):
    status = 406


class RateLimited(PronunciationError):
    status = 429
    code = "rate_limit"
    default_message = "Too many requests."


class InternalError(PronunciationError):
    status = 500
    code = "internal_error"
    default_message = "Internal server error."


def _printable(value: Any) -> Any:
    """Error text may quote what the client sent (a column name, a key): every string, keys
    included, has what UTF-8 or a log cannot carry (lone surrogates, controls) replaced, so
    writing the error body never fails. Error bodies are our own shallow structures."""
    if isinstance(value, str):
        return replace_unstorable(value)
    if isinstance(value, dict):
        return {_printable(key): _printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(item) for item in value]
    return value


def error_body(error: PronunciationError, request_id: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "error": error.message}
    if error.field_errors:
        body["fieldErrors"] = error.field_errors
    body.update(error.extra)
    if request_id:
        body["slng_request_id"] = request_id
    return _printable(body)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into SLNG's ``field path -> messages`` map."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and detail and not all(isinstance(d, str) for d in detail):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(_flatten(value, f"{prefix}[{index}]"))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "body": [str(message) for message in messages]}


def _translate_drf(exc: drf.APIException) -> PronunciationError:
    if isinstance(exc, drf.ValidationError):
        return InvalidDictionary(field_errors=_flatten(exc.detail))
    if isinstance(exc, drf.ParseError):
        return InvalidDictionary(f"Malformed request body: {exc.detail}")
    if isinstance(exc, drf.UnsupportedMediaType):
        return InvalidDictionary("Unsupported Content-Type: send application/json.")
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        return Unauthenticated()
    if isinstance(exc, drf.PermissionDenied):  # orgs.authentication.KeyRoleAllows: the key's role
        return Forbidden(str(exc.detail))
    if isinstance(exc, drf.NotFound):
        return NotFoundError()
    if isinstance(exc, drf.MethodNotAllowed):
        return MethodNotAllowedError(str(exc.detail))
    if isinstance(exc, drf.NotAcceptable):
        return NotAcceptableError(str(exc.detail))
    if isinstance(exc, drf.Throttled):
        return RateLimited()
    return PronunciationError(str(exc.detail))


def translate(exc: Exception) -> PronunciationError:
    """Map any exception to the domain error that describes it to an SLNG client."""
    if isinstance(exc, PronunciationError):
        return exc
    if isinstance(exc, ParameterError):
        return InvalidParameter(exc.message_dict)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"body": exc.messages}
        return InvalidDictionary(field_errors=fields)
    if isinstance(exc, Http404):
        return NotFoundError()
    if isinstance(exc, RequestDataTooBig):  # Django's own bound on a buffered body
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return RequestTooLarge(f"Request body is too large: the limit is {limit} bytes.")
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return InvalidDictionary(f"Too many parameters, form fields or files: {exc}")
    if isinstance(exc, OperationalError | InterfaceError):
        return Unavailable()
    if isinstance(exc, drf.APIException):
        return _translate_drf(exc)
    return InternalError()


def _headers(exc: Exception, error: PronunciationError) -> dict[str, str]:
    headers: dict[str, str] = {}
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="lexicon"'
    wait = getattr(exc, "wait", None)
    if isinstance(exc, drf.Throttled) and wait is not None:
        headers["Retry-After"] = str(max(1, int(wait + 0.999)))
    if isinstance(error, Busy):
        headers["Retry-After"] = str(max(1, error.retry_after))
    if isinstance(exc, drf.MethodNotAllowed) and getattr(exc, "allowed", None):
        headers["Allow"] = ", ".join(exc.allowed)  # type: ignore[attr-defined]
    return headers


def slng_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: every error, known or not, becomes an SLNG error body."""
    request = context.get("request")
    request_id = getattr(request, "request_id", None)
    error = translate(exc)
    if isinstance(error, InternalError):
        logger.exception("unhandled error", exc_info=exc)
    elif isinstance(error, Unavailable) and not isinstance(exc, Unavailable):
        logger.warning("database unavailable: %s", type(exc).__name__)
    set_rollback()
    response = Response(error_body(error, request_id), status=error.status)
    for header, value in _headers(exc, error).items():
        response[header] = value
    return response


def json_error(request: HttpRequest, error: PronunciationError) -> JsonResponse:
    """An SLNG error response outside DRF (URL not found, a crash before a view)."""
    body = error_body(error, getattr(request, "request_id", None))
    return JsonResponse(body, status=error.status, json_dumps_params={"ensure_ascii": False})


def admin_error(exc: Exception) -> JsonResponse:
    """The error answer of an admin JSON endpoint (the preview, paste, IPA, Listen and sync
    panel scripts read it): ``exc`` translated like any other, a request's problems as
    ``{"errors": {field: [messages]}}`` (400), any other refusal as ``{"error": message}``."""
    error = translate(exc)
    if isinstance(exc, DjangoValidationError):
        return JsonResponse({"errors": error.field_errors}, status=error.status)
    return JsonResponse({"error": error.message}, status=error.status)

"""Request middleware: a request id on every request, and the bounds every request must keep.

Bounds are checked before anything reads the body or queries the database, and every refusal
is SLNG's error body (built by core.exceptions, the one place that shapes them).
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest, HttpResponse

from core.exceptions import json_error, translate
from orgs.request_id import REQUEST_ID_HEADER, new_request_id, request_id_var
from pronunciations.errors import HeadersTooLarge, LengthRequired, RequestTooLarge, UriTooLong
from pronunciations.validation import ParameterError, parameter_errors, replace_unstorable


class RequestIdMiddleware:
    """Attach ``request.request_id`` and return it in the ``X-Request-Id`` response header,
    with the RateLimit header fields of a request the key's throttle counted."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        # Not reset on the way out: Django logs the response after the middleware returns.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        # The key's RateLimit fields, set by its throttle (orgs.throttling), on every answer to
        # a counted request, a 429 included.
        for name, value in getattr(request, "rate_limit_headers", {}).items():
            response[name] = value
        return response


# An upload's multipart framing and form fields, on top of the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class RequestLimitsMiddleware:
    """Refuse, in SLNG's body, what gunicorn lets through but the application bounds tighter:

    - a request line (method, target, version) over LEXICON_MAX_REQUEST_LINE_BYTES: 414;
    - more than LEXICON_MAX_HEADER_FIELDS headers, one over LEXICON_MAX_HEADER_FIELD_BYTES, or
      all together over LEXICON_MAX_HEADER_BYTES: 431;
    - a chunked body (Django would read it as empty): 411;
    - a declared body over LEXICON_MAX_REQUEST_BYTES, whatever its content type: 413, before
      anything reads it (views marked ``accepts_uploads``, see pronunciations.transfer, take
      LEXICON_MAX_UPLOAD_BYTES plus the multipart overhead);
    - a path or query parameter holding NUL or another unstorable character: 400 naming it;
    - a path or query string whose percent-encoded bytes are not UTF-8 (``%FF``, ``%ED%A0%80``
      as a lone surrogate would be written): 400, where Django would read them as the literal
      text ``%FF`` in the path (a rule's match) and U+FFFD in the query.

    gunicorn's own limits (config/gunicorn.py) sit above these, so only what is beyond them
    gets gunicorn's HTML answer.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = _request_line_error(request) or _header_error(request) or _encoding_error(request)
        if refusal is not None:
            return _respond(request, refusal)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        try:
            refusal = _body_error(request, view) or _parameter_error(request, kwargs)
        except TooManyFieldsSent as exc:  # more query parameters than Django parses
            refusal = exc
        return None if refusal is None else _respond(request, refusal)


def _respond(request: HttpRequest, error: Exception) -> HttpResponse:
    return json_error(request, translate(error))


def _request_line_error(request: HttpRequest) -> Exception | None:
    target = request.META.get("RAW_URI") or request.get_full_path()
    protocol = request.META.get("SERVER_PROTOCOL", "HTTP/1.1")
    length = len(f"{request.method} {target} {protocol}".encode("latin-1", "replace"))
    limit = settings.LEXICON_MAX_REQUEST_LINE_BYTES
    if length > limit:
        return UriTooLong(f"Request line is too long: {length} bytes, the limit is {limit}.")
    return None


def _not_utf8(encoded: str) -> str | None:
    """The first byte sequence of percent-encoded ``encoded`` that is not UTF-8, as sent."""
    raw = unquote_to_bytes(encoded.encode("latin-1", "replace"))  # WSGI strings are latin-1
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "".join(f"%{byte:02X}" for byte in raw[exc.start : exc.end])
    return None


def _encoding_error(request: HttpRequest) -> Exception | None:
    # The path as sent is known behind gunicorn (RAW_URI); Django keeps only its decoding.
    raw_uri = request.META.get("RAW_URI")
    parts = {
        "path": urlsplit(raw_uri).path if raw_uri else "",
        "query": request.META.get("QUERY_STRING", ""),
    }
    errors = {
        name: [f"must be UTF-8 once percent-decoded: {bad} is not"]
        for name, text in parts.items()
        if (bad := _not_utf8(text))
    }
    return ParameterError(errors) if errors else None


def _header_error(request: HttpRequest) -> Exception | None:
    headers = [
        (name, str(value))
        for name, value in request.META.items()
        if name.startswith("HTTP_") or name in ("CONTENT_TYPE", "CONTENT_LENGTH")
    ]
    most, field_limit = settings.LEXICON_MAX_HEADER_FIELDS, settings.LEXICON_MAX_HEADER_FIELD_BYTES
    if len(headers) > most:
        return HeadersTooLarge(f"Too many header fields: {len(headers)}, the limit is {most}.")
    sizes = {name: len(name.removeprefix("HTTP_")) + 2 + len(value) for name, value in headers}
    for name, size in sizes.items():
        if size > field_limit:
            header = name.removeprefix("HTTP_").replace("_", "-").title()
            return HeadersTooLarge(
                f"Header field {header} is too large: {size} bytes, the limit is {field_limit}."
            )
    total, total_limit = sum(sizes.values()), settings.LEXICON_MAX_HEADER_BYTES
    if total > total_limit:
        return HeadersTooLarge(f"Headers are too large: {total} bytes, the limit is {total_limit}.")
    return None


def _body_error(request: HttpRequest, view: Any) -> Exception | None:
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return LengthRequired()  # Django would read the body as empty, silently
    declared = request.META.get("CONTENT_LENGTH") or ""
    if not (declared.isascii() and declared.isdigit()):
        return None  # absent (no body is read then) or malformed (gunicorn refuses those)
    uploads = getattr(view, "accepts_uploads", False) or getattr(
        getattr(view, "cls", None), "accepts_uploads", False
    )
    if uploads:
        limit, what = settings.LEXICON_MAX_UPLOAD_BYTES, "The file is too large"
        if int(declared) > limit + MULTIPART_OVERHEAD_BYTES:
            return RequestTooLarge(f"{what}: the limit is {limit} bytes.")
        return None
    limit = settings.LEXICON_MAX_REQUEST_BYTES
    if int(declared) > limit:
        return RequestTooLarge(f"Request body is too large: the limit is {limit} bytes.")
    return None


def _parameter_error(request: HttpRequest, kwargs: dict[str, Any]) -> Exception | None:
    parameters = [(name, value) for name, value in kwargs.items() if isinstance(value, str)]
    parameters += [(name, value) for name, values in request.GET.lists() for value in values]
    errors: dict[str, list[str]] = {}
    for name, value in parameters:
        if problems := parameter_errors(name) or parameter_errors(value):
            errors.setdefault(replace_unstorable(name), problems)
    return ParameterError(errors) if errors else None

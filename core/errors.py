"""SLNG's errors as Lexicon answers them: each carries its SLNG code and HTTP status."""


class PronunciationError(Exception):
    """Base of every error the API reports; the exception handler renders it SLNG's way."""

    status = 400
    code = "invalid_pronunciation"
    default_message = "Invalid pronunciation dictionary."

    def __init__(
        self, message: str | None = None, *, field_errors: dict[str, list[str]] | None = None
    ) -> None:
        self.message = message or self.default_message
        self.field_errors = field_errors or {}
        self.extra: dict[str, object] = {}  # more top-level fields for the error body
        super().__init__(self.message)


class InvalidDictionary(PronunciationError):
    """The request or its content breaks a validation rule (details in field_errors)."""


class InvalidParameter(InvalidDictionary):
    """A path, query or form parameter is refused (``validation.ParameterError``): unlike a
    body's errors, which keep SLNG's generic message, the message names each parameter."""

    def __init__(self, field_errors: dict[str, list[str]]) -> None:
        super().__init__(parameter_message(field_errors), field_errors=field_errors)


def parameter_message(field_errors: dict[str, list[str]]) -> str:
    """``format must be one of csv, …`` or ``limit: must be an integer from 1 to 200``: each
    problem led by its parameter's name, unless it already starts with it."""
    return "; ".join(
        problem if problem.startswith(f"{name} ") else f"{name}: {problem}"
        for name, problems in field_errors.items()
        for problem in problems
    )


class NotFound(PronunciationError):
    """Base of every 404: what was asked for does not exist (in the caller's organization)."""

    status = 404
    code = "pronunciation_not_found"


class DictionaryNotFound(NotFound):
    def __init__(self, name: str) -> None:
        super().__init__(f"Pronunciation dictionary not found: {name}")


class DictionaryConflict(PronunciationError):
    status = 409
    code = "pronunciation_conflict"

    def __init__(self, name: str) -> None:
        super().__init__(f"Pronunciation dictionary already exists: {name}")


class RequestTooLarge(PronunciationError):
    status = 413
    default_message = "Request body is too large."


class LengthRequired(PronunciationError):
    """A chunked body: Django reads only a body whose length is declared (it saw none)."""

    status = 411
    default_message = "Send the request body with a Content-Length header, not chunked."


class UriTooLong(PronunciationError):
    """The request line is over LEXICON_MAX_REQUEST_LINE_BYTES."""

    status = 414
    default_message = "Request URI is too long."


class HeadersTooLarge(PronunciationError):
    """A header, or all of them together, over the LEXICON_MAX_HEADER_* bounds."""

    status = 431
    default_message = "Request header fields are too large."


class Unauthenticated(PronunciationError):
    status = 401
    code = "pronunciation_unauthenticated"
    default_message = "Missing or invalid API key: send Authorization: Bearer <key>."


class Unavailable(PronunciationError):
    status = 503
    code = "pronunciation_unavailable"
    default_message = "Pronunciation dictionaries are temporarily unavailable."


class Busy(PronunciationError):
    """Every slot for this kind of work is taken: try again after ``retry_after`` seconds.

    SLNG answers ``rate_limit`` for too many concurrent connections; the exception handler adds
    ``Retry-After``.
    """

    status = 429
    code = "rate_limit"
    default_message = "Too many requests at once."

    def __init__(self, message: str | None = None, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PreconditionFailed(PronunciationError):
    """``If-Match`` named a state that is no longer current: someone else changed the dictionary."""

    status = 412
    code = "pronunciation_precondition_failed"

    def __init__(self, name: str, current_etag: str) -> None:
        super().__init__(
            f"Pronunciation dictionary {name} has changed since you read it "
            f"(current ETag {current_etag}); reload it and apply your change again."
        )


class Forbidden(PronunciationError):
    """The caller is known but its role (or being the change's author) does not allow this."""

    status = 403
    code = "pronunciation_forbidden"
    default_message = "Your role does not allow this request."


class BadHost(InvalidDictionary):
    """The Host header names no host in ALLOWED_HOSTS (Django's DisallowedHost)."""

    default_message = "Invalid Host header: this server does not answer for that host."


class DictionaryLimitReached(InvalidDictionary):
    """The organization holds LEXICON_MAX_DICTIONARIES live dictionaries (issue 22)."""

    def __init__(self, limit: int) -> None:
        message = f"the organization has {limit} dictionaries, the most it may have"
        super().__init__(
            f"Too many pronunciation dictionaries: the limit is {limit} per organization "
            "(LEXICON_MAX_DICTIONARIES); delete one first.",
            field_errors={"name": [message]},
        )


class IdempotencyKeyReused(PronunciationError):
    """An ``Idempotency-Key`` sent again with another request (method, path or body): 422, as
    the IETF draft "The Idempotency-Key HTTP Header Field" advises."""

    status = 422
    code = "pronunciation_idempotency_key_reused"
    default_message = (
        "This Idempotency-Key was used for a different request in the last 24 hours; send a new "
        "key for a new request."
    )


class IdempotencyKeyInProgress(PronunciationError):
    """The first request with this ``Idempotency-Key`` is still running: 409, as the draft
    advises; retry after it ends to get its answer."""

    status = 409
    code = "pronunciation_conflict"
    default_message = (
        "A request with this Idempotency-Key is still being processed; retry shortly to get "
        "its answer."
    )

"""``Idempotency-Key`` on every POST of the API: a retry gets the first answer, not a second write.

Following the IETF draft "The Idempotency-Key HTTP Header Field": the key (a structured-field
string, quoted or not, of at most 255 visible ASCII characters) is kept per organization for a
day with a fingerprint of the request (method, path, query, content type and body) and, once the
request succeeded, its answer (status, Content-Type, Location, ETag and body). Then:

- the same key with the same request gets the first answer again, marked
  ``Idempotent-Replayed: true``, and nothing runs twice;
- the same key with another request is refused 422 ``pronunciation_idempotency_key_reused``;
- the same key while the first request still runs is refused 409 ``pronunciation_conflict``
  (retry after it to get its answer);
- a refused or failed first request keeps nothing (it changed nothing): a retry runs again.

Expired keys are purged lazily (an organization's, whenever it sends a key) and by the
``purge_idempotency_keys`` command. ``idempotent`` decorates every POST handler of the API;
tests/orgs/test_idempotency.py checks that none is missing.
"""

import functools
import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import IdempotencyKeyInProgress, IdempotencyKeyReused
from core.parameters import ParameterError
from orgs.actors import Actor
from orgs.authentication import caller_key
from orgs.models import IdempotencyKey, Organization
from orgs.scoping import restrict

# Lexicon reading on its own account (orgs.scoping: every organization).
IDEMPOTENCY = Actor.system("idempotency keys")

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEPT_FOR = timedelta(hours=24)
# A first request that never finished (its worker killed) frees its key after this long.
ABANDONED_AFTER = timedelta(minutes=10)
_KEPT_HEADERS = ("Content-Type", "Location", "ETag")
_KEY_RE = re.compile(r'"?([\x21\x23-\x7e]{1,255})"?')

Handler = TypeVar("Handler", bound=Callable[..., HttpResponseBase])


def idempotent(handler: Handler) -> Handler:
    """Make a POST handler honour ``Idempotency-Key`` (see the module's docstring)."""

    @functools.wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        raw = request.headers.get(HEADER)
        if raw is None:
            return handler(view, request, *args, **kwargs)
        key = validate_key(raw)
        organization = caller_key(request).organization
        fingerprint = request_fingerprint(request)
        earlier = _claim(organization, key, fingerprint)
        if earlier is not None:
            return _replay(earlier, fingerprint)
        try:
            response = handler(view, request, *args, **kwargs)
        except BaseException:
            _release(organization, key)
            raise
        _keep(organization, key, response)
        return response

    wrapper.idempotent = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def validate_key(raw: str) -> str:
    match = _KEY_RE.fullmatch(raw.strip())
    if match is None or raw.strip().count('"') not in (0, 2):
        raise ParameterError(
            {HEADER: [f"must be 1 to {MAX_KEY_LENGTH} visible ASCII characters, e.g. a UUID"]}
        )
    return match.group(1)


def request_fingerprint(request: Request) -> str:
    """What makes two requests the same: method, path, query, content type and body."""
    try:
        body = request._request.body
    except RawPostDataException:  # read already by a parser: its parsed form stands in
        body = repr(request.data).encode()
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.META.get("QUERY_STRING", "")):
        digest.update(str(part).encode() + b"\0")
    digest.update(request.content_type.encode() + b"\0" + body)
    return digest.hexdigest()


def _claim(organization: Organization, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Record the key as in progress; the earlier record instead when there is one."""
    now = timezone.now()
    purge(organization=organization, now=now)
    restrict(IdempotencyKey, IDEMPOTENCY).filter(
        organization=organization, key=key, status=None, created_at__lt=now - ABANDONED_AFTER
    ).delete()
    for _ in range(2):  # the earlier one may expire or be released between the two queries
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(
                    organization=organization, key=key, fingerprint=fingerprint
                )
            return None
        except IntegrityError:
            found = (
                restrict(IdempotencyKey, IDEMPOTENCY)
                .filter(organization=organization, key=key)
                .first()
            )
            if found is not None:
                return found
    raise IdempotencyKeyInProgress()


def _replay(earlier: IdempotencyKey, fingerprint: str) -> HttpResponse:
    if earlier.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    if earlier.status is None:
        raise IdempotencyKeyInProgress()
    response = HttpResponse(bytes(earlier.body), status=earlier.status)
    for name, value in earlier.headers.items():
        response[name] = value
    response[REPLAYED] = "true"
    return response


def _keep(organization: Organization, key: str, response: HttpResponseBase) -> None:
    """Keep a successful answer for retries; free the key of any other."""
    if response.status_code >= 400 or isinstance(response, StreamingHttpResponse):
        _release(organization, key)
        return
    kept = [name for name in _KEPT_HEADERS if response.has_header(name)]
    if isinstance(response, Response):  # not rendered yet (nor its Content-Type): JSON
        body = JSONRenderer().render(response.data) if response.data is not None else b""
        kept = [name for name in kept if name != "Content-Type"]
        headers = {"Content-Type": "application/json"} if body else {}
    else:
        body, headers = getattr(response, "content", b""), {}
    headers |= {name: response[name] for name in kept}
    restrict(IdempotencyKey, IDEMPOTENCY).filter(organization=organization, key=key).update(
        status=response.status_code, headers=headers, body=body
    )


def _release(organization: Organization, key: str) -> None:
    restrict(IdempotencyKey, IDEMPOTENCY).filter(
        organization=organization, key=key, status=None
    ).delete()


def purge(*, organization: Organization | None = None, now: Any = None) -> int:
    """Delete keys older than KEPT_FOR (of one organization, or all); how many."""
    expired = restrict(IdempotencyKey, IDEMPOTENCY).filter(
        created_at__lt=(now or timezone.now()) - KEPT_FOR
    )
    if organization is not None:
        expired = expired.filter(organization=organization)
    return expired.delete()[0]

"""Bearer API key authentication: resolves ``Authorization: Bearer <key>`` to an organization."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from orgs import throttling
from orgs.key_cache import resolved_keys
from orgs.keys import key_matches, key_prefix
from orgs.models import APIKey, Organization, Role
from orgs.permissions import at_least


class KeyPrincipal:
    """The ``request.user`` of a key-authenticated request (there is no Django user)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, api_key: APIKey, rate_ident: str) -> None:
        self.api_key = api_key
        self.rate_ident = rate_ident  # names the key's request window (orgs.throttling)

    def __str__(self) -> str:
        return self.api_key.label


# A key is 56 ASCII characters; anything much longer is refused before it is split or decoded.
MAX_AUTHORIZATION_LENGTH = 256
# Compared against when no key has the prefix, so unknown and wrong keys cost the same work.
_NO_DIGEST = "0" * 64


class BearerKeyAuthentication(BaseAuthentication):
    """Authenticate with an organization API key; ``request.auth`` is the APIKey row.

    The key is always checked first: a valid key is served whatever failed before it from the
    same address. Only a failed check is counted, per client address and per presented key
    prefix; a failure over ``LEXICON_AUTH_FAILURE_LIMIT`` on either is answered 429 with
    Retry-After instead of 401 (a valid key does not reset the count: otherwise one valid key
    would let its holder keep guessing others).
    """

    keyword = "bearer"

    def authenticate(self, request: Request) -> tuple[KeyPrincipal, APIKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        plaintext = _bearer_key(header)
        try:
            if plaintext is None:
                raise exceptions.AuthenticationFailed("Malformed Authorization header.")
            api_key = self._resolve(plaintext)
        except exceptions.AuthenticationFailed:
            address = throttling.client_address(request)
            prefix = key_prefix(plaintext) if plaintext is not None else None
            blocked_for = throttling.auth_failure_record(address, prefix)
            if blocked_for is not None:
                raise exceptions.Throttled(wait=blocked_for) from None
            raise
        return KeyPrincipal(api_key, throttling.key_ident(plaintext)), api_key

    def authenticate_header(self, request: Request) -> str:
        # Without a challenge DRF turns 401s into 403s.
        return 'Bearer realm="lexicon"'

    def _resolve(self, plaintext: str) -> APIKey:
        prefix = key_prefix(plaintext)
        if prefix is None:
            raise exceptions.AuthenticationFailed("Malformed API key.")
        api_key = resolved_keys.get(prefix)
        cached = api_key is not None
        if api_key is None:
            read_at = resolved_keys.clock()
            api_key = _key_with_organization(prefix)
            if api_key is not None:
                resolved_keys.put(prefix, api_key, read_at)
        matches = key_matches(plaintext, api_key.digest if api_key else _NO_DIGEST)
        if cached and not matches:
            # A wrong secret for a prefix in the cache costs the read an unknown prefix costs,
            # so the time of a refusal does not tell whether the prefix exists (issue 22).
            _key_with_organization(prefix)
        if api_key is None or not matches:
            raise exceptions.AuthenticationFailed("Unknown API key.")
        if api_key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Revoked API key.")
        _touch(api_key)
        return api_key


def _bearer_key(header: object) -> str | None:
    """The key of ``Bearer <key>``, or None for anything else (too long, not ASCII, no scheme)."""
    if not isinstance(header, str) or len(header) > MAX_AUTHORIZATION_LENGTH:
        return None
    if not header.isascii():
        return None
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() != BearerKeyAuthentication.keyword:
        return None
    return parts[1]


def _key_sql() -> str:
    key, organization = APIKey._meta, Organization._meta
    columns = [f'k."{field.column}"' for field in key.concrete_fields]
    columns += [f'o."{column}" AS "org_{column}"' for column in _ORG_COLUMNS]
    return (
        f'SELECT {", ".join(columns)} FROM "{key.db_table}" k '  # noqa: S608 - model names
        f'JOIN "{organization.db_table}" o ON o."id" = k."organization_id" WHERE k."prefix" = %s'
    )


# Every API request resolves its key: one plain query for the key and its organization instead of
# the ORM's select_related, which here costs three times as long to compile as it takes to run.
_ORG_COLUMNS = ("public_id", "slug", "name", "review_required")
_KEY_SQL = _key_sql()


def _key_with_organization(prefix: str) -> APIKey | None:
    """The key by prefix, with its organization (all but ``created_at``, loaded if read)."""
    found = next(iter(APIKey.objects.raw(_KEY_SQL, [prefix])), None)
    if found is not None:
        values = [found.organization_id, *(getattr(found, f"org_{c}") for c in _ORG_COLUMNS)]
        found.organization = Organization.from_db(found._state.db, ["id", *_ORG_COLUMNS], values)
    return found


def _touch(api_key: APIKey) -> None:
    """Record use, at most once per resolution window, so most requests do no write."""
    now = timezone.now()
    window = timedelta(seconds=settings.LEXICON_KEY_LAST_USED_RESOLUTION_SECONDS)
    if api_key.last_used_at is None or now - api_key.last_used_at >= window:
        APIKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


class HasOrganization(BasePermission):
    """Allow only requests authenticated by an organization API key."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, APIKey)


def minimum_role(view: Any, method: str) -> str:
    """The role a key needs for ``method`` on ``view``: the view's ``key_roles`` entry, else
    viewer to read and editor to write."""
    default = Role.VIEWER if method in SAFE_METHODS else Role.EDITOR
    return str(getattr(view, "key_roles", {}).get(method, default))


class KeyRoleAllows(BasePermission):
    """A key's role decides what it may do (viewer < editor < reviewer < admin): a refusal is
    DRF's PermissionDenied, which the exception handler answers as 403
    ``pronunciation_forbidden``. A view that writes nothing on POST (a preview) or needs more
    (approving) says so in ``key_roles``; one whose POST writes nothing only for some requests
    (an import's dry run) answers ``writes_nothing(request)``, and a viewer may send those."""

    message = "This API key's role does not allow this request."

    def has_permission(self, request: Request, view: Any) -> bool:
        api_key = request.auth
        if not isinstance(api_key, APIKey):
            return False
        minimum = minimum_role(view, request.method or "GET")
        if at_least(api_key.role, minimum):
            return True
        writes_nothing = getattr(view, "writes_nothing", None)
        if writes_nothing is not None and writes_nothing(request):
            return at_least(api_key.role, Role.VIEWER)
        self.message = role_refusal(api_key.role, minimum)
        return False


def role_refusal(role: str, minimum: str) -> str:
    """What a key with ``role`` is told when a request needs ``minimum``."""
    return (
        f"This API key's role is {role}: this request needs the {minimum} role or above. An "
        "organization admin can issue a key with that role."
    )


def caller_key(request: Request) -> APIKey:
    """The API key that authenticated the request (views run only after HasOrganization)."""
    if not isinstance(request.auth, APIKey):
        raise exceptions.NotAuthenticated()
    return request.auth

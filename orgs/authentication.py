"""Bearer API key authentication: resolves ``Authorization: Bearer <key>`` to an organization."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from orgs.keys import key_matches, key_prefix
from orgs.models import APIKey


class KeyPrincipal:
    """The ``request.user`` of a key-authenticated request (there is no Django user)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, api_key: APIKey) -> None:
        self.api_key = api_key

    def __str__(self) -> str:
        return self.api_key.label


class BearerKeyAuthentication(BaseAuthentication):
    """Authenticate with an organization API key; ``request.auth`` is the APIKey row."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[KeyPrincipal, APIKey] | None:
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != self.keyword or len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        try:
            plaintext = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Malformed API key.") from exc
        api_key = self._resolve(plaintext)
        return KeyPrincipal(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        # Without a challenge DRF turns 401s into 403s.
        return 'Bearer realm="lexicon"'

    def _resolve(self, plaintext: str) -> APIKey:
        prefix = key_prefix(plaintext)
        if prefix is None:
            raise exceptions.AuthenticationFailed("Malformed API key.")
        api_key = APIKey.objects.select_related("organization").filter(prefix=prefix).first()
        if api_key is None or not key_matches(plaintext, api_key.digest):
            raise exceptions.AuthenticationFailed("Unknown API key.")
        if api_key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Revoked API key.")
        _touch(api_key)
        return api_key


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


def caller_key(request: Request) -> APIKey:
    """The API key that authenticated the request (views run only after HasOrganization)."""
    if not isinstance(request.auth, APIKey):
        raise exceptions.NotAuthenticated()
    return request.auth

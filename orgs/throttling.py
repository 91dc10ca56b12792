"""Rate limits per API key: ``LEXICON_RATE_LIMIT`` requests per key (e.g. "1200/min")."""

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from orgs.models import APIKey


class APIKeyRateThrottle(SimpleRateThrottle):
    """Counts requests per key prefix in the cache; over the limit DRF raises Throttled (429)."""

    scope = "api_key"

    def get_rate(self) -> str | None:
        return settings.LEXICON_RATE_LIMIT or None

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, APIKey):
            return None  # unauthenticated requests are refused before they cost anything
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}

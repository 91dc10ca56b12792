"""Rate limits counted exactly: fixed windows with an atomic counter in the default cache.

Two limits use it. ``LEXICON_RATE_LIMIT`` counts the requests of each API key
(``APIKeyRateThrottle``); ``LEXICON_AUTH_FAILURE_LIMIT`` counts failed authentications per
client address and per presented key prefix (``auth_failure_record``, called by the Bearer
authentication only once a key check failed), so guessing keys is not free and a valid key is
never refused because of someone else's failures.

A window opens at its first request and lasts the rate's period; every request increments the
window's counter atomically, so under any concurrency exactly ``limit`` requests of a window are
let through. On Django's RedisCache one transaction (``SET NX EX``, ``INCR``, ``PTTL``) does it
in one round trip. Django's own ``cache.incr`` is ``EXISTS`` then ``INCR``: a key expiring in
between would be recreated by ``INCR`` without an expiry and block its key for good. Other
backends (locmem in tests and local runs, atomic within one process) use ``cache.add`` then
``cache.incr``.

The cache failing (Redis down) must not fail requests: counting is skipped (fail open) and a
warning is logged, at most once a minute per process.
"""

import hashlib
import ipaddress
import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_KEY_WINDOW = "lexicon:rate:key:"
_FAILURE_WINDOW = "lexicon:rate:authfail:"
_FAILURE_PREFIX_WINDOW = "lexicon:rate:authfail-prefix:"


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


@lru_cache(maxsize=16)
def rate_parse(text: str) -> Rate | None:
    """``"<n>/<second|minute|hour|day>"`` (DRF's format, e.g. "1200/min"); empty means no limit."""
    if not text.strip():
        return None
    count, _, period = text.strip().partition("/")
    seconds = _PERIODS.get(period.strip()[:1].lower())
    if not count.strip().isdecimal() or seconds is None or int(count) < 1:
        raise ImproperlyConfigured(f"rate {text!r} is not '<n>/<second|minute|hour|day>'")
    return Rate(limit=int(count), seconds=seconds)


@checks.register(checks.Tags.security)
def rate_settings_check(app_configs: Any = None, **_: Any) -> list[checks.CheckMessage]:
    """Fail ``manage.py check`` (and ``migrate``) on a rate, proxy count or key cache period
    that cannot work."""
    errors: list[checks.CheckMessage] = []
    for name in ("LEXICON_RATE_LIMIT", "LEXICON_AUTH_FAILURE_LIMIT"):
        try:
            rate_parse(getattr(settings, name))
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(f"{name}: {exc}", id="orgs.E001"))
    if settings.LEXICON_TRUSTED_PROXIES < 0:
        errors.append(checks.Error("LEXICON_TRUSTED_PROXIES must be 0 or more", id="orgs.E002"))
    if not 0 <= settings.LEXICON_KEY_CACHE_SECONDS <= 1:
        # The promise: a revoked key stops working everywhere within one second.
        errors.append(checks.Error("LEXICON_KEY_CACHE_SECONDS must be 0 to 1", id="orgs.E003"))
    return errors


@dataclass(frozen=True)
class Count:
    """A window's count after (or without) this request, and whole seconds until it ends."""

    value: int
    retry_after: int


class _FailOpen:
    """Logs that the cache is unavailable, at most once per ``every`` seconds per process."""

    def __init__(self, every: float = 60.0) -> None:
        self.every = every
        self.last = -math.inf
        self.lock = threading.Lock()

    def __call__(self, exc: Exception) -> None:
        with self.lock:
            now = time.monotonic()
            if now - self.last < self.every:
                return
            self.last = now
        logger.warning(
            "rate limit cache unavailable (%s): requests are let through uncounted",
            type(exc).__name__,
        )


_cache_unavailable = _FailOpen()
# What a failing cache raises: redis-py's errors, or the socket's own.
_CACHE_ERRORS = (RedisError, OSError)


def _seconds(milliseconds: int, default: int) -> int:
    return max(1, math.ceil(milliseconds / 1000)) if milliseconds > 0 else default


def _redis(cache: RedisCache, key: str, *, write: bool) -> Any:
    """The redis-py client behind Django's RedisCache (its pool, its options)."""
    return cache._cache.get_client(key, write=write)  # type: ignore[attr-defined]


def window_hit(name: str, seconds: int) -> Count | None:
    """Count one request in window ``name`` (opened for ``seconds``); None if the cache fails."""
    cache = caches["default"]
    try:
        if isinstance(cache, RedisCache):
            key = cache.make_and_validate_key(name)
            pipe = _redis(cache, key, write=True).pipeline(transaction=True)
            pipe.set(key, 0, ex=seconds, nx=True)
            pipe.incr(key)
            pipe.pttl(key)
            _, value, milliseconds = pipe.execute()
            return Count(int(value), _seconds(int(milliseconds), seconds))
        return _generic_hit(name, seconds)
    except _CACHE_ERRORS as exc:
        _cache_unavailable(exc)
        return None


def window_peek(name: str) -> Count | None:
    """The window's count without counting (0 when no window is open); None if the cache fails."""
    cache = caches["default"]
    try:
        if isinstance(cache, RedisCache):
            key = cache.make_and_validate_key(name)
            pipe = _redis(cache, key, write=False).pipeline(transaction=False)
            pipe.get(key)
            pipe.pttl(key)
            value, milliseconds = pipe.execute()
            return Count(int(value or 0), _seconds(int(milliseconds), 1))
        value = cache.get(name, 0)
        return Count(int(value), _generic_retry_after(name, 1) if value else 1)
    except _CACHE_ERRORS as exc:
        _cache_unavailable(exc)
        return None


def _generic_hit(name: str, seconds: int) -> Count:
    cache = caches["default"]
    for _ in range(3):
        if cache.add(name, 0, timeout=seconds):
            cache.set(f"{name}:ends", time.time() + seconds, timeout=seconds)
        try:
            value = cache.incr(name)
        except ValueError:  # the window ended between add and incr: open the next one
            continue
        return Count(int(value), _generic_retry_after(name, seconds))
    return Count(1, seconds)  # not reached with a working cache; never refuse on our account


def _generic_retry_after(name: str, default: int) -> int:
    ends = caches["default"].get(f"{name}:ends")
    return _seconds(int((ends - time.time()) * 1000), default) if ends else default


def key_ident(plaintext: str) -> str:
    """The name of a key's request window: a hash of the whole key, so only its holder opens it."""
    return hashlib.sha256(b"lexicon-rate:" + plaintext.encode()).hexdigest()


class APIKeyRateThrottle(BaseThrottle):
    """``LEXICON_RATE_LIMIT`` requests per key and window; beyond, 429 with ``Retry-After``."""

    def __init__(self) -> None:
        self.retry_after: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        rate = rate_parse(settings.LEXICON_RATE_LIMIT)
        ident = getattr(request.user, "rate_ident", None)
        if rate is None or ident is None:
            return True  # unauthenticated requests are refused before they cost anything
        count = window_hit(_KEY_WINDOW + ident, rate.seconds)
        if count is None:
            return True
        self.retry_after = count.retry_after
        request._request.rate_limit_headers = rate_limit_headers(rate, count)  # type: ignore[attr-defined]
        return count.value <= rate.limit

    def wait(self) -> float | None:
        return self.retry_after


RATE_LIMIT_POLICY = "key"


def rate_limit_headers(rate: Rate, count: Count) -> dict[str, str]:
    """The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) of a key's
    window: the policy (``q`` requests per ``w`` seconds) and what is left of it (``r``
    requests for the next ``t`` seconds); config.middleware adds them to the answer."""
    remaining = max(0, rate.limit - count.value)
    return {
        "RateLimit-Policy": f'"{RATE_LIMIT_POLICY}";q={rate.limit};w={rate.seconds}',
        "RateLimit": f'"{RATE_LIMIT_POLICY}";r={remaining};t={count.retry_after}',
    }


def auth_failure_record(address: str, prefix: str | None) -> int | None:
    """Count one failed authentication against the client address and, for a well-formed key,
    against its prefix; the seconds to wait when either is now over its limit, else None.

    Called only after the key check failed, so a valid key is never refused on account of
    others' failures; a failure over the limit is answered 429 instead of 401. Counting by
    prefix too throttles guesses at one key's secret spread over many addresses.
    """
    rate = rate_parse(settings.LEXICON_AUTH_FAILURE_LIMIT)
    if rate is None:
        return None
    windows = [_FAILURE_WINDOW + address]
    if prefix is not None:
        windows.append(_FAILURE_PREFIX_WINDOW + prefix)
    waits = [
        count.retry_after
        for count in (window_hit(name, rate.seconds) for name in windows)
        if count is not None and count.value > rate.limit
    ]
    return max(waits) if waits else None


def client_address(request: HttpRequest) -> str:
    """The address failures are counted against (behind a proxy, set LEXICON_TRUSTED_PROXIES).

    ``REMOTE_ADDR`` unless ``LEXICON_TRUSTED_PROXIES`` (the number of proxies in front of the
    service, each appending to ``X-Forwarded-For``) is set: then the rightmost hop not added by
    those proxies. Anything left of it is the client's to forge, so it is never read. IPv6
    addresses count by their /64 network, which one client usually holds whole.
    """
    address = _client_hop(request)
    parsed = _parsed(address)
    if parsed is None:
        return "unparsed:" + hashlib.sha256(address.encode()).hexdigest()[:32]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as django-axes records it (the admin login's lockout): the same
    hop as ``client_address``, one address (None when it is not one)."""
    parsed = _parsed(_client_hop(request))
    return None if parsed is None else str(parsed)


def _client_hop(request: HttpRequest) -> str:
    meta = request.META  # once: through DRF's Request each attribute read is a proxy call
    address = str(meta.get("REMOTE_ADDR", ""))
    proxies = settings.LEXICON_TRUSTED_PROXIES
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = forwarded.rsplit(",", proxies)  # the rightmost hops only, whatever the length
        address = hops[-min(proxies, len(hops))].strip() or address
    return address


def _parsed(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        try:  # "1.2.3.4:5678" or "[2001:db8::1]:443", as some proxies write them
            return ipaddress.ip_address(text.rsplit(":", 1)[0].strip("[]"))
        except ValueError:
            return None

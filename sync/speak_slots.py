"""Listen's slots: how many Listen calls may wait on a TTS at once, per process, tier and org.

Three bounds, each refused at once (never queued) with 429 ``rate_limit`` and ``Retry-After``:

- ``LEXICON_SPEAK_PROCESS_SLOTS`` in one web process (its threads, under gthread workers);
- ``LEXICON_SPEAK_SLOTS`` across every web process sharing the default cache (Redis in
  production): kept below the number of web workers, a TTS that never answers leaves the other
  workers free for everything else (gunicorn's sync workers serve one request each);
- ``LEXICON_SPEAK_ORGANIZATION_SLOTS`` per organization across those processes, so one
  organization cannot take every slot.

A shared slot is a cache key taken with ``add`` (``SET NX EX`` on Redis) and given back by its
holder only (a token compared before the delete). Its lease outlives a Listen call's deadline,
so a slot of a killed worker frees itself. A cache that fails is logged and skipped: the
per-process bound still holds.
"""

import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from pronunciations.errors import Busy

logger = logging.getLogger(__name__)
_PREFIX = "lexicon:speak-slot:"
_CACHE_ERRORS = (RedisError, OSError)
# Deletes a slot only while it still holds this call's token (never another call's slot).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"


class ListenBusy(Busy):
    """Every Listen slot of the web tier, this process or the organization is taken."""


class _ProcessSlots:
    """A counter under a lock: the setting is read on each call (tests change it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_use = 0

    def take(self, limit: int) -> bool:
        with self._lock:
            if self._in_use >= limit:
                return False
            self._in_use += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self._in_use -= 1


_process = _ProcessSlots()


def lease_seconds() -> int:
    """How long a shared slot is held at most: well past one Listen call's deadline."""
    return int(settings.LEXICON_SPEAK_TIMEOUT_SECONDS) + 30


def retry_after_seconds() -> int:
    """What a refused caller is told to wait: about one Listen call."""
    return max(1, int(settings.LEXICON_SPEAK_TIMEOUT_SECONDS))


@contextmanager
def speak_slot(organization_id: int) -> Iterator[None]:
    """Hold one Listen slot of this process, the web tier and the organization while the body
    runs; raises ListenBusy at once when any of them is full."""
    if not _process.take(settings.LEXICON_SPEAK_PROCESS_SLOTS):
        raise ListenBusy(_refusal("this web process"), retry_after=retry_after_seconds())
    held: list[tuple[str, str]] = []
    try:
        for scope, limit, what in (
            ("tier", settings.LEXICON_SPEAK_SLOTS, "the service"),
            (f"org:{organization_id}", settings.LEXICON_SPEAK_ORGANIZATION_SLOTS, "your org"),
        ):
            slot = _shared_take(scope, limit)
            if slot is None:
                raise ListenBusy(_refusal(what), retry_after=retry_after_seconds())
            if slot:
                held.append(slot)
        yield
    finally:
        for key, token in held:
            _shared_give_back(key, token)
        _process.give_back()


def _refusal(what: str) -> str:
    return (
        f"Every Listen slot of {what} is in use (a text-to-speech call is still running); "
        "try again in a moment."
    )


def _shared_take(scope: str, limit: int) -> tuple[str, str] | tuple[()] | None:
    """A free slot ``(key, token)`` of ``scope``, None when all ``limit`` are taken, or ``()``
    when the cache failed (the call goes ahead, bounded by its process only)."""
    cache = caches["default"]
    token = secrets.token_hex(8)
    try:
        for index in range(limit):
            key = f"{_PREFIX}{scope}:{index}"
            if cache.add(key, token, timeout=lease_seconds()):
                return key, token
    except _CACHE_ERRORS as exc:
        logger.warning("Listen slots: cache unavailable (%s), counted per process", type(exc))
        return ()
    return None


def _shared_give_back(key: str, token: str) -> None:
    cache = caches["default"]
    try:
        if isinstance(cache, RedisCache):
            name = cache.make_and_validate_key(key)
            client = cache._cache.get_client(name, write=True)  # type: ignore[attr-defined]
            # Django's RedisCache pickles values; compare with the stored form.
            stored = cache._cache._serializer.dumps(token)  # type: ignore[attr-defined]
            client.eval(_RELEASE, 1, name, stored)
        elif cache.get(key) == token:
            cache.delete(key)
    except _CACHE_ERRORS as exc:
        logger.warning("Listen slots: cache unavailable (%s), slot left to expire", type(exc))

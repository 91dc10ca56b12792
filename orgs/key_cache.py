"""API keys resolved in the last LEXICON_KEY_CACHE_SECONDS, kept per process.

Every API request resolves its key. Reading it from PostgreSQL each time was the largest cost of
a cached get (bench/load.py under py-spy: the key's query, with the connection check it
triggered, took 47 % of a web worker's time), so each process keeps what it read for at most
``LEXICON_KEY_CACHE_SECONDS`` (1 s, never more): a key revoked, deleted or given another role
is treated so in every process within that time, and a revoked one at once in the process that
revoked it (``orgs.services.api_key_revoke`` forgets it). The age of an entry counts from before
its query started, so the bound holds whatever the query took. Only rows that exist are kept (at
most ``MAX_KEYS``, oldest out): a guessed prefix always costs its lookup. The organization's
columns read with the key (name, slug, review_required) are as old as the entry; writes decide
review from the database itself (pronunciations.store), not from them.
"""

import threading
import time
from collections import OrderedDict

from django.conf import settings

from orgs.models import APIKey

MAX_KEYS = 4096


class ResolvedKeys:
    """A thread-safe map of key prefix -> (monotonic time its read began, the key row)."""

    def __init__(self) -> None:
        self.clock = time.monotonic  # one clock for an entry's age (tests may stop it)
        self._entries: OrderedDict[str, tuple[float, APIKey]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, prefix: str) -> APIKey | None:
        """The key read for ``prefix`` less than LEXICON_KEY_CACHE_SECONDS ago, else None."""
        with self._lock:
            entry = self._entries.get(prefix)
        if entry is None:
            return None
        read_at, api_key = entry
        if self.clock() - read_at >= settings.LEXICON_KEY_CACHE_SECONDS:
            return None
        return api_key

    def put(self, prefix: str, api_key: APIKey, read_at: float) -> None:
        if settings.LEXICON_KEY_CACHE_SECONDS <= 0:
            return
        with self._lock:
            self._entries[prefix] = (read_at, api_key)
            self._entries.move_to_end(prefix)
            while len(self._entries) > MAX_KEYS:
                self._entries.popitem(last=False)

    def forget(self, prefix: str) -> None:
        with self._lock:
            self._entries.pop(prefix, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


resolved_keys = ResolvedKeys()

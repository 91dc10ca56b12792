"""Rendered JSON bodies of dictionaries for GET and list, cached per process by version.

A dictionary's body changes only with its revision (every write bumps it), so the body is cached
under ``(public_id, revision)``. Each read first asks the database which version is current, by
one small indexed query (a prepared statement, config.postgresql), so a cached body is never
stale: it is only reused while it is still the current version. Bodies missing from the cache are
rendered from the current revision's snapshot and kept, least recently used first out, up to
``LEXICON_RESPONSE_CACHE_BYTES`` per process. The whole list body is kept too, under the
organization and every version it holds, so a list of unchanged dictionaries is one lookup, not
a fresh join of every body (567 KB per request in bench/load.py, which cost more than sending it).
"""

import functools
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from datetime import datetime

from django.conf import settings
from django.db import connection
from rest_framework.renderers import JSONRenderer

from config import heartbeat
from orgs.models import Organization
from pronunciations import selectors
from pronunciations.api.serializers import DictionaryOutput
from pronunciations.errors import DictionaryNotFound
from pronunciations.models import Dictionary
from pronunciations.validation import normalize_name

Version = tuple[str, int]


class BodyCache:
    """A thread-safe LRU map of version -> (body, ETag), bounded by the bytes of the bodies.

    A version is ``(public_id, revision)`` for one dictionary, or ``("list", organization id,
    versions)`` for a list body (its ETag is empty).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[bytes, str]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, version: Hashable) -> tuple[bytes, str] | None:
        with self._lock:
            entry = self._entries.get(version)
            if entry is not None:
                self._entries.move_to_end(version)
            return entry

    def put(self, version: Hashable, body: bytes, etag: str) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(version, None)
            if previous is not None:
                self._bytes -= len(previous[0])
            self._entries[version] = (body, etag)
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _, (evicted, _) = self._entries.popitem(last=False)
                self._bytes -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


cache = BodyCache(settings.LEXICON_RESPONSE_CACHE_BYTES)
_renderer = JSONRenderer()
_ORDER = ' ORDER BY "normalized_name", "name"'


@functools.cache
def _versions_sql() -> str:
    """selectors.dictionary_live's query for ``(public_id, revision)``, compiled once: the ORM
    would spend longer compiling it per request than the database spends running it."""
    probe = selectors.dictionary_live(organization=Organization(pk=0))
    sql, params = probe.values_list("public_id", "revision").order_by().query.sql_with_params()
    if list(params) != [0]:  # the selector gained a parameter this cache does not pass
        raise RuntimeError(f"unexpected parameters of the live-dictionaries query: {params}")
    return sql


def _versions(organization: Organization, name: str | None = None) -> list[Version]:
    """Current ``(public_id, revision)`` of the organization's live dictionaries, by name.

    A prepared statement on PostgreSQL (config.postgresql): it runs on every get and list.
    """
    prepared = getattr(connection, "prepared_cursor", connection.cursor)
    with prepared() as cursor:
        if name is None:
            cursor.execute(_versions_sql() + _ORDER, [organization.pk])
        else:
            cursor.execute(
                _versions_sql() + ' AND "normalized_name" = %s',
                [organization.pk, normalize_name(name)],
            )
        return [(public_id, revision) for public_id, revision in cursor.fetchall()]


def _since(organization: Organization, since: datetime) -> list[Version]:
    """Current ``(public_id, revision)`` of the live dictionaries changed at or after ``since``."""
    rows = (
        selectors.dictionary_live(organization=organization)
        .filter(updated_at__gte=since)
        .order_by("normalized_name", "name")
        .values_list("public_id", "revision")
    )
    return list(rows)


def list_etag(versions: list[Version], *extra: object) -> str:
    """The weak ETag of a list answer: a hash over the ``(public_id, revision)`` it lists (and
    ``extra``, a page's next cursor), so it changes whenever a listed dictionary does, or one
    joins or leaves the list. Weak: it names the listed versions, not the body's bytes."""
    digest = hashlib.sha256(json.dumps([versions, *extra]).encode()).hexdigest()[:32]
    return f'W/"l-{digest}"'


def _remember(dictionary: Dictionary) -> tuple[bytes, str]:
    body = _renderer.render(DictionaryOutput(dictionary).data)
    cache.put((dictionary.public_id, dictionary.revision), body, dictionary.etag)
    return body, dictionary.etag


def dictionary_body(*, organization: Organization, name: str) -> tuple[bytes, str]:
    """The JSON body and ETag of the organization's live dictionary; raises DictionaryNotFound."""
    versions = _versions(organization, name)
    if not versions:
        raise DictionaryNotFound(name)
    cached = cache.get(versions[0])
    if cached is not None:
        return cached
    return _remember(selectors.dictionary_get_for_response(organization=organization, name=name))


# A list of more dictionaries than this streams, a batch at a time, instead of being joined in
# memory (issue 22: 3,000 dictionaries made a 47 MB body and a 512 MB worker).
STREAM_AFTER = 200
_STREAM_BATCH = 50


def _bodies(organization: Organization, versions: list[Version]) -> list[bytes]:
    """The bodies of ``versions`` in their order, from the cache or rendered (one query for
    the missing ones). A dictionary deleted between the two queries is left out, as if listed a
    moment later."""
    bodies: dict[str, bytes] = {}
    missing: list[str] = []
    for version in versions:
        part = cache.get(version)
        if part is None:
            missing.append(version[0])
        else:
            bodies[version[0]] = part[0]
    if missing:
        loaded = selectors.dictionary_list_for_response(organization=organization).filter(
            public_id__in=missing
        )
        for dictionary in loaded:
            bodies[dictionary.public_id] = _remember(dictionary)[0]
    return [bodies[public_id] for public_id, _ in versions if public_id in bodies]


ListBody = bytes | Iterator[bytes]


def dictionary_list_body(
    *, organization: Organization, since: datetime | None = None
) -> tuple[ListBody, str]:
    """The JSON body of the list and its ETag: every live dictionary of the organization (changed
    at or after ``since``, when given), ordered by name; past STREAM_AFTER dictionaries, an
    iterator of its parts (SLNG's shape all the same)."""
    versions = _versions(organization) if since is None else _since(organization, since)
    etag = list_etag(versions)
    whole = ("list", organization.pk, tuple(versions))
    if (cached := cache.get(whole)) is not None:
        return cached[0], etag
    if len(versions) > STREAM_AFTER:
        return _stream(organization, versions), etag
    parts = _bodies(organization, versions)
    body = b'{"dictionaries":[' + b",".join(parts) + b"]}"
    if len(parts) == len(versions):  # not kept when one was deleted meanwhile
        cache.put(whole, body, "")
    return body, etag


def _stream(organization: Organization, versions: list[Version]) -> Iterator[bytes]:
    yield b'{"dictionaries":['
    first = True
    for start in range(0, len(versions), _STREAM_BATCH):
        heartbeat.beat()  # a long list must not be cut by gunicorn's worker timeout
        for part in _bodies(organization, versions[start : start + _STREAM_BATCH]):
            yield part if first else b"," + part
            first = False
    yield b"]}"


def dictionary_page_body(
    *, organization: Organization, limit: int, cursor: str, since: datetime | None = None
) -> tuple[bytes, str]:
    """One page of the list (Lexicon's opt-in extension) and its ETag: at most ``limit``
    dictionaries (changed at or after ``since``, when given) whose normalized names come after
    ``cursor`` (empty: from the first), and ``next_cursor``, the cursor of the next page (null on
    the last)."""
    live = selectors.dictionary_live(organization=organization).filter(normalized_name__gt=cursor)
    if since is not None:
        live = live.filter(updated_at__gte=since)
    rows = list(
        live.order_by("normalized_name", "name").values_list(
            "public_id", "revision", "normalized_name"
        )[:limit]
    )
    versions = [(public_id, revision) for public_id, revision, _ in rows]
    parts = _bodies(organization, versions)
    next_cursor = rows[-1][2] if len(rows) == limit else None
    body = (
        b'{"dictionaries":['
        + b",".join(parts)
        + b'],"next_cursor":'
        + json.dumps(next_cursor).encode()
        + b"}"
    )
    return body, list_etag(versions, next_cursor)

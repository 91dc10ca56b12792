"""Django's PostgreSQL backend, with the two things the hot reads need from it.

**A health check that costs no round trip when it can.** With ``CONN_HEALTH_CHECKS`` Django
checks a reused connection once per request with ``SELECT 1``: on a cached get that was one of
three round trips and 30 % of a web worker's time under load (bench/load.py, py-spy). A
connection that PostgreSQL ended (a restart, a terminated backend, a crash) has something to read
on its socket: the server's error message or the end of the stream; an idle connection in
autocommit has nothing to read. So a quiet socket counts as healthy, and only a socket with input
pending gets Django's own ``SELECT 1`` check (which also consumes any harmless message the server
sent). A restarted database still costs no failed request (tests/test_reads_across_processes.py,
with ``pg_terminate_backend``).

**Prepared statements for the hot reads.** ``prepared_cursor()`` is Django's cursor (health
check, error wrapping, query logging) over a psycopg cursor that binds parameters server-side and
prepares each statement once per connection, so PostgreSQL does not parse and plan the same
query on every request. Only the reads that run on every get and list use it
(pronunciations.api.bodies); everything else keeps Django's client-side binding, which Django
chose so that transaction-mode poolers keep working. ``LEXICON_PREPARED_READS=false`` turns it
off behind such a pooler (PgBouncer before 1.21).
"""

import select
from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base, operations
from django.db.backends.utils import CursorWrapper
from django.utils.asyncio import async_unsafe


def _input_pending(connection: Any) -> bool:
    """True when the idle connection's socket is readable (or closed): the server spoke."""
    if connection.closed:
        return True
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


# Django turns psycopg's prepared statements off (prepare_threshold None, which also ignores an
# explicit prepare=True). A threshold no query reaches keeps psycopg from preparing any other
# statement by itself, while the hot reads ask for it.
_ONLY_WHEN_ASKED = 2**62


class _PreparingCursor(psycopg.Cursor[Any]):
    """Server-side binding, and each statement prepared on its first run on the connection."""

    def execute(self, query: Any, params: Any = None, **options: Any) -> "_PreparingCursor":
        options["prepare"] = True
        super().execute(query, params, **options)
        return self


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: str, params: Any) -> str:
        """What logged queries show (DEBUG, tests): a prepared run keeps no query text."""
        if isinstance(cursor, _PreparingCursor):
            return str(self.compose_sql(sql, params))
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def close_if_health_check_failed(self) -> None:
        state: Any = self  # Django's attributes that its type stubs do not list
        quiet = (
            state.connection is not None
            and state.health_check_enabled
            and not state.health_check_done
            and not state.pool
            and not _input_pending(state.connection)
        )
        if quiet:
            state.health_check_done = True
            return
        super().close_if_health_check_failed()

    @async_unsafe
    def prepared_cursor(self) -> CursorWrapper:
        """A cursor for a hot read: its statements are prepared once per connection."""
        if not settings.LEXICON_PREPARED_READS:
            return self.cursor()
        self.close_if_health_check_failed()
        self.ensure_connection()
        django: Any = base  # names of Django's module that its type stubs do not list
        state: Any = self
        with self.wrap_database_errors:
            if self.connection.prepare_threshold is None:
                self.connection.prepare_threshold = _ONLY_WHEN_ASKED
            cursor = _PreparingCursor(self.connection)
            # As Django's create_cursor: its time zone, when the connection's differs.
            loader = self.connection.adapters.get_loader(django.TIMESTAMPTZ_OID, django.Format.TEXT)
            if self.timezone != loader.timezone:
                django.register_tzloader(self.timezone, cursor)
            wrapper: CursorWrapper = state._prepare_cursor(cursor)
            return wrapper

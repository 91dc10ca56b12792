"""config.postgresql for the tests (config/settings/test.py): a flush that costs milliseconds.

A transactional test (``transactional_db``, ``django_db(transaction=True)``) ends with Django's
``flush``, which cost 270 ms on a quiet machine (0.4–1 s under the suite's own load) however few
rows the test wrote, in two parts:

- PostgreSQL's ``TRUNCATE`` of all 36 tables gives each a new file (140–190 ms); ``DELETE FROM``
  each took 2 ms. Django creates every foreign key ``DEFERRABLE INITIALLY DEFERRED`` and flush
  runs its statements in one transaction, so the order of the deletes does not matter.
- The ``post_migrate`` signal after the flush then created every content type and permission
  again, in about a hundred transactions. Those rows are kept: the signal finds them all and
  writes nothing, and the database is as a flush followed by the signal leaves it.

A flush that asks to reset sequences or to cascade keeps Django's own statements.
"""

from collections.abc import Sequence
from typing import Any

from config.postgresql import base

# What the post_migrate signal after every flush would write again, identical.
_REBUILT_AFTER_FLUSH = frozenset({"django_content_type", "auth_permission"})


class DatabaseOperations(base.DatabaseOperations):
    def sql_flush(
        self,
        style: Any,
        tables: Sequence[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if reset_sequences or allow_cascade:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
            if table not in _REBUILT_AFTER_FLUSH
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

"""The write path's bulk rows (``pronunciations.store``): rules and revisions inserted by
``COPY`` on PostgreSQL, by ``bulk_create`` on other databases. Inserts only: they read nothing.

A caller writing in batches (an import) can have each batch's revision and rule rows sent in
the background (``rows_in_background``): PostgreSQL writes them while the caller plans its next
batch, on the caller's own connection and so in its one transaction. They are finished, and
their error raised, before the connection's next statement.
"""

import contextvars
import csv
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from django.db import connection

from pronunciations import validation
from pronunciations.models import Revision, Rule
from pronunciations.validation import Modes


def _statement(model: type[Any], columns: Sequence[str]) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    return f"COPY {table} ({names}) FROM STDIN"  # noqa: S608 - our own names


Rows = Iterable[tuple[Any, ...]] | bytes  # tuples, or the rows as CSV already (``_csv``)
Encoded = Sequence[str | None]  # revisions' snapshot modes as JSON already, or None


def _copy_on(raw: Any, statement: str, rows: Rows) -> None:
    """One COPY on a psycopg connection (the caller's own, maybe from the background thread)."""
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        if isinstance(rows, bytes):
            copy.write(rows)
            return
        for row in rows:
            copy.write_row(row)


def _csv(rows: Iterable[tuple[Any, ...]]) -> bytes:
    """Rows of text, numbers and booleans as the body of a ``COPY … (FORMAT csv)``, written by
    the csv module's C loop: the background thread then only sends bytes, instead of taking
    the interpreter's lock for each row while the caller plans its next batch. Every field is
    quoted, so an empty text stays empty (unquoted, CSV reads it as NULL)."""
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def _copies_on(raw: Any, copies: list[tuple[str, Rows]]) -> None:
    for statement, rows in copies:
        _copy_on(raw, statement, rows)


def _copy(model: type[Any], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    finish_background()
    connection.ensure_connection()
    _copy_on(connection.connection, _statement(model, columns), rows)


# The rule rows' columns, in the order _rule_rows yields and rules_template writes them.
RULE_COLUMNS = ("dictionary_id", "mode", "position", "match", "value", "key", "disabled")


def _rule_rows(
    pairs: Iterable[tuple[int, Modes]],
) -> Iterable[tuple[int, str, int, str, str, str, bool]]:
    for pk, modes in pairs:
        for mode, specs in modes.items():
            name = str(mode.value)  # the plain text, looked up once a mode
            for i, spec in enumerate(specs):
                key = spec.key or validation.match_key(spec.match)
                yield pk, name, i, spec.match, spec.value, key, spec.disabled


ID = "\x00"  # a dictionary's id in its rule rows' template (no stored text holds a NUL)


def rules_template(modes: Modes) -> str:
    """A dictionary's rule rows as the lines of a ``COPY … (FORMAT csv)``, with ``ID`` for its
    id, so that they can be written before the id is known (an import writes them while the
    batch before is being sent); "" when a text holds a quote or a NUL (the csv module then
    writes those rows, with the id). About four times faster than the csv module: each line
    written whole, its texts quoted."""
    lines = []
    count = 0
    for mode, specs in modes.items():
        head = f"{ID},{mode.value},"
        for i, spec in enumerate(specs):
            key = spec.key or validation.match_key(spec.match)
            disabled = "t" if spec.disabled else "f"
            lines.append(f'{head}{i},"{spec.match}","{spec.value}","{key}",{disabled}\n')
        count += len(specs)
    text = "".join(lines)
    if text.count('"') != 6 * count or text.count(ID) != count:  # a text's own to escape
        return ""
    return text


def _rules_csv(pairs: list[tuple[int, Modes]], templates: Sequence[str]) -> bytes:
    """The rule rows of each dictionary, from its template (``rules_template``) when given."""
    parts = []
    for (pk, modes), given in zip(
        pairs, itertools.chain(templates, itertools.repeat("")), strict=False
    ):
        template = given or rules_template(modes)
        if template:
            parts.append(template.replace(ID, str(pk)))
        else:
            parts.append(_csv(_rule_rows([(pk, modes)])).decode())
    return "".join(parts).encode()


def insert_rules(pairs: list[tuple[int, Modes]]) -> None:
    """Each dictionary's rule rows: by COPY on PostgreSQL, bulk_create elsewhere."""
    columns = RULE_COLUMNS
    if connection.vendor == "postgresql":
        _copy(Rule, columns, _rule_rows(pairs))
        return
    Rule.objects.bulk_create(
        (Rule(**dict(zip(columns, row, strict=True))) for row in _rule_rows(pairs)),
        batch_size=5000,
    )


class _Background:
    """The rows of one batch being sent by COPY on a worker thread (one batch at a time)."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rows-copy")
        self.running: Future[None] | None = None

    def send(
        self,
        revisions: list[Revision],
        pairs: list[tuple[int, Modes]],
        encoded: Encoded,
        templates: Sequence[str],
    ) -> None:
        revision_rows = list(_revision_rows(revisions, encoded))
        rule_rows = _rules_csv(pairs, templates)
        self.finish()
        connection.ensure_connection()
        rules = _statement(Rule, RULE_COLUMNS) + " WITH (FORMAT csv)"
        copies: list[tuple[str, Rows]] = [
            (_statement(Revision, REVISION_COLUMNS), revision_rows),
            (rules, rule_rows),
        ]
        self.running = self.executor.submit(_copies_on, connection.connection, copies)

    def finish(self) -> None:
        """Wait for the rows sent; their error raised as Django's (IntegrityError, ...)."""
        running, self.running = self.running, None
        if running is not None:
            with connection.wrap_database_errors:
                running.result()

    def before_statement(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.finish()
        return execute(sql, params, many, context)

    def close(self) -> None:
        """Wait for the worker when the caller fails (its own error is the one raised)."""
        running, self.running = self.running, None
        if running is not None:
            running.exception()
        self.executor.shutdown()


_BACKGROUND: contextvars.ContextVar[_Background | None] = contextvars.ContextVar(
    "rows_in_background", default=None
)


@contextmanager
def rows_in_background() -> Iterator[None]:
    """While open on PostgreSQL, ``send_in_background`` sends rows from a worker thread and
    returns at once; they are finished before the connection's next statement (an execute
    wrapper, and any COPY of ours) and when the block ends."""
    if connection.vendor != "postgresql" or _BACKGROUND.get() is not None:
        yield
        return
    background = _Background()
    token = _BACKGROUND.set(background)
    try:
        with connection.execute_wrapper(background.before_statement):
            yield
            background.finish()
    finally:
        _BACKGROUND.reset(token)
        background.close()


def in_background() -> bool:
    """Whether rows are sent in the background (inside ``rows_in_background``)."""
    return _BACKGROUND.get() is not None


def send_in_background(
    revisions: list[Revision],
    pairs: list[tuple[int, Modes]],
    encoded: Encoded = (),
    templates: Sequence[str] = (),
) -> None:
    """New revisions' rows, then rule rows, sent from the worker thread (call
    ``in_background`` first: outside ``rows_in_background`` nothing is sent). ``encoded``:
    each revision's snapshot modes as JSON already, or None (``_revision_rows``);
    ``templates``: each dictionary's rule rows written already, or "" (``rules_template``)."""
    background = _BACKGROUND.get()
    if background is not None:
        background.send(revisions, pairs, encoded, templates)


def finish_background() -> None:
    """Finish the rows still being sent in the background, if any."""
    background = _BACKGROUND.get()
    if background is not None:
        background.finish()


REVISION_COLUMNS = (
    "dictionary_id",
    "number",
    "action",
    "source",
    "snapshot",
    "content_hash",
    "author",
    "comment",
    "created_at",
    "author_ref",
    "check_results",
    "checks_failed",
    "review_state",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
)


def _snapshot_json(snapshot: dict[str, Any], modes: str | None) -> str:
    """The snapshot as JSON, around its modes' JSON when given (any JSON of them will do:
    jsonb keeps the value, not the text)."""
    if modes is None:
        return json.dumps(snapshot)
    rest = json.dumps({key: value for key, value in snapshot.items() if key != "modes"})
    return '{"modes":' + modes + ("," + rest[1:] if len(rest) > 2 else "}")


def _revision_rows(revisions: list[Revision], encoded: Encoded = ()) -> Iterator[tuple[Any, ...]]:
    """Each revision's row; ``encoded``: its snapshot's modes as JSON already, or None."""
    modes = itertools.chain(encoded, itertools.repeat(None))
    for r, its_modes in zip(revisions, modes, strict=False):  # modes never end
        yield (
            (r.dictionary_id, r.number, r.action, r.source, _snapshot_json(r.snapshot, its_modes))
            + (r.content_hash, r.author, r.comment, r.created_at, r.author_ref)
            + (json.dumps(r.check_results), r.checks_failed, r.review_state, r.reviewed_by)
            + (r.reviewed_at, r.review_comment)
        )


def insert_revisions(revisions: list[Revision]) -> None:
    """The revisions' rows: by COPY on PostgreSQL when there are several, bulk_create else."""
    if connection.vendor != "postgresql" or len(revisions) < 2:
        Revision.objects.bulk_create(revisions, batch_size=500)
        return
    _copy(Revision, REVISION_COLUMNS, _revision_rows(revisions))

"""The write path's bulk rows (``pronunciations.store``): rules and revisions inserted by
``COPY`` on PostgreSQL, by ``bulk_create`` on other databases. Inserts only: they read nothing."""

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from pronunciations import validation
from pronunciations.models import Revision, Rule
from pronunciations.validation import Modes


def _copy(model: type[Any], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608
            for row in rows:
                copy.write_row(row)


def _rule_rows(
    pairs: Iterable[tuple[int, Modes]],
) -> Iterable[tuple[int, str, int, str, str, str, bool]]:
    for pk, modes in pairs:
        for mode, specs in modes.items():
            name = str(mode.value)  # the plain text, looked up once a mode
            for i, spec in enumerate(specs):
                key = validation.match_key(spec.match)
                yield pk, name, i, spec.match, spec.value, key, spec.disabled


def insert_rules(pairs: list[tuple[int, Modes]]) -> None:
    """Each dictionary's rule rows: by COPY on PostgreSQL, bulk_create elsewhere."""
    columns = ("dictionary_id", "mode", "position", "match", "value", "key", "disabled")
    if connection.vendor == "postgresql":
        _copy(Rule, columns, _rule_rows(pairs))
        return
    Rule.objects.bulk_create(
        (Rule(**dict(zip(columns, row, strict=True))) for row in _rule_rows(pairs)),
        batch_size=5000,
    )


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


def insert_revisions(revisions: list[Revision]) -> None:
    """The revisions' rows: by COPY on PostgreSQL when there are several, bulk_create else."""
    columns = REVISION_COLUMNS
    if connection.vendor != "postgresql" or len(revisions) < 2:
        Revision.objects.bulk_create(revisions, batch_size=500)
        return
    _copy(
        Revision,
        columns,
        (
            (r.dictionary_id, r.number, r.action, r.source, json.dumps(r.snapshot))
            + (r.content_hash, r.author, r.comment, r.created_at, r.author_ref)
            + (json.dumps(r.check_results), r.checks_failed, r.review_state, r.reviewed_by)
            + (r.reviewed_at, r.review_comment)
            for r in revisions
        ),
    )

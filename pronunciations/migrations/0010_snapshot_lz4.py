"""Revision snapshots compressed with LZ4 where PostgreSQL has it (issue 28).

A snapshot holds every rule of its dictionary (about 13 KB of JSON for 250 rules), so PostgreSQL
compresses it out of line. Its default, pglz, took about a tenth of a 100,000-rule import in
compression alone (bench/transfer.py: 1.50 s against 1.41 s with LZ4); LZ4 also reads back
faster. Only values written from now on are compressed with it; a server built without LZ4
(``default_toast_compression`` does not offer it), SQLite and other databases keep their own.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SNAPSHOT = "ALTER TABLE pronunciations_revision ALTER COLUMN snapshot SET COMPRESSION {}"


def _has_lz4(schema_editor: BaseDatabaseSchemaEditor) -> bool:
    if schema_editor.connection.vendor != "postgresql":
        return False
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def to_lz4(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if _has_lz4(schema_editor):
        schema_editor.execute(SNAPSHOT.format("lz4"))


def to_default(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SNAPSHOT.format("DEFAULT"))


class Migration(migrations.Migration):
    dependencies = [("pronunciations", "0009_import_digest")]

    operations = [migrations.RunPython(to_lz4, to_default)]

"""The start shared by the benchmarks that use Django: test settings on a database of their own."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def django_on(database: str) -> str:
    """Set up Django (test settings) against ``database`` on the local PostgreSQL; its URL."""
    sys.path.insert(0, str(ROOT))
    url = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    return url


def reset_database(database: str) -> None:
    """Drop and re-create ``database`` (the one django_on set up), then migrate it."""
    from django.core.management import call_command
    from django.db import connection

    with connection._nodb_cursor() as cursor:  # noqa: SLF001 - Django's own helper for this
        cursor.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {database}")
    call_command("migrate", verbosity=0)

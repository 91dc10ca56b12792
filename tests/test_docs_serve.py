"""The examples of README.md and the documentation site on ``bash .ci/serve``'s own set-up
(SQLite, the file broker, runserver): a file of its own, so that pytest-xdist runs it beside
tests/test_docs.py's run on PostgreSQL."""

import pytest

from tests.docs_run import PASTED_TWICE_ON_SERVE, run_and_check
from tests.local_run import LocalRun
from tests.sqlite_run import sqlite_run  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db, pytest.mark.long]


@pytest.mark.timeout(900)
def test_every_shell_example_runs_on_the_serve_set_up(sqlite_run: LocalRun) -> None:  # noqa: F811
    """Issue 23: the examples also run on `bash .ci/serve`'s own set-up (SQLite, the file
    broker, runserver), where the background import used to fail; the pages that import and
    write files are pasted twice here (their files go to a temporary folder, imports replace),
    every other page in tests/test_docs.py."""
    run_and_check(sqlite_run, pasted_twice=PASTED_TWICE_ON_SERVE)

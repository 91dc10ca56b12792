"""Tests that must run alone under pytest-xdist: they stop a server every worker uses.

A test marked ``alone`` holds an exclusive lock for its whole run (fixtures included); every
other test holds the same lock shared, so an ``alone`` test starts once the other workers'
current tests end, and they wait for it. A gate taken before the lock keeps a waiting ``alone``
test ahead of the next shared holders. Outside xdist no lock is taken.
"""

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.db import connections

_seen = {"alone_runs": ""}


def _paths(run: str) -> tuple[Path, Path]:
    base = Path(tempfile.gettempdir()) / f"lexicon-tests-{run}"
    return base.with_suffix(".gate"), base.with_suffix(".lock")


def _count_alone_run(lock: IO[str]) -> None:
    """Add one to the number of alone tests run (kept in the lock file, written under EX)."""
    lock.seek(0)
    done = int(lock.read() or 0)
    lock.seek(0)
    lock.truncate()
    lock.write(str(done + 1))
    lock.flush()


def _after_alone_runs(lock: IO[str]) -> None:
    """When an alone test ran since this worker's last test, drop its database connections:
    the alone test may have restarted PostgreSQL under them."""
    lock.seek(0)
    done = lock.read()
    if done != _seen["alone_runs"]:
        _seen["alone_runs"] = done
        connections.close_all()


@contextmanager
def turn(alone: bool) -> Iterator[None]:
    """Run the body alone (``alone``) or beside the other workers' non-alone tests."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        yield
        return
    gate_path, lock_path = _paths(run)
    with gate_path.open("a+") as gate, lock_path.open("a+") as lock:
        fcntl.flock(gate, fcntl.LOCK_EX)
        fcntl.flock(lock, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        fcntl.flock(gate, fcntl.LOCK_UN)
        try:
            if not alone:
                _after_alone_runs(lock)
            yield
        finally:
            if alone:
                _count_alone_run(lock)
            fcntl.flock(lock, fcntl.LOCK_UN)


def forget(run: str) -> None:
    """Remove the lock files of the xdist run ``run`` once it is over."""
    for path in _paths(run):
        path.unlink(missing_ok=True)

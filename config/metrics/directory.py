"""The directory where every process of one gunicorn (or one Celery worker) writes its metrics.

prometheus-client's multiprocess mode: with ``PROMETHEUS_MULTIPROC_DIR`` set before the library
is imported, each process keeps its counters in its own files there and a scrape adds them up.
One directory per gunicorn master or worker, emptied when it starts.
"""

import glob
import os

from prometheus_client import multiprocess


def prepare(path: str) -> None:
    """Create the directory and remove an earlier run's files, so counters start from zero."""
    os.makedirs(path, exist_ok=True)
    for stale in glob.glob(os.path.join(path, "*.db")):
        os.remove(stale)


def process_exited(path: str, pid: int) -> None:
    """Drop a dead process's live gauges (its counters stay in the sums)."""
    if path:
        multiprocess.mark_process_dead(pid, path)

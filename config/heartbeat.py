"""The web worker's heartbeat: long work inside one request tells gunicorn it is still alive.

gunicorn's arbiter kills a sync worker that has not notified it for ``timeout`` seconds; a
worker notifies only between requests. A whole-organization export that took longer was killed
mid-stream and the client was left with a truncated file after a 200 (issue 22). config/gunicorn.py
installs the worker's ``notify`` for each request; ``beat`` calls it at most 5 times a second.
Outside gunicorn (runserver, tests, Celery) nothing is installed and ``beat`` does nothing.
"""

import time
from collections.abc import Callable

_notify: Callable[[], None] | None = None
_last = 0.0


def install(notify: Callable[[], None]) -> None:
    global _notify
    _notify = notify


def beat() -> None:
    global _last
    now = time.monotonic()
    if _notify is not None and now - _last >= 0.2:
        _last = now
        _notify()

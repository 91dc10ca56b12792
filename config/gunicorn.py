"""gunicorn settings for the web service (``gunicorn -c config/gunicorn.py config.wsgi``).

Synchronous workers, behind a buffering proxy, gave the lowest tail latency in bench/load.py;
``GUNICORN_WORKER_CLASS=gthread`` with ``GUNICORN_THREADS=4`` keeps client connections alive
instead. Each worker (or thread) keeps its database connection (``DATABASE_CONN_MAX_AGE``).
Every value can be overridden from the environment; command-line flags override this file.
"""

import os
import shutil
import tempfile
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))  # above 1, gunicorn runs gthread
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None

# Request line and header limits. The application bounds both tighter (414/431 in SLNG's body,
# config.middleware.RequestLimitsMiddleware, LEXICON_MAX_REQUEST_LINE_BYTES and
# LEXICON_MAX_HEADER_*); these are set above those so gunicorn's own HTML answer (414, 431, or
# 400 for a malformed request) is left only for requests beyond them. 8190 is the longest
# request line gunicorn accepts at all; 200 fields of at most 32 KiB bound a request's headers
# at about 6.4 MiB per worker.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
limit_request_fields = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELDS", "200"))
limit_request_field_size = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "32768"))

# Metrics (config/metrics): every worker writes its counters to files in PROMETHEUS_MULTIPROC_DIR
# and /metrics adds them up. The variable must be set before prometheus-client is imported, so
# it is set here, in the master, before any worker loads the application. One directory per
# gunicorn: unset, a private temporary one, removed when gunicorn exits.
_METRICS_DIR_OWNED = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _METRICS_DIR_OWNED:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="lexicon-metrics-")


def on_starting(server: Any) -> None:
    from config.metrics.directory import prepare

    prepare(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def child_exit(server: Any, worker: Any) -> None:
    from config.metrics.directory import process_exited

    process_exited(os.environ["PROMETHEUS_MULTIPROC_DIR"], worker.pid)


def on_exit(server: Any) -> None:
    if _METRICS_DIR_OWNED:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def pre_request(worker: Any, req: Any) -> None:
    """Each request may beat the worker's heartbeat (config/heartbeat.py: long exports)."""
    from config import heartbeat

    heartbeat.install(worker.notify)

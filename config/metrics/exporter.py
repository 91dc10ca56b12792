"""A Celery worker's own ``/metrics``: the counters of every process of its pool.

Started from ``worker_init`` (config.celery) when LEXICON_METRICS_WORKER_PORT is set: a small
threaded HTTP server in the worker's main process, on LEXICON_METRICS_WORKER_ADDRESS (loopback
by default), guarded by the same bearer token as the web's. The pool's processes write their
counters to ``PROMETHEUS_MULTIPROC_DIR`` (required here, one directory per worker, emptied at
start); each scrape adds the files up. Beat counts nothing and serves nothing.
"""

import json
import logging
import threading
from http import HTTPStatus
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings

from config.metrics.directory import prepare
from config.metrics.exposition import METRICS_PATH, refusal, render
from core.exceptions import NotFoundError, error_body

logger = logging.getLogger(__name__)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Scrapes are not logged."""


def scrape(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The WSGI application: ``GET /metrics`` with the token, else SLNG's error body."""
    refused = (
        NotFoundError()
        if environ.get("PATH_INFO") != METRICS_PATH
        else refusal(environ.get("REQUEST_METHOD", ""), environ.get("HTTP_AUTHORIZATION", ""))
    )
    if refused is not None:
        body = json.dumps(error_body(refused, None)).encode()
        headers = [("Content-Type", "application/json")]
        if refused.status == 401:
            headers.append(("WWW-Authenticate", 'Bearer realm="lexicon-metrics"'))
        start_response(f"{refused.status} {HTTPStatus(refused.status).phrase}", headers)
        return [body]
    body, content_type = render(environ.get("HTTP_ACCEPT", ""))
    start_response("200 OK", [("Content-Type", content_type), ("Cache-Control", "no-store")])
    return [body]


def start_exporter() -> _Server | None:
    """Serve the worker's metrics in a daemon thread, if configured (None otherwise)."""
    port, address = settings.LEXICON_METRICS_WORKER_PORT, settings.LEXICON_METRICS_WORKER_ADDRESS
    if not port:
        return None
    missing = [
        name
        for name, value in (
            ("LEXICON_METRICS_TOKEN", settings.LEXICON_METRICS_TOKEN),
            ("PROMETHEUS_MULTIPROC_DIR", settings.LEXICON_METRICS_DIR),
        )
        if not value
    ]
    if missing:
        logger.error("worker metrics not served: %s not set", " and ".join(missing))
        return None
    prepare(settings.LEXICON_METRICS_DIR)
    server = make_server(address, port, scrape, server_class=_Server, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics-exporter", daemon=True).start()
    logger.info("worker metrics on http://%s:%s%s", address, port, METRICS_PATH)
    return server

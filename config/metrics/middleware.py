"""Every request counted by operation, method and status and timed; ``/metrics`` answered.

The operation is the URL's route name (``dictionary-detail``, ``admin:index``), never the path,
so a dictionary's name never becomes a label; a path that matches no route is ``unresolved``.
The middleware sits near the top of the stack so the time includes the other middleware, and it
answers ``/metrics`` itself, before host validation: Prometheus scrapes each process by its own
address, which is not among ALLOWED_HOSTS. The bearer token is what guards it.
"""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

from config.metrics.collectors import ScrapeCollector
from config.metrics.exposition import METRICS_PATH, refusal, render
from core.errors import Busy
from core.exceptions import json_error
from orgs.throttling import auth_failure_record, client_address

REQUESTS = Counter(
    "lexicon_http_requests",
    "HTTP requests by operation (the URL's route name), method and status.",
    ["operation", "method", "status"],
)
LATENCY = Histogram(
    "lexicon_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by operation and method.",
    ["operation", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def operation(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unresolved"
    return match.view_name if match.url_name else "unnamed"


def metrics_response(request: HttpRequest) -> HttpResponse:
    """The web's scrape: every gunicorn worker's counters and the scrape-time gauges."""
    refused = refusal(request.method or "", request.headers.get("Authorization", ""))
    if refused is not None and refused.status == 401:
        # A wrong token counts as a failed authentication of the address (issue 22: guesses
        # were unlimited); past LEXICON_AUTH_FAILURE_LIMIT it is 429. The right token is
        # checked first, so it is always served.
        wait = auth_failure_record(client_address(request), None)
        if wait is not None:
            refused = Busy("Too many wrong metrics tokens: try again later.", retry_after=wait)
    if refused is not None:
        response: HttpResponse = json_error(request, refused)
        if refused.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="lexicon-metrics"'
        if isinstance(refused, Busy):
            response["Retry-After"] = str(refused.retry_after)
        return response
    body, content_type = render(request.headers.get("Accept", ""), ScrapeCollector())
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        if request.path_info == METRICS_PATH:
            response, name = metrics_response(request), "metrics"
        else:
            response = self.get_response(request)
            name = operation(request)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(name, method, str(response.status_code)).inc()
        LATENCY.labels(name, method).observe(time.perf_counter() - started)
        return response

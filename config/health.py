"""Liveness and readiness: /healthz (the process answers) and /readyz (database and broker)."""

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from config.celery import app


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure means not ready
        return f"error: {type(exc).__name__}"
    return "ok"


def _broker() -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # any failure means not ready
        return f"error: {type(exc).__name__}"
    return "ok"


def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {"database": _database(), "broker": _broker()}
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503
    )


PROBES: dict[str, Callable[[HttpRequest], JsonResponse]] = {"/healthz": healthz, "/readyz": readyz}


class HealthMiddleware:
    """Answer the probes before host validation (issue 22).

    A container's health check and a load balancer call the process by its own address, which
    is not among ALLOWED_HOSTS (compose's check with .env.example's hosts got 400 and ``web``
    stayed unhealthy). Only these two GETs are answered: their bodies never use the Host header,
    so nothing an attacker's Host could poison (links, redirects, caches) comes from them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)

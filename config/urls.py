"""Root URLs: the admin, sync's and the pronunciation API, the OpenAPI schema and its docs."""

import sys

from django.contrib import admin
from django.core.exceptions import DisallowedHost
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from config import health
from config.schema_view import SchemaView
from core.errors import BadHost, InvalidDictionary, Unavailable
from core.exceptions import InternalError, NotFoundError, json_error

urlpatterns = [
    # The root leads to the admin (the local run prints the API and docs URLs too).
    path("", RedirectView.as_view(url="/admin/", permanent=False), name="root"),
    path("healthz", health.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on every page: Lexicon's icon, not a 404 in the log.
    path("favicon.ico", lambda request: HttpResponseRedirect(static("orgs/favicon.svg"))),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("v1/", include("sync.api.urls")),
    path("v1/", include("webhooks.api.urls")),
    path("v1/pronunciation/", include("pronunciations.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    # The stock ReDoc page loads Google fonts; this one loads only this server's assets.
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="api_docs/redoc.html"),
        name="redoc",
    ),
    # Any other /v1/ path answers SLNG's 404 body, also when DEBUG shows HTML elsewhere.
    re_path(
        r"^v1/",
        csrf_exempt(lambda request: json_error(request, NotFoundError())),
        name="v1-not-found",
    ),
]


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/v1/")


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return json_error(request, NotFoundError())
    return defaults.page_not_found(request, exception)


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django refuses before any view: under /v1/ SLNG's body (issue 22: a bad Host
    answered HTML there), the admin's page elsewhere."""
    if _is_api(request):
        if isinstance(exception, DisallowedHost):
            return json_error(request, BadHost())
        return json_error(request, InvalidDictionary(str(exception) or None))
    return defaults.bad_request(request, exception)


# What the admin (or anything outside the API) answers while the database cannot be reached.
UNAVAILABLE_PAGE = (
    "<!doctype html><title>Lexicon is unavailable</title><h1>Lexicon is unavailable</h1>"
    "<p>The database cannot be reached right now. Try again in a minute.</p>"
)


def handler500(request: HttpRequest) -> HttpResponse:
    """An unexpected error; a database that cannot be reached is 503 everywhere (issue 22: the
    admin answered an HTML 500 while the API answered 503)."""
    database_down = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    if _is_api(request):
        return json_error(request, Unavailable() if database_down else InternalError())
    if database_down:
        response = HttpResponse(UNAVAILABLE_PAGE, status=503)
        response["Retry-After"] = "30"
        return response
    return defaults.server_error(request)

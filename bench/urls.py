"""The bench server's URLs (bench/settings.py): production's, plus ``GET /bench/static``."""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as production_urls

_BODY = Path(os.environ["LEXICON_BENCH_STATIC_BODY"]).read_bytes()


def static_body(request: HttpRequest) -> HttpResponse:
    """The fixed body, as the list answers it (same content type), with no other work."""
    return HttpResponse(_BODY, content_type="application/json")


urlpatterns = [path("bench/static", static_body, name="bench-static"), *production_urls]
__all__ = ["handler404", "handler500", "urlpatterns"]

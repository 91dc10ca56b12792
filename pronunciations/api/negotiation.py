"""Content negotiation: DRF's own, answered at once for the Accept header most clients send.

DRF parses the Accept header and orders its media types on every request; on a cached get that
was the largest part of DRF's own cost (bench/load.py). With no Accept header, or ``*/*``, and no
format suffix, DRF's answer is always the view's first renderer and that renderer's media type,
so that answer is given without parsing. Any other header goes through DRF unchanged (a 406
stays a 406).
"""

from collections.abc import Iterable

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

_ANY = {None, "*/*"}


class FastContentNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        # request._request: the Django request (DRF's Request proxies META slowly).
        accept = request._request.META.get("HTTP_ACCEPT")
        renderers = list(renderers)
        plain = accept in _ANY and not format_suffix and self.settings.URL_FORMAT_OVERRIDE is None
        if plain and renderers:
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)

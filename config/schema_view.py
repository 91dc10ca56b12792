"""The OpenAPI schema's view: YAML by default, JSON for ``?format=json`` or ``Accept``."""

from typing import Any

from drf_spectacular.renderers import OpenApiJsonRenderer2, OpenApiYamlRenderer2
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

# URL_FORMAT_OVERRIDE is off project-wide (``format`` names an export's file format), so the
# schema reads its own ``format``.
_BY_FORMAT: dict[str, type[BaseRenderer]] = {
    "json": OpenApiJsonRenderer2,
    "yaml": OpenApiYamlRenderer2,
}


class SchemaView(SpectacularAPIView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        renderer = _BY_FORMAT.get(request.query_params.get("format", ""))
        if renderer is not None:
            return renderer(), renderer.media_type
        return super().perform_content_negotiation(request, force)

"""OpenAPI description of the Bearer API key authentication."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerKeySchema(OpenApiAuthenticationExtension):
    target_class = "orgs.authentication.BearerKeyAuthentication"
    name = "BearerKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "API Key"}

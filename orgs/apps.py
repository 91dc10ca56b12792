"""App configuration for orgs."""

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "Organizations"

    def ready(self) -> None:
        # Imported for what they register: the OpenAPI auth extension, the rate settings check.
        from orgs import schema, throttling  # noqa: F401

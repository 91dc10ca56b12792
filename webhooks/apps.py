"""The webhooks app: it listens to orgs.events and delivers on its own Celery queue."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from orgs.events import event_published
        from webhooks.services import deliveries_create_for_event

        event_published.connect(deliveries_create_for_event, dispatch_uid="webhooks.deliveries")

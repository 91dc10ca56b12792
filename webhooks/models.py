"""Webhook endpoints of an organization and the log of every delivery to them."""

from django.db import models
from django.utils import timezone
from ulid import ULID

from orgs.models import Organization


def new_endpoint_id() -> str:
    return f"wh_{ULID()}"


def new_message_id() -> str:
    # Standard Webhooks' ``webhook-id``: the same on every attempt of one delivery, so a
    # receiver can drop a duplicate.
    return f"msg_{ULID()}"


class Endpoint(models.Model):
    """A URL of an organization's that is told about the events it subscribed to.

    The signing secret is encrypted at rest (shown once, when the endpoint is made). An endpoint
    that failed ``LEXICON_WEBHOOK_PAUSE_AFTER`` deliveries in a row is paused until resumed.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    public_id = models.CharField(
        max_length=40, unique=True, default=new_endpoint_id, editable=False
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True, default="")
    # Event types (orgs.events.EventType values); empty means every event.
    events = models.JSONField(default=list, blank=True)
    secret_encrypted = models.TextField(editable=False)
    enabled = models.BooleanField(default=True)
    failures_in_a_row = models.PositiveIntegerField(default=0, editable=False)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_reason = models.CharField(max_length=300, blank=True, default="", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organization", "created_at"]

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"<Endpoint {self.public_id} org={self.organization_id}>"

    def wants(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One event for one endpoint, with the outcome of its last attempt."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(
        max_length=40, unique=True, default=new_message_id, editable=False
    )
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, default="")
    error = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    attempted_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["endpoint", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"

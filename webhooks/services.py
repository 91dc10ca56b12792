"""Every write of webhooks: endpoints made, changed, paused and resumed; deliveries queued."""

import base64
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from orgs.actors import Actor
from orgs.models import Organization
from orgs.scoping import restrict
from sync.crypto import secret_encrypt
from webhooks import validation
from webhooks.models import Delivery, DeliveryState, Endpoint
from webhooks.tasks import deliver

# Lexicon reading on its own account (orgs.scoping: every organization).
WEBHOOKS = Actor.system("webhook announcement")


def _new_secret() -> str:
    # Standard Webhooks: "whsec_" and the base64 of 24 to 64 random bytes.
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def endpoint_create(
    *, organization: Organization, url: object, events: object = None, description: object = ""
) -> tuple[Endpoint, str]:
    """Make an endpoint; answers it and its signing secret, which is shown only this once.
    Raises ValidationError (url, events, description)."""
    secret = _new_secret()
    endpoint = Endpoint.objects.create(
        organization=organization,
        url=validation.validate_endpoint_url(url),
        events=validation.validate_events(events),
        description=validation.validate_description(description),
        secret_encrypted=secret_encrypt(secret),
    )
    return endpoint, secret


def endpoint_update(*, endpoint: Endpoint, changes: dict[str, Any]) -> Endpoint:
    """Change url, events, description or enabled (the keys present in ``changes``)."""
    if "url" in changes:
        endpoint.url = validation.validate_endpoint_url(changes["url"])
    if "events" in changes:
        endpoint.events = validation.validate_events(changes["events"])
    if "description" in changes:
        endpoint.description = validation.validate_description(changes["description"])
    if "enabled" in changes:
        endpoint.enabled = bool(changes["enabled"])
    endpoint.save()
    return endpoint


def endpoint_resume(*, endpoint: Endpoint) -> Endpoint:
    """Deliver to a paused endpoint again (what failed meanwhile can be redelivered)."""
    endpoint.paused_at = None
    endpoint.paused_reason = ""
    endpoint.failures_in_a_row = 0
    endpoint.save(update_fields=["paused_at", "paused_reason", "failures_in_a_row"])
    return endpoint


def endpoint_delete(*, endpoint: Endpoint) -> None:
    endpoint.delete()


def payload_for(organization: Organization, event_type: str, data: dict[str, Any]) -> dict:
    """The body every endpoint receives: Standard Webhooks' recommended envelope."""
    return {
        "type": event_type,
        "timestamp": timezone.now().isoformat().replace("+00:00", "Z"),
        "data": {"organization": organization.public_id, **data},
    }


def deliveries_create_for_event(
    *, organization_id: int, events: list[tuple[str, dict[str, Any]]], **_: Any
) -> list[Delivery]:
    """Record a delivery of each event for each of the organization's endpoints that wants it,
    and queue each (an endpoint that is paused records it as failed, for redelivery later).
    One query finds the endpoints, whatever the number of events."""
    endpoints = list(
        restrict(Endpoint, WEBHOOKS)
        .filter(organization_id=organization_id, enabled=True)
        .select_related("organization")
        .order_by("pk")
    )
    deliveries = [
        Delivery(
            endpoint=endpoint,
            event_type=event_type,
            payload=payload_for(endpoint.organization, event_type, data),
            **_paused_fields(endpoint),
        )
        for event_type, data in events
        for endpoint in endpoints
        if endpoint.wants(event_type)
    ]
    created = Delivery.objects.bulk_create(deliveries)
    for delivery in created:
        if delivery.state == DeliveryState.PENDING:
            _enqueue(delivery)
    return created


def _paused_fields(endpoint: Endpoint) -> dict[str, Any]:
    if endpoint.paused_at is None:
        return {}
    return {"state": DeliveryState.FAILED, "error": "not sent: the endpoint is paused"}


def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    """Send a delivery again, by hand, with the same webhook-id (a receiver that saw it before
    can tell). Its attempts start again."""
    delivery.state = DeliveryState.PENDING
    delivery.attempts = 0
    delivery.error = ""
    delivery.next_attempt_at = None
    delivery.save(update_fields=["state", "attempts", "error", "next_attempt_at"])
    _enqueue(delivery)
    return delivery


def _enqueue(delivery: Delivery) -> None:
    organization_id = delivery.endpoint.organization_id
    transaction.on_commit(lambda: deliver.delay(delivery.message_id, organization_id))

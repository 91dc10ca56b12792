"""Reads of webhooks, always through the scoping home (``orgs.scoping``) with the caller."""

from django.db.models import QuerySet

from orgs.actors import Actor
from orgs.scoping import get_or_raise, restrict
from pronunciations.errors import NotFound
from webhooks.models import Delivery, Endpoint

MAX_DELIVERIES_LISTED = 100


class EndpointNotFound(NotFound):
    def __init__(self, endpoint_id: str) -> None:
        super().__init__(f"Webhook endpoint not found: {endpoint_id}")


class DeliveryNotFound(NotFound):
    def __init__(self, message_id: str) -> None:
        super().__init__(f"Webhook delivery not found: {message_id}")


def endpoint_list(*, actor: Actor) -> QuerySet[Endpoint]:
    """The endpoints the actor may read, oldest first."""
    return restrict(Endpoint, actor).order_by("created_at", "pk")


def endpoint_get(*, actor: Actor, endpoint_id: str) -> Endpoint:
    """Raises EndpointNotFound, also for another organization's endpoint."""
    return get_or_raise(
        endpoint_list(actor=actor), EndpointNotFound(endpoint_id), public_id=endpoint_id
    )


def delivery_list(*, actor: Actor, endpoint: Endpoint) -> QuerySet[Delivery]:
    """The endpoint's newest deliveries first, at most MAX_DELIVERIES_LISTED."""
    deliveries = restrict(Delivery, actor).filter(endpoint=endpoint)
    return deliveries.order_by("-created_at", "-pk")[:MAX_DELIVERIES_LISTED]


def delivery_get(*, actor: Actor, endpoint: Endpoint, message_id: str) -> Delivery:
    """Raises DeliveryNotFound, also for a message of another endpoint."""
    deliveries = restrict(Delivery, actor).filter(endpoint=endpoint)
    return get_or_raise(deliveries, DeliveryNotFound(message_id), message_id=message_id)

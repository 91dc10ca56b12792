"""Reads of webhooks, always within the caller's organization."""

from django.db.models import QuerySet

from orgs.models import Organization
from pronunciations.errors import NotFound
from webhooks.models import Delivery, Endpoint

MAX_DELIVERIES_LISTED = 100


class EndpointNotFound(NotFound):
    def __init__(self, endpoint_id: str) -> None:
        super().__init__(f"Webhook endpoint not found: {endpoint_id}")


class DeliveryNotFound(NotFound):
    def __init__(self, message_id: str) -> None:
        super().__init__(f"Webhook delivery not found: {message_id}")


def endpoint_list(*, organization: Organization) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(organization=organization).order_by("created_at", "pk")


def endpoint_get(*, organization: Organization, endpoint_id: str) -> Endpoint:
    """Raises EndpointNotFound, also for another organization's endpoint."""
    endpoint = endpoint_list(organization=organization).filter(public_id=endpoint_id).first()
    if endpoint is None:
        raise EndpointNotFound(endpoint_id)
    return endpoint


def delivery_list(*, endpoint: Endpoint) -> QuerySet[Delivery]:
    """The endpoint's newest deliveries first, at most MAX_DELIVERIES_LISTED."""
    return Delivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")[
        :MAX_DELIVERIES_LISTED
    ]


def delivery_get(*, endpoint: Endpoint, message_id: str) -> Delivery:
    delivery = Delivery.objects.filter(endpoint=endpoint, message_id=message_id).first()
    if delivery is None:
        raise DeliveryNotFound(message_id)
    return delivery

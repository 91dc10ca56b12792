"""Thin views of the webhooks API: parse, call a service or selector, answer."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import bad_id, error_responses
from core.idempotency import idempotent
from orgs.actors import Actor
from orgs.authentication import caller_key
from orgs.models import Role
from pronunciations import validation
from webhooks import selectors, services
from webhooks.api.serializers import (
    DeliveryListOutput,
    DeliveryOutput,
    EndpointCreatedOutput,
    EndpointCreateRequest,
    EndpointListOutput,
    EndpointOutput,
    EndpointPatchRequest,
)

# Endpoints, their secrets' use and the payloads sent are an organization admin's business.
ADMIN_ONLY = {method: Role.ADMIN for method in ("GET", "POST", "PATCH", "DELETE")}


def _endpoint(request: Request, endpoint_id: str) -> Any:
    """The caller's endpoint: its id checked (a 400 naming it) before any query."""
    validation.validate_public_id(endpoint_id, name="endpoint_id")
    actor = Actor.for_key(caller_key(request))
    return selectors.endpoint_get(actor=actor, endpoint_id=endpoint_id)


class EndpointCollectionView(APIView):
    key_roles = ADMIN_ONLY

    @extend_schema(
        operation_id="webhooks-list",
        description="The organization's webhook endpoints (without their secrets).",
        summary="List webhook endpoints",
        tags=["webhooks"],
        responses={200: EndpointListOutput, **error_responses(401, 503)},
    )
    def get(self, request: Request) -> Response:
        endpoints = selectors.endpoint_list(actor=Actor.for_key(caller_key(request)))
        return Response(EndpointListOutput({"endpoints": endpoints}).data)

    @extend_schema(
        operation_id="webhooks-create",
        summary="Add a webhook endpoint",
        description="Answers the endpoint with its signing secret, shown only this once.",
        tags=["webhooks"],
        request=EndpointCreateRequest,
        responses={201: EndpointCreatedOutput, **error_responses(400, 401, 503)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        payload = EndpointCreateRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        endpoint, secret = services.endpoint_create(
            organization=caller_key(request).organization, **payload.validated_data
        )
        body = {**EndpointOutput(endpoint).data, "secret": secret}
        return Response(EndpointCreatedOutput(body).data, status=status.HTTP_201_CREATED)


class EndpointDetailView(APIView):
    key_roles = ADMIN_ONLY

    @extend_schema(
        operation_id="webhooks-get",
        description="One endpoint: its URL, events, and whether it is paused after failures.",
        summary="Get a webhook endpoint",
        tags=["webhooks"],
        responses={
            200: EndpointOutput,
            **error_responses(400, 401, 404, 503, errors=bad_id("endpoint_id")),
        },
    )
    def get(self, request: Request, endpoint_id: str) -> Response:
        return Response(EndpointOutput(_endpoint(request, endpoint_id)).data)

    @extend_schema(
        operation_id="webhooks-update",
        description="Changes the URL, the events, the description or whether it is enabled.",
        summary="Change a webhook endpoint",
        tags=["webhooks"],
        request=EndpointPatchRequest,
        responses={
            200: EndpointOutput,
            **error_responses(400, 401, 404, 503, errors=bad_id("endpoint_id")),
        },
    )
    def patch(self, request: Request, endpoint_id: str) -> Response:
        endpoint = _endpoint(request, endpoint_id)
        payload = EndpointPatchRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(endpoint=endpoint, changes=payload.validated_data)
        return Response(EndpointOutput(endpoint).data)

    @extend_schema(
        operation_id="webhooks-delete",
        description="Removes the endpoint; its delivery log goes with it.",
        summary="Remove a webhook endpoint and its delivery log",
        tags=["webhooks"],
        responses={204: None, **error_responses(400, 401, 404, 503, errors=bad_id("endpoint_id"))},
    )
    def delete(self, request: Request, endpoint_id: str) -> Response:
        services.endpoint_delete(endpoint=_endpoint(request, endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointResumeView(APIView):
    key_roles = ADMIN_ONLY

    @extend_schema(
        operation_id="webhooks-resume",
        description=(
            "Delivers to an endpoint paused after repeated failures again; what failed "
            "meanwhile can be redelivered."
        ),
        summary="Resume a paused webhook endpoint",
        tags=["webhooks"],
        request=None,
        responses={
            200: EndpointOutput,
            **error_responses(400, 401, 404, 503, errors=bad_id("endpoint_id")),
        },
    )
    @idempotent
    def post(self, request: Request, endpoint_id: str) -> Response:
        endpoint = services.endpoint_resume(endpoint=_endpoint(request, endpoint_id))
        return Response(EndpointOutput(endpoint).data)


class DeliveryCollectionView(APIView):
    key_roles = ADMIN_ONLY

    @extend_schema(
        operation_id="webhooks-deliveries",
        description=(
            "Each delivery with its state, attempts and the endpoint's last answer (its "
            "status and first 1,000 characters)."
        ),
        summary="An endpoint's delivery log (newest first, at most 100)",
        tags=["webhooks"],
        responses={
            200: DeliveryListOutput,
            **error_responses(400, 401, 404, 503, errors=bad_id("endpoint_id")),
        },
    )
    def get(self, request: Request, endpoint_id: str) -> Response:
        deliveries = selectors.delivery_list(
            actor=Actor.for_key(caller_key(request)), endpoint=_endpoint(request, endpoint_id)
        )
        return Response(DeliveryListOutput({"deliveries": deliveries}).data)


class DeliveryRedeliverView(APIView):
    key_roles = ADMIN_ONLY

    @extend_schema(
        operation_id="webhooks-redeliver",
        summary="Send a delivery again",
        description="Queues the delivery again with the same webhook-id; answers 202.",
        tags=["webhooks"],
        request=None,
        responses={
            202: DeliveryOutput,
            **error_responses(400, 401, 404, 503, errors=bad_id("endpoint_id")),
        },
    )
    @idempotent
    def post(self, request: Request, endpoint_id: str, message_id: str) -> Response:
        endpoint = _endpoint(request, endpoint_id)
        validation.validate_public_id(message_id, name="message_id")
        delivery = selectors.delivery_get(
            actor=Actor.for_key(caller_key(request)), endpoint=endpoint, message_id=message_id
        )
        delivery = services.delivery_redeliver(delivery=delivery)
        return Response(DeliveryOutput(delivery).data, status=status.HTTP_202_ACCEPTED)

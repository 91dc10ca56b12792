"""Request and response shapes of the webhooks API."""

from rest_framework import serializers

from orgs.events import EventType
from webhooks.models import DeliveryState


class EndpointCreateRequest(serializers.Serializer):
    url = serializers.CharField(help_text="Where events are POSTed (http or https).")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        required=False,
        help_text="Event types to send; absent or empty: every event.",
    )
    description = serializers.CharField(required=False, allow_blank=True)


class EndpointPatchRequest(serializers.Serializer):
    url = serializers.CharField(required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), required=False
    )
    description = serializers.CharField(required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False)


class EndpointOutput(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    url = serializers.CharField()
    description = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))
    enabled = serializers.BooleanField()
    paused_at = serializers.DateTimeField(allow_null=True)
    paused_reason = serializers.CharField()
    failures_in_a_row = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class EndpointCreatedOutput(EndpointOutput):
    id = serializers.CharField()
    secret = serializers.CharField(
        help_text="The signing secret (whsec_…), shown only in this answer."
    )


class EndpointListOutput(serializers.Serializer):
    endpoints = EndpointOutput(many=True)


class DeliveryOutput(serializers.Serializer):
    id = serializers.CharField(source="message_id", help_text="The webhook-id header sent.")
    type = serializers.ChoiceField(source="event_type", choices=EventType.choices)
    state = serializers.ChoiceField(choices=DeliveryState.choices)
    attempts = serializers.IntegerField()
    response_status = serializers.IntegerField(allow_null=True)
    response_body = serializers.CharField()
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    attempted_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    payload = serializers.JSONField()


class DeliveryListOutput(serializers.Serializer):
    deliveries = DeliveryOutput(many=True)

"""Webhook endpoints in the admin (organization admins): the delivery log, redeliver, resume, and
a notice on a paused endpoint. Every change goes through webhooks.services."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from orgs.admin import OrgScopedAdmin
from orgs.events import EventType
from orgs.models import Role
from webhooks import services, validation
from webhooks.models import Delivery, DeliveryState, Endpoint


class EndpointForm(forms.ModelForm):
    """The URL, events and description are checked by webhooks.validation, next to each field."""

    url = forms.URLField(assume_scheme="https", max_length=500)
    events = forms.MultipleChoiceField(
        choices=EventType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event.",
    )

    class Meta:
        model = Endpoint
        fields = ["organization", "url", "description", "events", "enabled"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field, check in (
            ("url", validation.validate_endpoint_url),
            ("events", validation.validate_events),
            ("description", validation.validate_description),
        ):
            if field in data:
                try:
                    data[field] = check(data[field])
                except ValidationError as exc:
                    self.add_error(field, exc.message_dict.get(field, exc.messages))
        return data


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-created_at", "-id"]
    fields = ["message_id", "event_type", "state", "attempts", "response_status", "error"]
    readonly_fields = ["message_id", "event_type", "state", "attempts", "response_status", "error"]
    show_change_link = True


def _secret_key(object_id: str) -> str:
    return f"webhooks:new-secret:{object_id}"


@admin.register(Endpoint)
class EndpointAdmin(OrgScopedAdmin):
    form = EndpointForm
    view_role = Role.ADMIN
    change_role = Role.ADMIN
    list_display = ["url", "organization", "enabled", "status", "created_at"]
    list_filter = ["enabled"]
    readonly_fields = ["public_id", "paused_at", "paused_reason", "failures_in_a_row"]
    inlines = [DeliveryInline]
    actions = ["resume"]

    @admin.display(description="Status")
    def status(self, endpoint: Endpoint) -> str:
        return "paused" if endpoint.paused_at else "delivering"

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        endpoint = self.get_object(request, object_id)
        if endpoint is not None and endpoint.paused_at is not None:
            messages.warning(request, f"This endpoint is {endpoint.paused_reason}.")
        secret = request.session.pop(_secret_key(object_id), None)
        if secret and request.method == "GET":
            # Added while this page renders, so it is shown here and stored nowhere else.
            messages.warning(request, f"Signing secret, shown only now: {secret}")
        return super().change_view(request, object_id, *args, **kwargs)

    def save_model(self, request: HttpRequest, obj: Endpoint, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.endpoint_update(endpoint=obj, changes=data)
            return
        endpoint, secret = services.endpoint_create(
            organization=data["organization"],
            url=data["url"],
            events=data["events"],
            description=data["description"],
        )
        obj.pk, obj.public_id = endpoint.pk, endpoint.public_id
        # Kept server-side in the session until the change page shows it once (never in the
        # messages cookie, never logged).
        request.session[_secret_key(str(endpoint.pk))] = secret

    def response_add(self, request: HttpRequest, obj: Endpoint, *args: Any) -> Any:
        return HttpResponseRedirect(reverse("admin:webhooks_endpoint_change", args=[obj.pk]))

    @admin.action(description="Resume the selected paused endpoints")
    def resume(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset.exclude(paused_at=None):
            services.endpoint_resume(endpoint=endpoint)
        messages.success(request, "Resumed; redeliver what failed from each delivery log.")


@admin.register(Delivery)
class DeliveryAdmin(OrgScopedAdmin):
    org_field = "endpoint__organization"
    view_role = Role.ADMIN
    change_role = Role.ADMIN
    list_display = ["message_id", "event_type", "endpoint", "state", "attempts", "created_at"]
    list_filter = ["state", "event_type"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
    actions = ["redeliver"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    @admin.action(description="Redeliver the selected deliveries")
    def redeliver(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = 0
        for delivery in queryset.select_related("endpoint").exclude(state=DeliveryState.PENDING):
            services.delivery_redeliver(delivery=delivery)
            count += 1
        messages.success(request, f"{count} deliveries queued again.")

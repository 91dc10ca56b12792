"""Sync in the admin: status badges and Sync now on dictionaries, targets, runs and schedules."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from orgs import permissions
from orgs.admin import CheckedSelectionAdmin, OrgScopedAdmin
from orgs.models import Role
from pronunciations.admin import DictionaryAdmin
from pronunciations.models import Dictionary
from sync.crypto import secret_encrypt
from sync.models import SyncRun, SyncState, SyncStatus, SyncTarget
from sync.receivers import enqueue_sync, publish_run
from sync.targets import effective_status, schedule_name, target_schedule


class SyncStatusFilter(admin.SimpleListFilter):
    title = "sync status"
    parameter_name = "sync"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (s.value, s.label) for s in (SyncStatus.FAILED, SyncStatus.PENDING, SyncStatus.VERIFIED)
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        states = SyncState.objects.filter(dictionary=OuterRef("pk"))
        if self.value() == SyncStatus.FAILED:
            return queryset.filter(Exists(states.filter(status=SyncStatus.FAILED)))
        if self.value() == SyncStatus.VERIFIED:
            stale = ~Q(status=SyncStatus.VERIFIED) | ~Q(pushed_revision=OuterRef("revision"))
            return queryset.filter(Exists(states)).exclude(Exists(states.filter(stale)))
        if self.value() == SyncStatus.PENDING:
            fresh = states.filter(pushed_revision=OuterRef("revision"))
            return queryset.exclude(Exists(fresh.filter(~Q(status=SyncStatus.PENDING))))
        return queryset


class SyncDictionaryAdmin(DictionaryAdmin):
    list_display = [*DictionaryAdmin.list_display, "sync_badges"]
    list_filter = [*DictionaryAdmin.list_filter, SyncStatusFilter]
    actions = [*DictionaryAdmin.actions, "sync_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("sync_states", queryset=SyncState.objects.select_related("target")),
                "organization__sync_targets",
            )
        )

    @admin.display(description="SLNG")
    def sync_badges(self, obj: Dictionary) -> str:
        states = {state.target_id: state for state in obj.sync_states.all()}
        badges = []
        for target in obj.organization.sync_targets.all():
            state = states.get(target.pk)
            status = effective_status(state, obj)
            reason = f": {state.last_error_code}" if state and state.last_error_code else ""
            badges.append((status, f"{target.name}: {status}{reason}"))
        return format_html_join(" ", '<span class="sync-badge sync-{}">{}</span>', badges)

    @admin.action(description="Sync now")
    def sync_now(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        org_ids = set(queryset.values_list("organization_id", flat=True))
        queued = [t for org in org_ids for t in enqueue_sync(organization_id=org, trigger="manual")]
        self.message_user(request, f"Sync queued for {len(queued)} target(s).")

    def extra_panels(self, request: HttpRequest, obj: Dictionary) -> dict[str, Any]:
        states = {s.target_id: s for s in SyncState.objects.filter(dictionary=obj)}
        rows = []
        for target in SyncTarget.objects.filter(organization=obj.organization).order_by("name"):
            state = states.get(target.pk)
            rows.append(
                {
                    "target": target.name,
                    "status": effective_status(state, obj),
                    "pushed_revision": state.pushed_revision if state else None,
                    "verified_at": state.verified_at if state else None,
                    "error_code": state.last_error_code if state else "",
                    "error_message": state.last_error_message if state else "",
                }
            )
        can_sync = permissions.allowed(request, obj.organization_id, Role.EDITOR)
        url = reverse("admin:sync_dictionary_sync_now", args=[obj.pk]) if can_sync else None
        return {"sync_rows": rows, "sync_now_url": url}

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.sync_now_view)
        return [path("<int:pk>/sync/", view, name="sync_dictionary_sync_now"), *super().get_urls()]

    def sync_now_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST" or not permissions.allowed(
            request, obj.organization_id, Role.EDITOR
        ):
            raise PermissionDenied
        queued = enqueue_sync(organization_id=obj.organization_id, trigger="manual")
        messages.success(request, f"Sync queued for {len(queued)} target(s).")
        return HttpResponseRedirect(reverse("admin:pronunciations_dictionary_change", args=[pk]))


admin.site.unregister(Dictionary)
admin.site.register(Dictionary, SyncDictionaryAdmin)


class SyncTargetForm(forms.ModelForm):
    """The SLNG key is write-only: typed in, encrypted, never shown; blank keeps the old one."""

    base_url = forms.URLField(assume_scheme="https", help_text="e.g. https://api.slng.ai")

    api_key = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        label="SLNG API key",
        help_text="Write-only. Leave blank to keep the stored key.",
    )

    class Meta:
        model = SyncTarget
        fields = [
            "organization",
            "name",
            "base_url",
            "ws_url",
            "model",
            "voice",
            "enabled",
            "prune",
            "interval_seconds",
        ]

    def clean_api_key(self) -> str:
        key = str(self.cleaned_data.get("api_key") or "").strip()
        if not key and not self.instance.pk:
            raise forms.ValidationError("An SLNG API key is required for a new target.")
        return key


class SyncRunInline(admin.TabularInline):
    model = SyncRun
    fields = readonly_fields = (
        "started_at",
        "trigger",
        "status",
        "created",
        "replaced",
        "deleted",
        "unchanged",
        "verified",
        "failed",
        "duration_ms",
        "error",
    )
    extra = 0
    max_num = 0
    ordering = ["-started_at"]
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


@admin.register(SyncTarget)
class SyncTargetAdmin(OrgScopedAdmin):
    form = SyncTargetForm
    list_display = [
        "name",
        "organization",
        "base_url",
        "model",
        "enabled",
        "prune",
        "interval_seconds",
    ]
    list_filter = ["enabled"]
    inlines = [SyncRunInline]
    actions = ["run_now"]
    view_role = Role.VIEWER
    change_role = Role.ADMIN

    def save_model(self, request: HttpRequest, obj: SyncTarget, form: Any, change: bool) -> None:
        key = form.cleaned_data.get("api_key")
        if key:
            obj.encrypted_api_key = secret_encrypt(key)
        super().save_model(request, obj, form, change)
        target_schedule(obj)

    def delete_model(self, request: HttpRequest, obj: SyncTarget) -> None:
        PeriodicTask.objects.filter(name=schedule_name(obj)).delete()
        super().delete_model(request, obj)

    @admin.action(description="Run a sync now")
    def run_now(self, request: HttpRequest, queryset: QuerySet[SyncTarget]) -> None:
        queued = [t.name for t in queryset if publish_run(t.pk, "manual")]
        self.message_user(request, f"Queued: {', '.join(queued) or 'nothing (broker down?)'}")


class ScopedPeriodicTaskAdmin(CheckedSelectionAdmin, PeriodicTaskAdmin):
    """Schedules: staff see only their (admin-role) organizations' sync schedules."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        ids = permissions.organization_ids(request, Role.ADMIN)
        if ids is None:
            return queryset
        targets = SyncTarget.objects.filter(organization_id__in=ids)
        return queryset.filter(name__in=[schedule_name(t) for t in targets])

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.organization_ids(request, Role.ADMIN) != []

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and (
            obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()
        )

    has_change_permission = has_view_permission

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, ScopedPeriodicTaskAdmin)

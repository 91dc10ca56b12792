"""Sync in the admin: badges, Sync now and Listen on dictionaries; targets, runs and schedules."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django_celery_beat.models import PeriodicTask

from orgs import permissions
from orgs.admin import OrgScopedAdmin
from orgs.models import Role
from pronunciations import validation
from pronunciations.admin import DictionaryAdmin
from pronunciations.content import content_hash
from pronunciations.errors import PronunciationError
from pronunciations.models import Dictionary
from sync import admin_schedules  # noqa: F401 - registers the scoped schedule admins
from sync.enqueue import enqueue_sync, publish_run
from sync.models import SyncRun, SyncState, SyncStatus, SyncTarget
from sync.speak import speak_allowed, speech_create
from sync.targets import (
    TARGET_FIELDS,
    effective_status,
    schedule_name,
    target_create,
    target_key_usable,
    target_update,
    validate_target,
)


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
        scoped = _editor_scope(request, queryset, "organization_id")
        org_ids = set(scoped.values_list("organization_id", flat=True))
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
        listen = reverse("admin:sync_dictionary_speak", args=[obj.pk]) if rows else None
        return {"sync_rows": rows, "sync_now_url": url, "listen_url": listen}

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.sync_now_view)
        speak = self.admin_site.admin_view(self.speak_view)
        return [
            path("<int:pk>/sync/", view, name="sync_dictionary_sync_now"),
            path("<int:pk>/speak/", speak, name="sync_dictionary_speak"),
            *super().get_urls(),
        ]

    def speak_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        """Listen in the preview panel: the page's (unsaved) rules, spoken before and after."""
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST" or not permissions.allowed(
            request, obj.organization_id, Role.VIEWER
        ):
            raise PermissionDenied
        if not speak_allowed(request):
            return JsonResponse({"error": "Too many Listen requests; wait a moment."}, status=429)
        try:
            body = validation.parse_json(request.body or b"{}", field="body")
            body = body if isinstance(body, dict) else {}
            speak = validation.validate_speak(body)
            modes = validation.validate_modes(body.get("modes"))
            answer = speech_create(
                organization=obj.organization,
                modes=modes,
                content_hash=content_hash(modes),
                request=speak,
            )
        except ValidationError as exc:
            return JsonResponse({"errors": exc.message_dict}, status=400)
        except PronunciationError as exc:
            return JsonResponse({"error": exc.message}, status=exc.status)
        return JsonResponse(answer)

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
    """The SLNG key is write-only: typed in, encrypted, never shown; blank keeps the old one,
    unless a URL changed (sync.targets.validate_target says so next to the key field)."""

    base_url = forms.URLField(assume_scheme="https", help_text="e.g. https://api.slng.ai")

    api_key = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        label="SLNG API key",
        help_text=(
            "Write-only. Leave blank to keep the stored key; changing either URL needs the key "
            "entered again."
        ),
    )

    class Meta:
        model = SyncTarget
        fields = ["organization", *TARGET_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stored = (
            SyncTarget.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        )
        organization = stored.organization if stored else data.get("organization")
        if organization is None or not {"name", "base_url", "ws_url"} <= data.keys():
            return data  # those fields carry their own errors already
        try:
            validate_target(
                organization=organization,
                stored=stored,
                name=data["name"],
                base_url=data["base_url"],
                ws_url=data["ws_url"],
                api_key=str(data.get("api_key") or ""),
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        return data


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


def _editor_scope(request: HttpRequest, queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
    """Only the rows of organizations where the user may start a sync (editor or more)."""
    ids = permissions.organization_ids(request, Role.EDITOR)
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A target never moves to another organization: its key belongs to this one.
        return ["organization", "stored_key"] if obj else []

    @admin.display(description="stored SLNG key")
    def stored_key(self, obj: SyncTarget) -> str:
        if target_key_usable(obj):
            return "Stored (write-only), for these URLs."
        return "Cannot be used: it was entered for other URLs. Enter the key again."

    def save_model(self, request: HttpRequest, obj: SyncTarget, form: Any, change: bool) -> None:
        fields = {field: form.cleaned_data[field] for field in TARGET_FIELDS}
        key = str(form.cleaned_data.get("api_key") or "")
        if change:
            saved = target_update(target=obj, api_key=key, **fields)
        else:
            organization = form.cleaned_data["organization"]
            saved = target_create(organization=organization, api_key=key, **fields)
        obj.pk, obj.public_id = saved.pk, saved.public_id
        obj._state.adding = False

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:  # the service refused what the form let through (a race)
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(request.get_full_path())

    def delete_model(self, request: HttpRequest, obj: SyncTarget) -> None:
        PeriodicTask.objects.filter(name=schedule_name(obj)).delete()
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SyncTarget]) -> None:
        PeriodicTask.objects.filter(name__in=[schedule_name(t) for t in queryset]).delete()
        super().delete_queryset(request, queryset)

    @admin.action(description="Run a sync now")
    def run_now(self, request: HttpRequest, queryset: QuerySet[SyncTarget]) -> None:
        targets = _editor_scope(request, queryset, "organization_id").select_related("organization")
        queued = [t.name for t in targets if publish_run(t, "manual")]
        self.message_user(request, f"Queued: {', '.join(queued) or 'nothing (broker down?)'}")

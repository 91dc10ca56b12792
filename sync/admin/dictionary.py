"""Sync on the dictionary admin, added through pronunciations' extension point: the SLNG
column, the sync-status filter, the Sync now action and button, the sync panel, and Listen in
the preview panel (it speaks through the organization's target). Registered in SyncConfig.ready.
"""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html_join

from orgs import permissions
from orgs.models import Role
from pronunciations import validation
from pronunciations.admin.extensions import IN_PREVIEW, DictionaryAdminExtension, Panel
from pronunciations.content import content_hash
from pronunciations.errors import PronunciationError
from pronunciations.models import Dictionary
from sync.admin.targets import editor_scope
from sync.enqueue import enqueue_sync
from sync.models import SyncState, SyncStatus, SyncTarget
from sync.speak import speak_allowed, speech_create
from sync.targets import effective_status


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


@admin.display(description="SLNG")
def sync_badges(obj: Dictionary) -> str:
    states = {state.target_id: state for state in obj.sync_states.all()}
    badges = []
    for target in obj.organization.sync_targets.all():
        state = states.get(target.pk)
        status = effective_status(state, obj)
        reason = f": {state.last_error_code}" if state and state.last_error_code else ""
        badges.append((status, f"{target.name}: {status}{reason}"))
    return format_html_join(" ", '<span class="sync-badge sync-{}">{}</span>', badges)


@admin.action(description="Sync now")
def sync_now(model_admin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    scoped = editor_scope(request, queryset, "organization_id")
    org_ids = set(scoped.values_list("organization_id", flat=True))
    queued = [t for org in org_ids for t in enqueue_sync(organization_id=org, trigger="manual")]
    model_admin.message_user(request, f"Sync queued for {len(queued)} target(s).")


def sync_panel(request: HttpRequest, obj: Dictionary) -> dict[str, Any] | None:
    """Each target's state of this dictionary, and Sync now for editors; nothing without targets."""
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
    if not rows:
        return None
    can_sync = permissions.allowed(request, obj.organization_id, Role.EDITOR)
    url = reverse("admin:sync_dictionary_sync_now", args=[obj.pk]) if can_sync else None
    return {"sync_rows": rows, "sync_now_url": url}


def listen_panel(request: HttpRequest, obj: Dictionary) -> dict[str, Any] | None:
    """Listen, when the organization has a target to speak through."""
    if not SyncTarget.objects.filter(organization=obj.organization).exists():
        return None
    return {"listen_url": reverse("admin:sync_dictionary_speak", args=[obj.pk])}


def speak_view(model_admin: Any, request: HttpRequest, pk: int) -> JsonResponse:
    """Listen in the preview panel: the page's (unsaved) rules, spoken before and after."""
    obj = get_object_or_404(model_admin.get_queryset(request), pk=pk)
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


def sync_now_view(model_admin: Any, request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(model_admin.get_queryset(request), pk=pk)
    if request.method != "POST" or not permissions.allowed(
        request, obj.organization_id, Role.EDITOR
    ):
        raise PermissionDenied
    queued = enqueue_sync(organization_id=obj.organization_id, trigger="manual")
    messages.success(request, f"Sync queued for {len(queued)} target(s).")
    return HttpResponseRedirect(reverse("admin:pronunciations_dictionary_change", args=[pk]))


class SyncDictionaryExtension(DictionaryAdminExtension):
    list_columns = (sync_badges,)
    list_filters = (SyncStatusFilter,)
    actions = (sync_now,)
    panels = (
        Panel("sync/admin/sync_panel.html", sync_panel),
        Panel("sync/admin/listen.html", listen_panel, slot=IN_PREVIEW),
    )
    media = forms.Media(css={"all": ["sync/admin.css"]}, js=["sync/listen.js"])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.prefetch_related(
            Prefetch("sync_states", queryset=SyncState.objects.select_related("target")),
            "organization__sync_targets",
        )

    def listen_urls(self, request: HttpRequest, dictionaries: Sequence[Any]) -> dict[int, str]:
        """Listen (speak_view) for the live dictionaries whose organization has a target to
        speak through; one query."""
        live = [d for d in dictionaries if d.deleted_at is None]
        speaking = (
            set(
                SyncTarget.objects.filter(
                    organization_id__in={d.organization_id for d in live}
                ).values_list("organization_id", flat=True)
            )
            if live
            else set()
        )
        return {
            d.pk: reverse("admin:sync_dictionary_speak", args=[d.pk])
            for d in live
            if d.organization_id in speaking
            and permissions.allowed(request, d.organization_id, Role.VIEWER)
        }

    def urls(self, model_admin: Any) -> list[URLPattern]:
        def sync(request: HttpRequest, pk: int) -> HttpResponse:
            return sync_now_view(model_admin, request, pk)

        def speak(request: HttpRequest, pk: int) -> JsonResponse:
            return speak_view(model_admin, request, pk)

        view = model_admin.admin_site.admin_view
        return [
            path("<int:pk>/sync/", view(sync), name="sync_dictionary_sync_now"),
            path("<int:pk>/speak/", view(speak), name="sync_dictionary_speak"),
        ]

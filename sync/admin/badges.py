"""The dictionary list's SLNG column: one badge per target, and the small JSON endpoint an open
list asks every few seconds (sync/badges.js) so its badges follow syncs and review decisions
made elsewhere."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils.html import format_html, format_html_join

from pronunciations.models import Dictionary
from sync.channels import due_revision, effective_status
from sync.failures import explain
from sync.models import SyncState, SyncStatus, SyncTarget

# At most this many dictionaries per request (an admin list page shows 100).
BADGES_LIMIT = 200


def _badge(target: SyncTarget, state: SyncState | None, obj: Dictionary) -> tuple[str, str, str]:
    """(status, text, full text on hover) of one target's badge in the list."""
    status = effective_status(state, due_revision(target, obj))
    text, title = f"{target.name}: {status}", f"{target.name}: {status}."
    if status == SyncStatus.FAILED and state is not None:
        why = explain(state.last_error_code)
        text += f": {why.short}"
        title += f" {why.what} {why.todo}"
    return status, text, title


def badges_html(obj: Dictionary) -> str:
    """The dictionary's badges (its queryset from the list's: sync states and targets
    prefetched, channel targets' due revisions annotated)."""
    states = {state.target_id: state for state in obj.sync_states.all()}
    badges = [_badge(t, states.get(t.pk), obj) for t in obj.organization.sync_targets.all()]
    return format_html_join(
        "",
        '<span class="sync-badge sync-{}" title="{}">{}</span>',
        ((s, h, t) for s, t, h in badges),
    )


@admin.display(description="SLNG")
def sync_badges(obj: Dictionary) -> str:
    return format_html(
        '<span class="sync-badges" data-dictionary="{}">{}</span>', obj.pk, badges_html(obj)
    )


def badges_view(model_admin: Any, request: HttpRequest) -> JsonResponse:
    """``?ids=1,2,…``: each listed dictionary's badges as HTML, by primary key, through the
    list's own queryset (so scoped like it); unknown or foreign ids are left out."""
    if not model_admin.has_module_permission(request):
        raise PermissionDenied
    ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()]
    queryset = model_admin.get_queryset(request).filter(pk__in=ids[:BADGES_LIMIT])
    return JsonResponse({"badges": {str(obj.pk): badges_html(obj) for obj in queryset}})

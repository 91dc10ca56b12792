"""Sync on the dictionary admin, added through pronunciations' extension point: the SLNG
column (sync.admin.badges, which follows syncs), the sync-status filter, the Sync now action and
button, the sync panel (which follows a sync through a small JSON endpoint until every target
settles, then what happens elsewhere), and Listen in the preview panel
(it speaks through the organization's target). Registered in SyncConfig.ready.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone

from core.exceptions import RateLimited, admin_error
from orgs import permissions
from orgs.actors import Actor
from orgs.models import Role
from orgs.scoping import restrict
from pronunciations import validation
from pronunciations.admin.extensions import IN_PREVIEW, DictionaryAdminExtension, Panel
from pronunciations.content import content_hash, current_wire
from pronunciations.errors import PronunciationError
from pronunciations.models import Dictionary
from pronunciations.selectors import only_live
from sync.admin import badges
from sync.channels import (
    AWAITING_VERIFICATION,
    CHECKS_FAILED,
    Waiting,
    due_revision,
    effective_status,
    not_audible,
    waiting,
    with_due_numbers,
)
from sync.enqueue import enqueue_sync
from sync.failures import explain, explain_run
from sync.models import Channel, RunStatus, SyncRun, SyncState, SyncStatus, SyncTarget
from sync.speak import heard_on, production_of, speak_allowed, speech_create

# Lexicon reading on its own account (orgs.scoping: every organization).
PANEL = Actor.system("sync panel")


class SyncStatusFilter(admin.SimpleListFilter):
    title = "sync status"
    parameter_name = "sync"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (s.value, s.label) for s in (SyncStatus.FAILED, SyncStatus.PENDING, SyncStatus.VERIFIED)
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        states = restrict(SyncState, PANEL).filter(dictionary=OuterRef("pk"))
        if self.value() == SyncStatus.FAILED:
            return queryset.filter(Exists(states.filter(status=SyncStatus.FAILED)))
        if self.value() == SyncStatus.VERIFIED:
            stale = ~Q(status=SyncStatus.VERIFIED) | ~Q(pushed_revision=OuterRef("revision"))
            return queryset.filter(Exists(states)).exclude(Exists(states.filter(stale)))
        if self.value() == SyncStatus.PENDING:
            fresh = states.filter(pushed_revision=OuterRef("revision"))
            return queryset.exclude(Exists(fresh.filter(~Q(status=SyncStatus.PENDING))))
        return queryset


@admin.action(description="Sync now")
def sync_now(model_admin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    scoped = restrict(queryset, permissions.actor(request), Role.EDITOR)
    org_ids = set(scoped.values_list("organization_id", flat=True))
    queued = [t for org in org_ids for t in enqueue_sync(organization_id=org, trigger="manual")]
    model_admin.message_user(request, f"Sync queued for {len(queued)} target(s).")


def _when(moment: datetime | None) -> str:
    """A time as the admin shows it (the active time zone, Django's format), or ""."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else ""


def _latest(*moments: datetime | None) -> datetime | None:
    return max((m for m in moments if m is not None), default=None)


def target_rows(obj: Dictionary, after: int = 0) -> tuple[list[dict[str, Any]], bool]:
    """Each target's state of this dictionary for the sync panel, and whether all are settled.

    "Checked" is the last time the target looked at the dictionary: the end of its last run that
    went through its whole plan (an unchanged dictionary is compared, not written), or the last
    push or verification. A target is settled when it is disabled, or verified at the current
    revision, or its last run started after the latest change and after run ``after`` (a Sync
    now) has finished. Five queries, whatever the number of runs or rules, and one for each
    channel target (what waits there, sync.channels). Each row says the IPA rules the target's
    model cannot speak (``audible``: empty when it speaks them all).
    """
    # A superseded run never ran (a later one did its work); a queued one has not started.
    runs = (
        restrict(SyncRun, PANEL).filter(target=OuterRef("pk")).exclude(status=RunStatus.SUPERSEDED)
    )
    runs = runs.order_by("-pk")
    whole = runs.filter(
        status__in=(RunStatus.SUCCEEDED, RunStatus.FAILED),
        error="",
        started_at__gte=obj.created_at,
    )
    targets = list(
        restrict(SyncTarget, PANEL)
        .filter(organization_id=obj.organization_id)
        .select_related("after")
        .order_by("name")
        .annotate(
            last_run_id=Subquery(runs.values("pk")[:1]),
            checked_run_id=Subquery(whole.values("pk")[:1]),
        )
    )
    if not targets:
        return [], True
    obj = with_due_numbers(restrict(Dictionary, PANEL).filter(pk=obj.pk), targets).get()
    ids = [(getattr(t, "last_run_id", None), getattr(t, "checked_run_id", None)) for t in targets]
    found = restrict(SyncRun, PANEL).in_bulk([pk for pair in ids for pk in pair if pk])
    states = {s.target_id: s for s in restrict(SyncState, PANEL).filter(dictionary=obj)}
    rows = [
        _target_row(obj, target, states.get(target.pk), found.get(last), found.get(whole), after)
        for target, (last, whole) in zip(targets, ids, strict=True)
    ]
    wire = current_wire(obj)
    for row, target in zip(rows, targets, strict=True):
        row["model"] = target.model
        row["audible"] = (not_audible(target, wire) or {}).get("message", "")
    return rows, all(row["settled"] for row in rows)


def _target_row(
    obj: Dictionary,
    target: SyncTarget,
    state: SyncState | None,
    last: SyncRun | None,
    checked: SyncRun | None,
    after: int,
) -> dict[str, Any]:
    due = due_revision(target, obj)
    status = effective_status(state, due)
    touched = _latest(state.verified_at, state.last_attempt_at) if state else None
    checked_at = _latest(checked.finished_at if checked else None, touched)
    run = checked
    if (
        last is not None
        and last.status != RunStatus.QUEUED
        and touched
        and last.started_at <= touched
    ):
        run = last  # the run that pushed or verified it last (perhaps still running)
    problem, detail = None, ""
    if status == SyncStatus.FAILED and state is not None:
        problem, detail = explain(state.last_error_code), state.last_error_message
    elif last is not None and last.error and (checked_at is None or last.started_at > checked_at):
        problem, detail, run = explain_run(last.error), last.error, last
    note = "target disabled" if not target.enabled else ""
    if target.enabled and last is not None and last.finished_at is None:
        note = "queued…" if last.status == RunStatus.QUEUED else "checking now…"
    revision = state.pushed_revision if state else None
    return {
        "target": target.name,
        "channel": channel_text(target),
        "status": status,
        "note": note,
        "revision": f"revision {revision} on SLNG" if revision else "",
        "waiting": waiting_text(waiting(target, obj, due)),
        "checked": _when(checked_at),
        "run_url": reverse("admin:sync_syncrun_change", args=[run.pk]) if run else "",
        "run_label": f"run {run.pk}" if run else "",
        "what": problem.what if problem else "",
        "todo": problem.todo if problem else "",
        "detail": detail,
        "settled": _settled(obj, target, status, touched, last, after),
    }


def channel_text(target: SyncTarget) -> str:
    """Which revisions the target serves, in words (the panel's line under its name)."""
    serves = "approved revisions" if target.channel == Channel.APPROVED else "every revision"
    after = f", once verified on {target.after.name}" if target.after_id and target.after else ""
    return serves + after


def waiting_text(found: Waiting | None) -> str:
    """What waits on a target, in words (the panel's line under the status)."""
    if found is None:
        return ""
    if found.reason == AWAITING_VERIFICATION:
        return f"revision {found.revision} waits for verification on {found.target}"
    if found.reason == CHECKS_FAILED:
        return f"revision {found.revision} waits: its checks fail, so it cannot be approved"
    return f"revision {found.revision} waits for review"


def _settled(
    obj: Dictionary,
    target: SyncTarget,
    status: str,
    touched: datetime | None,
    last: SyncRun | None,
    after: int,
) -> bool:
    """Whether the panel may stop following this target (see target_rows)."""
    finished = last is not None and last.finished_at is not None
    if not target.enabled:
        return True
    if after:  # after a Sync now: once a run it queued has finished
        return finished and last is not None and last.pk > after
    # after a save: once the current revision is verified, or failed, or a whole run went by
    ran = finished and last is not None and last.started_at >= obj.updated_at
    failed = status == SyncStatus.FAILED and touched is not None and touched >= obj.updated_at
    return status == SyncStatus.VERIFIED or failed or ran


def sync_panel(request: HttpRequest, obj: Dictionary) -> dict[str, Any] | None:
    """Each target's state of this dictionary, and Sync now for editors; nothing without targets."""
    rows, settled = target_rows(obj)
    if not rows:
        return None
    can_sync = permissions.allowed(request, obj.organization_id, Role.EDITOR)
    url = reverse("admin:sync_dictionary_sync_now", args=[obj.pk]) if can_sync else None
    status_url = reverse("admin:sync_dictionary_sync_status", args=[obj.pk])
    return {"sync_rows": rows, "sync_now_url": url, "status_url": status_url, "settled": settled}


def sync_status_view(model_admin: Any, request: HttpRequest, pk: int) -> JsonResponse:
    """The sync panel's rows as JSON, for the panel to follow a sync without a reload.

    Scoped like the change page (a live dictionary of the user's organizations, viewer or more;
    404 otherwise); ``after`` (a run id) is what a Sync now answered, so the panel waits for the
    runs it started. Seven queries with the session's, whatever the rules and runs.
    """
    # The dictionary row alone (not the list's annotated queryset): it is asked for often.
    obj = only_live(restrict(Dictionary, permissions.actor(request))).filter(pk=pk).first()
    if obj is None:
        raise Http404("No such dictionary.")
    try:
        after = validation.validate_int_parameter(
            request.GET.get("after", "0"), name="after", low=0, high=2**63 - 1
        )
    except ValidationError as exc:
        return admin_error(exc)
    rows, settled = target_rows(obj, after)
    return JsonResponse({"settled": settled, "targets": rows})


def listen_panel(request: HttpRequest, obj: Dictionary) -> dict[str, Any] | None:
    """Listen, when the organization has a target to speak through: the targets to choose
    from, the production target first chosen (``sync.speak.speak_target``), and who speaks."""
    targets = list(
        restrict(SyncTarget, PANEL)
        .filter(organization=obj.organization, enabled=True)
        .order_by("name")
    )
    if not targets:
        return None
    chosen = production_of(targets) or targets[0]
    return {
        "listen_url": reverse("admin:sync_dictionary_speak", args=[obj.pk]),
        "targets": [(t.name, heard_on(t, t.voice)["words"]) for t in targets],
        "chosen": chosen.name,
        "heard": heard_on(chosen, chosen.voice)["words"],
    }


def speak_view(model_admin: Any, request: HttpRequest, pk: int) -> JsonResponse:
    """Listen in the preview panel: the page's (unsaved) rules, spoken before and after."""
    obj = get_object_or_404(model_admin.get_queryset(request), pk=pk)
    if request.method != "POST" or not permissions.allowed(
        request, obj.organization_id, Role.VIEWER
    ):
        raise PermissionDenied
    if not speak_allowed(request):
        return admin_error(RateLimited("Too many Listen requests; wait a moment."))
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
            dictionary=obj,
        )
    except ValidationError as exc:
        return admin_error(exc)
    except PronunciationError as exc:
        return admin_error(exc)
    return JsonResponse(answer)


def sync_now_view(model_admin: Any, request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(model_admin.get_queryset(request), pk=pk)
    if request.method != "POST" or not permissions.allowed(
        request, obj.organization_id, Role.EDITOR
    ):
        raise PermissionDenied
    runs = restrict(SyncRun, permissions.actor(request))
    after = runs.filter(target__organization_id=obj.organization_id).aggregate(last=Max("pk"))[
        "last"
    ]
    queued = enqueue_sync(organization_id=obj.organization_id, trigger="manual")
    message = f"Sync queued for {len(queued)} target(s)."
    if request.headers.get("Accept") == "application/json":  # the panel follows it in place
        return JsonResponse({"message": message, "queued": len(queued), "after": after or 0})
    messages.success(request, message)
    return HttpResponseRedirect(reverse("admin:pronunciations_dictionary_change", args=[pk]))


class SyncDictionaryExtension(DictionaryAdminExtension):
    list_columns = (badges.sync_badges,)
    list_filters = (SyncStatusFilter,)
    actions = (sync_now,)
    panels = (
        Panel("sync/admin/sync_panel.html", sync_panel),
        Panel("sync/admin/listen.html", listen_panel, slot=IN_PREVIEW),
    )
    media = forms.Media(
        css={"all": ["sync/admin.css"]},
        js=[
            "pronunciations/speak.js",
            "sync/listen.js",
            "sync/panel.js",
            "pronunciations/live.js",
            "sync/badges.js",
        ],
    )

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Each channel target's due revision as a column of the list's own query (no query
        # per row); targets on latest without `after` need none.
        actor = permissions.actor(request)
        states = restrict(SyncState, actor).select_related("target")
        return with_due_numbers(queryset, restrict(SyncTarget, actor)).prefetch_related(
            Prefetch("sync_states", queryset=states),
            "organization__sync_targets",
        )

    def listen_urls(self, request: HttpRequest, dictionaries: Sequence[Any]) -> dict[int, str]:
        """Listen (speak_view) for the live dictionaries whose organization has a target to
        speak through; one query."""
        live = [d for d in dictionaries if d.deleted_at is None]
        speaking = (
            set(
                restrict(SyncTarget, permissions.actor(request))
                .filter(organization_id__in={d.organization_id for d in live})
                .values_list("organization_id", flat=True)
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

        def status(request: HttpRequest, pk: int) -> JsonResponse:
            return sync_status_view(model_admin, request, pk)

        def listed(request: HttpRequest) -> JsonResponse:
            return badges.badges_view(model_admin, request)

        view = model_admin.admin_site.admin_view
        return [
            path("<int:pk>/sync/", view(sync), name="sync_dictionary_sync_now"),
            path("<int:pk>/sync/status/", view(status), name="sync_dictionary_sync_status"),
            path("<int:pk>/speak/", view(speak), name="sync_dictionary_speak"),
            path("sync/badges/", view(listed), name="sync_dictionary_badges"),
        ]

"""The dictionary's history page and restoring an old revision, confirmed first."""

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from orgs import permissions
from orgs.actors import Actor
from orgs.models import Role
from pronunciations import ripple, services
from pronunciations.admin import outcomes
from pronunciations.diff import diff_lines, diff_summary, snapshot_diff
from pronunciations.errors import PronunciationError
from pronunciations.models import Dictionary, Revision


class HistoryAdminMixin:
    """The revisions page (Django's own history URL leads to it) and restore's confirmation."""

    admin_site: Any
    model: Any

    if TYPE_CHECKING:  # the host admin's

        def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool: ...

        def get_object(
            self, request: HttpRequest, object_id: str, from_field: str | None = None
        ) -> Any: ...

        def _editable(self, request: HttpRequest, pk: int, role: str) -> Dictionary: ...

    def revisions_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self._editable(request, pk, Role.VIEWER)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        revisions = list(obj.revisions.order_by("-number")[:100])
        rows = [
            (
                revision,
                diff_lines(snapshot_diff(older.snapshot, revision.snapshot)) if older else None,
            )
            for revision, older in zip(revisions, [*revisions[1:], None], strict=True)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "rows": rows,
            "title": f"History of {obj.name}",
            "can_restore": permissions.allowed(request, obj.organization_id, Role.EDITOR),
            "layer_changes": ripple.layer_changes(obj),
        }
        return TemplateResponse(request, "admin/pronunciations/dictionary/revisions.html", context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        """Django's own history logs form fields, not rules: its URL leads to the revisions."""
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        return HttpResponseRedirect(
            reverse("admin:pronunciations_dictionary_revisions", args=[obj.pk])
        )

    def restore_view(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        """Restore asks first: what restoring ``number`` changes against the current revision,
        rule by rule; the confirmation's POST restores, refused if anyone saved in between."""
        obj = self._editable(request, pk, Role.EDITOR)
        chosen = get_object_or_404(obj.revisions, number=number)
        if request.method == "POST":
            return self._restore(request, obj, chosen)
        current = obj.revisions.get(number=obj.revision)
        diff = snapshot_diff(current.snapshot, chosen.snapshot)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "chosen": chosen,
            "lines": diff_lines(diff),
            "summary": diff_summary(diff),
            "title": f"Restore revision {number} of {obj.name}?",
            # The history page's version: someone saved after it was opened.
            "moved_on": request.GET.get("etag") not in (None, obj.etag),
        }
        return TemplateResponse(request, "admin/pronunciations/dictionary/restore.html", context)

    def _restore(self, request: HttpRequest, obj: Dictionary, chosen: Revision) -> HttpResponse:
        before = obj.revisions.get(number=obj.revision).snapshot
        try:
            restored = services.dictionary_revision_restore(
                organization=obj.organization,
                name=obj.name,
                number=chosen.number,
                if_match=request.POST.get("etag") or None,
                author=Actor.for_user(request.user),
            )
        except PronunciationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.get_full_path())
        except ValidationError as exc:  # an old revision that today's rules refuse
            problems = (f"{key}: {' '.join(ms)}" for key, ms in exc.message_dict.items())
            messages.error(request, "This revision cannot be restored: " + "; ".join(problems))
            return HttpResponseRedirect(request.get_full_path())
        summary = diff_summary(snapshot_diff(before, chosen.snapshot))
        revision = restored.revisions.get(number=restored.revision)
        messages.success(
            request,
            f"Restored revision {chosen.number} as revision {restored.revision}: {summary}."
            + outcomes.proposal_note(revision),
        )
        return HttpResponseRedirect(
            reverse("admin:pronunciations_dictionary_revisions", args=[obj.pk])
        )

"""Deleted dictionaries in the admin: a truthful delete confirmation, the list of deleted
dictionaries and Restore, which asks first and names what comes back.

Mixed into DictionaryAdmin. A deletion keeps the dictionary (its rules, checks and history)
and frees its name; ``services.dictionary_undelete`` brings it back under that name, refused
while a live dictionary holds it. Viewers see the list; editors restore.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from orgs import permissions
from orgs.actors import Actor
from orgs.models import Role
from orgs.scoping import restrict
from pronunciations import selectors, services
from pronunciations.admin import outcomes
from pronunciations.admin.pages import DictionaryPages
from pronunciations.diff import contents_summary
from pronunciations.errors import DictionaryConflict, PronunciationError
from pronunciations.models import Dictionary

# Reads keyed by rows this page already scoped to the user (the page checks the role).
SCOPED_PAGE = Actor.system("deleted dictionaries page")

# Deleted dictionaries listed on the page, most recently deleted first.
DELETED_LIMIT = 100


def _retention() -> timedelta:
    return timedelta(days=settings.LEXICON_DELETED_RETENTION_DAYS)


def _kept_lines(objs: Any) -> list[str]:
    """What deleting each dictionary keeps, in words; one query for any number of them."""
    pks = [obj.pk for obj in objs]
    counted = (
        restrict(Dictionary, SCOPED_PAGE).filter(pk__in=pks).annotate(rule_count=Count("rules"))
    )
    days = settings.LEXICON_DELETED_RETENTION_DAYS
    return [
        f"{d.name}: kept with its {d.rule_count} rule{'' if d.rule_count == 1 else 's'}, its "
        f"checks and its {d.revision} revision{'' if d.revision == 1 else 's'}; restorable for "
        f"{days} days"
        for d in counted.order_by("normalized_name")
    ]


def _deleted_row(request: HttpRequest, dictionary: Any) -> dict[str, Any]:
    """A row of the deleted dictionaries (annotated by ``selectors.deleted_dictionary_scan``)."""
    return {
        "dictionary": dictionary,
        "holds": contents_summary(dictionary.deletion_snapshot or {}),
        "restorable_until": dictionary.deleted_at + _retention(),
        "can_restore": permissions.allowed(request, dictionary.organization_id, Role.EDITOR),
    }


class DeletedAdminMixin(DictionaryPages):
    """Deleted dictionaries and their restore. The confirmations' templates are Django's names
    for the dictionary's (``dictionary/delete_confirmation.html``,
    ``dictionary/delete_selected_confirmation.html``)."""

    def get_urls(self) -> list[Any]:
        pages = self.page_urls(
            ("deleted/", "deleted", self.deleted_view),
            ("deleted/<int:pk>/restore/", "undelete", self.undelete_view),
        )
        return [*pages, *super().get_urls()]  # type: ignore[misc]

    # -- deleting says what happens --------------------------------------------------------

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """Nothing is removed: the confirmation lists what each deletion keeps instead of the
        rule and revision rows Django would count as cascading."""
        lines = _kept_lines(objs)
        return lines, {"dictionaries": len(lines)}, set(), []

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        context = {
            "retention_days": settings.LEXICON_DELETED_RETENTION_DAYS,
            "deleted_url": reverse("admin:pronunciations_dictionary_deleted"),
            **(extra_context or {}),
        }
        return super().delete_view(request, object_id, context)  # type: ignore[misc]

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: Any) -> Any:
        response = super().response_delete(request, obj_display, obj_id)  # type: ignore[misc]
        messages.info(
            request,
            f"Nothing is lost: “{obj_display}” is kept with its rules, checks and history; "
            "restore it from Deleted dictionaries within "
            f"{settings.LEXICON_DELETED_RETENTION_DAYS} days.",
        )
        return response

    # -- the deleted dictionaries and restore ------------------------------------------------

    def _deleted(self, request: HttpRequest, minimum: str) -> QuerySet[Dictionary]:
        queryset = restrict(Dictionary, permissions.actor(request), minimum)
        since = timezone.now() - _retention()
        return queryset.filter(deleted_at__gte=since).select_related("organization")

    def deleted_view(self, request: HttpRequest) -> HttpResponse:
        """The user's organizations' dictionaries deleted within the retention period; one
        query for the list, whatever its length."""
        if not self.has_module_permission(request):
            raise PermissionDenied
        since = timezone.now() - _retention()
        found = selectors.deleted_dictionary_scan(
            actor=permissions.actor(request), since=since, limit=DELETED_LIMIT + 1
        )
        rows = [_deleted_row(request, dictionary) for dictionary in found[:DELETED_LIMIT]]
        context = {
            "rows": rows,
            "more": len(found) > DELETED_LIMIT,
            "limit": DELETED_LIMIT,
            "retention_days": settings.LEXICON_DELETED_RETENTION_DAYS,
            "show_organization": len({dictionary.organization_id for dictionary in found}) > 1,
        }
        return self.render_page(request, "deleted.html", "Deleted dictionaries", context)

    def undelete_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Restore asks first, naming what comes back; its POST undeletes."""
        found = selectors.with_deletion(self._deleted(request, Role.VIEWER))
        dictionary = get_object_or_404(found, pk=pk)
        if not permissions.allowed(request, dictionary.organization_id, Role.EDITOR):
            raise PermissionDenied
        if request.method == "POST":
            return self._undelete(request, dictionary)
        snapshot = dictionary.revisions.get(number=dictionary.revision).snapshot
        context = {
            "dictionary": dictionary,
            "holds": contents_summary(snapshot),
            "metadata": snapshot.get("metadata") or {},
            "name_taken": selectors.dictionary_named(
                organization=dictionary.organization, name=dictionary.name
            ).exists(),
        }
        return self.render_page(request, "undelete.html", f"Restore {dictionary.name}?", context)

    def _undelete(self, request: HttpRequest, dictionary: Dictionary) -> HttpResponse:
        try:
            restored = services.dictionary_undelete(
                organization=dictionary.organization,
                dictionary_id=dictionary.public_id,
                author=Actor.for_user(request.user),
            )
        except DictionaryConflict:
            messages.error(
                request,
                f"{dictionary.name} was not restored: a live dictionary of "
                f"{dictionary.organization.name} is named {dictionary.name} now. Rename or "
                "delete that one first.",
            )
            return HttpResponseRedirect(reverse("admin:pronunciations_dictionary_deleted"))
        except PronunciationError as exc:
            messages.error(request, f"{dictionary.name} was not restored: {exc.message}.")
            return HttpResponseRedirect(reverse("admin:pronunciations_dictionary_deleted"))
        except ValidationError as exc:  # its includes no longer hold (a layer deleted since)
            messages.error(
                request, f"{dictionary.name} was not restored: {'; '.join(exc.messages)}."
            )
            return HttpResponseRedirect(reverse("admin:pronunciations_dictionary_deleted"))
        newest = restored.revisions.get(number=restored.revision)
        messages.success(
            request,
            f"Restored {restored.name} as revision {restored.revision}, with its rules, checks "
            "and history." + outcomes.proposal_note(newest),
        )
        return HttpResponseRedirect(
            reverse("admin:pronunciations_dictionary_change", args=[restored.pk])
        )

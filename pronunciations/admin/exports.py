"""The dictionary list's export actions: the selection streamed in our formats, or written for
a vendor with its report shown as messages."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from orgs.actors import Actor
from orgs.scoping import restrict
from pronunciations import selectors
from pronunciations.models import Dictionary
from pronunciations.transfer import exporting, vendors

# Reads keyed by rows the list already scoped to the user.
EXPORT_ACTIONS = Actor.system("export actions")
# A vendor export's warnings shown as messages (they live in the session until shown).
_MAX_MESSAGES = 10


class ExportActionsMixin:
    """The export actions of an admin whose queryset is already scoped to the user."""

    actions = [
        "export_csv",
        "export_xlsx",
        "export_json",
        "export_polly",
        "export_azure",
        "export_elevenlabs",
        "export_elevenlabs_json",
        "export_cartesia",
    ]

    def _selected(self, queryset: QuerySet[Any]) -> QuerySet[Dictionary]:
        """The selected dictionaries (already scoped to the user's organizations), by name."""
        ids = list(queryset.values_list("pk", flat=True))
        selected = selectors.with_current_modes(
            restrict(Dictionary, EXPORT_ACTIONS).filter(pk__in=ids)
        )
        selected = selectors.with_current_checks(selected)
        return selected.order_by("normalized_name")

    def _export(self, queryset: QuerySet[Any], file_format: str) -> HttpResponseBase:
        """Stream the selected dictionaries."""
        return exporting.export_response(self._selected(queryset), file_format, "dictionaries")

    def _vendor_export(
        self, request: HttpRequest, queryset: QuerySet[Any], file_format: str
    ) -> HttpResponseBase:
        """A vendor export of the selection; its report (warnings first) becomes a message the
        next page shows, and is in the zip's report.txt when there are several files."""
        export = exporting.vendor_export(self._selected(queryset), file_format, "dictionaries")
        warnings, vendor = export.report.warnings(), vendors.NAMES[file_format]
        for warning in warnings[:_MAX_MESSAGES]:
            messages.warning(request, f"{vendor} export: {warning}")
        if len(warnings) > _MAX_MESSAGES:
            more = len(warnings) - _MAX_MESSAGES
            messages.warning(request, f"{vendor} export: {more} more warnings, not shown")
        if not warnings:
            messages.info(request, f"{vendor} export: every rule carried")
        return exporting.vendor_file_response(export)

    @admin.action(description="Export selected as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self._export(queryset, "csv")

    @admin.action(description="Export selected as XLSX")
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self._export(queryset, "xlsx")

    @admin.action(description="Export selected as JSON")
    def export_json(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self._export(queryset, "json")

    @admin.action(description="Export selected for Amazon Polly (PLS lexicons)")
    def export_polly(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self._vendor_export(request, queryset, "polly")

    @admin.action(description="Export selected for Azure (PLS, one file per language)")
    def export_azure(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self._vendor_export(request, queryset, "azure")

    @admin.action(description="Export selected for ElevenLabs (PLS)")
    def export_elevenlabs(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self._vendor_export(request, queryset, "elevenlabs")

    @admin.action(description="Export selected for ElevenLabs (JSON rules)")
    def export_elevenlabs_json(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponseBase:
        return self._vendor_export(request, queryset, "elevenlabs-json")

    @admin.action(description="Export selected for Cartesia (JSON items)")
    def export_cartesia(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self._vendor_export(request, queryset, "cartesia")

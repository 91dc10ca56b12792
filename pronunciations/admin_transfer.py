"""Import and export in the dictionary admin: django-import-export's import flow, streamed
export actions, and PLS per dictionary. Mixed into DictionaryAdmin.
"""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.response import TemplateResponse
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV, JSON, XLSX

from orgs import permissions
from orgs.models import Role
from pronunciations import fileformats, transfer
from pronunciations.admin_forms import (
    OrganizationConfirmImportForm,
    OrganizationImportForm,
    PlsImportForm,
)
from pronunciations.content import modes_from_rules, modes_to_wire
from pronunciations.imports import ImportRejected
from pronunciations.models import Dictionary, Rule
from pronunciations.pls import pls_dump
from pronunciations.resources import DictionaryRulesResource
from pronunciations.transfer import accepts_uploads


class TransferAdminMixin(ImportMixin):
    """Needs the host admin's ``_editable(request, pk, role)``."""

    resource_classes = [DictionaryRulesResource]
    formats = [CSV, XLSX, JSON]
    import_form_class = OrganizationImportForm
    confirm_form_class = OrganizationConfirmImportForm
    skip_admin_log = True
    actions = ["export_csv", "export_xlsx", "export_json"]

    def _editable(self, request: HttpRequest, pk: int, role: str) -> Dictionary:
        raise NotImplementedError

    def get_urls(self) -> list[Any]:
        """django-import-export's pages, the import page marked as taking an upload."""
        urls = super().get_urls()
        for pattern in urls:
            if str(getattr(pattern, "name", "")).endswith("_import"):
                accepts_uploads(pattern.callback)
        return urls

    def pls_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self._editable(request, pk, Role.VIEWER)
        modes = modes_to_wire(modes_from_rules(obj.rules.order_by("mode", "position")))
        body = pls_dump(modes, obj.metadata)
        response = HttpResponse(body, content_type=fileformats.CONTENT_TYPES["pls"])
        response["Content-Disposition"] = f'attachment; filename="{obj.name}.pls"'
        return response

    def pls_import_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Import a PLS lexicon into this dictionary (dry run first by default)."""
        obj = self._editable(request, pk, Role.EDITOR)
        form = PlsImportForm(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": f"Import PLS into {obj.name}",
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            try:
                report = transfer.import_file(
                    organization=obj.organization,
                    data=form.cleaned_data["file"].read(),
                    file_format="pls",
                    mode=form.cleaned_data["mode"],
                    dry_run=form.cleaned_data["dry_run"],
                    dictionary=obj.name,
                    author=request.user.get_username(),
                )
                context["report"] = report.to_wire()
            except ImportRejected as exc:
                context["errors"] = [f"{e.column}: {e.message}" for e in exc.report.errors]
            except ValidationError as exc:
                context["errors"] = [m for ms in exc.message_dict.values() for m in ms]
        return TemplateResponse(request, "admin/pronunciations/dictionary/pls_import.html", context)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return permissions.organization_ids(request, Role.EDITOR) != []

    def get_import_form_kwargs(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        form_kwargs = super().get_import_form_kwargs(request, *args, **kwargs)
        form_kwargs["organizations"] = permissions.organizations(request, Role.EDITOR)
        return form_kwargs

    def get_confirm_form_kwargs(self, request: HttpRequest, import_form: Any = None) -> Any:
        form_kwargs = super().get_confirm_form_kwargs(request, import_form)
        form_kwargs["organizations"] = permissions.organizations(request, Role.EDITOR)
        return form_kwargs

    def get_confirm_form_initial(self, request: HttpRequest, import_form: Any) -> Any:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            data = import_form.cleaned_data
            initial.update(
                organization=data["organization"].pk,
                mode=data["mode"],
                create_missing=data["create_missing"],
            )
        return initial

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> Any:
        form = kwargs.get("form")
        if form is None or not hasattr(form, "cleaned_data"):
            return {"organization": None}
        organization = form.cleaned_data.get("organization")
        if organization is None:
            return {"organization": None}
        if not permissions.allowed(request, organization.pk, Role.EDITOR):
            raise PermissionDenied
        return {
            "organization": organization,
            "mode": form.cleaned_data.get("mode") or "merge",
            "create_missing": bool(form.cleaned_data.get("create_missing")),
            "author": request.user.get_username(),
        }

    def _export(self, queryset: QuerySet[Any], file_format: str) -> HttpResponseBase:
        """Stream the selected dictionaries (already scoped to the user's organizations)."""
        ids = list(queryset.values_list("pk", flat=True))
        selected = (
            Dictionary.objects.filter(pk__in=ids)
            .prefetch_related(Prefetch("rules", queryset=Rule.objects.order_by("mode", "position")))
            .order_by("normalized_name")
        )
        return transfer.export_response(selected, file_format, "dictionaries")

    @admin.action(description="Export selected as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self._export(queryset, "csv")

    @admin.action(description="Export selected as XLSX")
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self._export(queryset, "xlsx")

    @admin.action(description="Export selected as JSON")
    def export_json(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponseBase:
        return self._export(queryset, "json")

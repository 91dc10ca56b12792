"""The dictionary list's filters: by organization, by language."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import BadRequest, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from orgs import permissions
from pronunciations import validation


class LanguageFilter(admin.SimpleListFilter):
    title = "language"
    parameter_name = "language"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # The API keeps metadata free-form: a language may be a number, a list or an object,
        # which neither sorts with text nor can be offered as a choice.
        languages = model_admin.get_queryset(request).values_list("metadata__language", flat=True)
        tags = {lang for lang in languages if isinstance(lang, str) and lang}
        return [(lang, lang) for lang in sorted(tags)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(metadata__language=self.value()) if self.value() else queryset


class OrganizationFilter(admin.SimpleListFilter):
    title = "organization"
    parameter_name = "org"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(o.pk), o.name) for o in permissions.organizations(request)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        try:
            pk = validation.validate_int_parameter(value, name="org", low=1, high=2**63 - 1)
        except ValidationError as exc:
            raise BadRequest(f"org: {' '.join(exc.message_dict['org'])}") from exc
        return queryset.filter(organization_id=pk)

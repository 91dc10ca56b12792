"""Every read of dictionaries, always scoped to the caller's organization."""

from django.db.models import Prefetch, QuerySet

from orgs.models import Organization
from pronunciations.errors import DictionaryNotFound
from pronunciations.models import Dictionary, Rule


def _with_rules(queryset: QuerySet[Dictionary]) -> QuerySet[Dictionary]:
    ordered = Rule.objects.order_by("mode", "position")
    return queryset.select_related("organization").prefetch_related(
        Prefetch("rules", queryset=ordered)
    )


def dictionary_list(*, organization: Organization) -> QuerySet[Dictionary]:
    """All dictionaries of the organization with their rules, ordered by name."""
    return _with_rules(Dictionary.objects.filter(organization=organization)).order_by(
        "normalized_name", "name"
    )


def dictionary_get(*, organization: Organization, name: str) -> Dictionary:
    """The organization's dictionary by name (case-insensitive); raises DictionaryNotFound."""
    found = _with_rules(
        Dictionary.objects.filter(organization=organization, normalized_name=name.lower())
    ).first()
    if found is None:
        raise DictionaryNotFound(name)
    return found

"""Every read of dictionaries, always scoped to the caller's organization."""

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from orgs.models import Organization
from pronunciations.errors import DictionaryNotFound, RevisionNotFound
from pronunciations.models import Dictionary, Revision, Rule


def _with_rules(queryset: QuerySet[Dictionary]) -> QuerySet[Dictionary]:
    ordered = Rule.objects.order_by("mode", "position")
    return queryset.select_related("organization").prefetch_related(
        Prefetch("rules", queryset=ordered)
    )


def _live(organization: Organization) -> QuerySet[Dictionary]:
    return Dictionary.objects.filter(organization=organization, deleted_at__isnull=True)


def dictionary_list(*, organization: Organization) -> QuerySet[Dictionary]:
    """All live dictionaries of the organization with their rules, ordered by name."""
    return _with_rules(_live(organization)).order_by("normalized_name", "name")


def dictionary_get(*, organization: Organization, name: str) -> Dictionary:
    """The organization's live dictionary by name (case-insensitive); raises DictionaryNotFound."""
    found = _with_rules(_live(organization).filter(normalized_name=name.lower())).first()
    if found is None:
        raise DictionaryNotFound(name)
    return found


def deleted_dictionary_list(
    *, organization: Organization, since: datetime | None = None
) -> QuerySet[Dictionary]:
    """Deleted dictionaries of the organization, most recently deleted first."""
    queryset = Dictionary.objects.filter(organization=organization, deleted_at__isnull=False)
    if since is not None:
        queryset = queryset.filter(deleted_at__gte=since)
    return queryset.select_related("organization").order_by("-deleted_at", "-pk")


def revision_list(
    *, organization: Organization, name: str, before: int | None = None, limit: int = 50
) -> tuple[Dictionary, list[Revision]]:
    """A page of the dictionary's revisions, newest first, numbered below ``before``."""
    dictionary = dictionary_get(organization=organization, name=name)
    revisions = dictionary.revisions.order_by("-number")
    if before is not None:
        revisions = revisions.filter(number__lt=before)
    return dictionary, list(revisions[:limit])


def revision_get(*, organization: Organization, name: str, number: int) -> Revision:
    dictionary = dictionary_get(organization=organization, name=name)
    revision = dictionary.revisions.filter(number=number).first()
    if revision is None:
        raise RevisionNotFound(dictionary.name, number)
    return revision

"""The one scoping home: every read of organization-owned data goes through ``restrict``.

In the spirit of NetBox's ``RestrictedQuerySet.restrict(user, action)``: ``restrict(Model,
actor, minimum)`` is the model's rows in the organizations where the actor (an API key, an
admin user, a command or a named system actor: ``orgs.actors.Actor``) holds at least
``minimum``. A model is organization-owned when a chain of foreign keys leads from it to
``Organization`` (``Dictionary.organization``, ``SyncState.target.organization``, …);
``organization_path`` finds the chain, so a new model is scoped the day it is added.
``tests/test_scoping.py`` fails when code reads such a model any other way.
"""

from functools import cache
from typing import Any, TypeVar

from django.apps import apps
from django.db.models import Model, QuerySet

from orgs.actors import Actor
from orgs.models import Organization, Role

M = TypeVar("M", bound=Model)


@cache
def organization_path(model: type[Model]) -> str | None:
    """The lookup from ``model`` to its organization's id (``"target__organization_id"``), or
    None for a model no organization owns. The shortest chain of non-null foreign keys wins."""
    if model is Organization:
        return "pk"
    paths: list[tuple[type[Model], str]] = [(model, "")]
    seen = {model}
    while paths:
        current, prefix = paths.pop(0)
        for field in current._meta.get_fields():
            if not field.many_to_one or getattr(field, "null", True) or not field.related_model:
                continue
            related: Any = field.related_model
            if related is Organization:
                return f"{prefix}{field.name}_id"
            if related not in seen:
                seen.add(related)
                paths.append((related, f"{prefix}{field.name}__"))
    return None


def owned_models() -> list[type[Model]]:
    """Every installed model that an organization owns, Organization itself among them."""
    return [model for model in apps.get_models() if organization_path(model) is not None]


def restrict(
    source: type[M] | QuerySet[M], actor: Actor, minimum: str = Role.VIEWER
) -> QuerySet[M]:
    """The rows of ``source`` (a model or a queryset of one) in the organizations where
    ``actor`` holds ``minimum``: all of them for an actor that reaches every organization.

    Raises LookupError for a model no organization owns (nothing to scope it by).
    """
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    path = organization_path(queryset.model)
    if path is None:
        raise LookupError(f"{queryset.model.__name__} is not owned by an organization")
    ids = actor.organization_ids(minimum)
    return queryset if ids is None else queryset.filter(**{f"{path}__in": ids})


def get_or_raise(queryset: QuerySet[M], not_found: Exception, **lookup: Any) -> M:
    """The one row of ``queryset`` (from ``restrict``) matching ``lookup``, else ``not_found``
    raised: a row of another organization is not found, never forbidden (its existence is not
    told)."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise not_found
    return found

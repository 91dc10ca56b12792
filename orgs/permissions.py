"""Who may do what in which organization: roles viewer < editor < reviewer < admin.

Superusers may do everything.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest

from orgs.actors import Actor
from orgs.models import Membership, Organization, Role

_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.REVIEWER: 3, Role.ADMIN: 4}


def at_least(role: str, minimum: str) -> bool:
    """Whether ``role`` (a member's or an API key's; "" for none) ranks at ``minimum`` or above."""
    return role in _RANK and _RANK[Role(role)] >= _RANK[Role(minimum)]


def roles_of(request: HttpRequest) -> dict[int, str]:
    """The user's role per organization id, read once per request."""
    cached: dict[int, str] | None = getattr(request, "_lexicon_roles", None)
    if cached is None:
        user: Any = request.user
        rows = Membership.objects.filter(user_id=user.pk).values_list("organization_id", "role")
        cached = dict(rows) if user.is_authenticated and user.is_staff else {}
        request._lexicon_roles = cached  # type: ignore[attr-defined]
    return cached


def allowed(request: HttpRequest, organization_id: int | None, minimum: str) -> bool:
    """True when the user holds at least ``minimum`` in the organization (or is a superuser)."""
    return at_least(role_in(request, organization_id), minimum)


def role_in(request: HttpRequest, organization_id: int | None) -> str:
    """The user's role in the organization: admin for a superuser, "" for a non-member."""
    user: Any = request.user
    if user.is_active and user.is_superuser:
        return Role.ADMIN
    return roles_of(request).get(organization_id or 0, "")


def actor(request: HttpRequest, organization_id: int | None) -> Actor:
    """The user as an actor in the organization: their name, reference and role there."""
    return Actor.for_user(request.user, role_in(request, organization_id))


def organization_ids(request: HttpRequest, minimum: str = Role.VIEWER) -> list[int] | None:
    """Ids of the organizations where the user holds ``minimum``; None means all (superuser)."""
    user: Any = request.user
    if user.is_active and user.is_superuser:
        return None
    return [org for org, role in roles_of(request).items() if at_least(role, minimum)]


def organizations(request: HttpRequest, minimum: str = Role.VIEWER) -> QuerySet[Organization]:
    ids = organization_ids(request, minimum)
    queryset = Organization.objects.all()
    return queryset if ids is None else queryset.filter(pk__in=ids)


def users(request: HttpRequest, minimum: str = Role.VIEWER) -> QuerySet[Any]:
    """Accounts that are members of the organizations where the user holds ``minimum``."""
    ids = organization_ids(request, minimum)
    queryset = get_user_model().objects.all()
    if ids is None:
        return queryset
    return queryset.filter(memberships__organization_id__in=ids).distinct()


def can(request: HttpRequest, organization_id: int | None, minimum: str) -> bool:
    """``minimum`` in that organization, or, with no organization, in at least one."""
    if organization_id is None:
        return organization_ids(request, minimum) != []
    return allowed(request, organization_id, minimum)

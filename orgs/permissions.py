"""Who may do what in which organization: roles viewer < editor < reviewer < admin.

Superusers may do everything.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest

from orgs.actors import Actor, at_least
from orgs.models import Membership, Organization, Role
from orgs.scoping import restrict

__all__ = ["actor", "allowed", "at_least", "can", "organization_ids", "organizations", "users"]


def roles_of(request: HttpRequest) -> dict[int, str]:
    """The user's role per organization id, read once per request (their own memberships: the
    read that tells the scoping home what the user reaches)."""
    cached: dict[int, str] | None = getattr(request, "_lexicon_roles", None)
    if cached is None:
        user: Any = request.user
        mine = Actor.system("membership lookup")
        rows = restrict(Membership, mine).filter(user_id=user.pk)
        found = rows.values_list("organization_id", "role")
        cached = dict(found) if user.is_authenticated and user.is_staff else {}
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


def actor(request: HttpRequest, organization_id: int | None = None) -> Actor:
    """The user as an actor: their name, reference, role in the organization acted on, and
    their roles everywhere (every organization for a superuser), for ``orgs.scoping``."""
    user: Any = request.user
    reach = None if user.is_active and user.is_superuser else roles_of(request)
    return Actor.for_user(user, role_in(request, organization_id), reach)


def organization_ids(request: HttpRequest, minimum: str = Role.VIEWER) -> list[int] | None:
    """Ids of the organizations where the user holds ``minimum``; None means all (superuser)."""
    return actor(request).organization_ids(minimum)


def organizations(request: HttpRequest, minimum: str = Role.VIEWER) -> QuerySet[Organization]:
    return restrict(Organization, actor(request), minimum)


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

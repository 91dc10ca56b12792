"""Who acts: the author of a change, the reviewer who decides it, and what either may read.

An ``Actor`` is what every write, every review decision and every scoped read is given: the
name shown in the history, a stable reference for the "never your own change" rule
(``user:<pk>``, ``key:<prefix>``, ``command:<name>`` or ``system:<name>``), the actor's role in
the organization acted on, and its reach: its role in each organization it may read
(``orgs.scoping.restrict`` narrows every query of organization-owned data to it).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from orgs.models import APIKey, Organization, Role

_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.REVIEWER: 3, Role.ADMIN: 4}
# Reach: organization id -> the actor's role there; None is every organization (a superuser,
# a management command, a task acting for the system).
Reach = Mapping[int, str] | None
_NOWHERE: Mapping[int, str] = MappingProxyType({})


def at_least(role: str, minimum: str) -> bool:
    """Whether ``role`` (a member's or an API key's; "" for none) ranks at ``minimum`` or above."""
    return role in _RANK and _RANK[Role(role)] >= _RANK[Role(minimum)]


@dataclass(frozen=True)
class Actor:
    name: str
    ref: str
    role: str = ""  # a Role value; "" when none is known (an author needs none)
    # Not part of who the actor is (two equal actors may be read in different requests).
    reach: Reach = field(default_factory=lambda: _NOWHERE, compare=False, hash=False, repr=False)

    @classmethod
    def for_key(cls, api_key: APIKey) -> "Actor":
        """An API key: its label, its prefix and its own role, reaching its organization only."""
        reach = MappingProxyType({api_key.organization_id: str(api_key.role)})
        return cls(api_key.label, f"key:{api_key.prefix}", api_key.role, reach)

    @classmethod
    def for_user(cls, user: Any, role: str = "", reach: Reach = _NOWHERE) -> "Actor":
        """An admin user, with their role in the organization (orgs.permissions.role_in) and
        their roles by organization (``orgs.permissions.actor`` fills both)."""
        return cls(user.get_username(), f"user:{user.pk}", role, reach)

    @classmethod
    def for_command(cls, name: str) -> "Actor":
        """A management command run by whoever has the server's shell: it reaches everything
        (its options narrow what it reads)."""
        return cls(f"manage.py {name}", f"command:{name}", Role.ADMIN, None)

    @classmethod
    def system(cls, name: str, organization: Organization | int | None = None) -> "Actor":
        """Lexicon itself, named for what it does (``"sync task"``): every organization, or
        only ``organization`` when it acts for one (a task's message names its organization)."""
        if organization is None:
            return cls(name, f"system:{name}", Role.ADMIN, None)
        pk = organization if isinstance(organization, int) else organization.pk
        return cls(name, f"system:{name}", Role.ADMIN, MappingProxyType({pk: Role.ADMIN}))

    def within(self, organization: Organization | int) -> "Actor":
        """The same actor narrowed to one organization (nothing, where it has no role)."""
        pk = organization if isinstance(organization, int) else organization.pk
        role = (self.role or Role.ADMIN) if self.reach is None else self.reach.get(pk, "")
        reach = MappingProxyType({pk: role} if role else {})
        return Actor(self.name, self.ref, self.role, reach)

    def organization_ids(self, minimum: str = Role.VIEWER) -> list[int] | None:
        """Ids of the organizations where the actor holds ``minimum``; None means every one."""
        if self.reach is None:
            return None
        return sorted(org for org, role in self.reach.items() if at_least(role, minimum))


# Writes made without naming an author (tests, benchmarks, old callers): shown and kept blank.
UNKNOWN = Actor("", "")

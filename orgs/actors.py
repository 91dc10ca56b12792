"""Who acts: the author of a change and the reviewer who decides it.

An ``Actor`` is what every write and every review decision is given: the name shown in the
history, a stable reference for the "never your own change" rule (``user:<pk>``,
``key:<prefix>`` or ``command:<name>``) and the actor's role in the organization acted on.
"""

from dataclasses import dataclass
from typing import Any

from orgs.models import APIKey


@dataclass(frozen=True)
class Actor:
    name: str
    ref: str
    role: str = ""  # a Role value; "" when none is known (an author needs none)

    @classmethod
    def for_key(cls, api_key: APIKey) -> "Actor":
        """An API key: its label, its prefix and its own role."""
        return cls(api_key.label, f"key:{api_key.prefix}", api_key.role)

    @classmethod
    def for_user(cls, user: Any, role: str = "") -> "Actor":
        """An admin user, with their role in the organization (orgs.permissions.role_in)."""
        return cls(user.get_username(), f"user:{user.pk}", role)

    @classmethod
    def for_command(cls, name: str) -> "Actor":
        """A management command run by whoever has the server's shell."""
        return cls(f"manage.py {name}", f"command:{name}")


# Writes made without naming an author (tests, benchmarks, old callers): shown and kept blank.
UNKNOWN = Actor("", "")

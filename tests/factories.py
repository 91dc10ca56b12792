"""Small builders that create valid objects through services."""

from typing import Any

from django.contrib.auth.models import User

from orgs.models import Membership, Organization
from pronunciations.models import Dictionary
from pronunciations.services import dictionary_create


def rewrite_rules(count: int, *, prefix: str = "word") -> list[dict[str, str]]:
    return [{"match": f"{prefix}{i}", "replace": f"replacement {i}"} for i in range(count)]


def make_dictionary(
    organization: Organization, name: str = "brand", *, rules: int = 2, **extra: Any
) -> Dictionary:
    modes = extra.pop("modes", {"rewrite": {"rules": rewrite_rules(rules)}})
    return dictionary_create(organization=organization, name=name, modes=modes, **extra)


PASSWORD = "pw-for-tests"


def staff_member(
    username: str, organization: Organization, role: str, password: str = PASSWORD
) -> User:
    """A staff account with a membership (``role``) in the organization."""
    user = User.objects.create_user(username, password=password, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def sync_state(target: Any, dictionary: Dictionary, status: str, **fields: Any) -> Any:
    """A target's state of a dictionary at its current revision, written raw (runs write these)."""
    from sync.models import SyncState

    return SyncState.objects.create(
        target=target,
        dictionary=dictionary,
        status=status,
        pushed_revision=dictionary.revision,
        **fields,
    )

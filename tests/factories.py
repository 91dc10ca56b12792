"""Small builders that create valid objects through services."""

from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from orgs.actors import Actor
from orgs.models import Membership, Organization
from pronunciations.models import Dictionary, Revision
from pronunciations.review import revision_decide
from pronunciations.services import dictionary_create
from sync.models import SyncTarget
from sync.services import target_create


def rewrite_rules(count: int, *, prefix: str = "word") -> list[dict[str, str]]:
    return [{"match": f"{prefix}{i}", "replace": f"replacement {i}"} for i in range(count)]


def make_dictionary(
    organization: Organization, name: str = "brand", *, rules: int = 2, **extra: Any
) -> Dictionary:
    modes = extra.pop("modes", {"rewrite": {"rules": rewrite_rules(rules)}})
    return dictionary_create(organization=organization, name=name, modes=modes, **extra)


def make_target(organization: Organization, name: str = "production") -> SyncTarget:
    """A sync target of the organization at SLNG's public URLs (nothing is called)."""
    return target_create(
        organization=organization,
        name=name,
        base_url="https://api.slng.ai",
        ws_url="wss://api.slng.ai",
        api_key="sk_test",
    )


def staff_user(username: str, organization: Organization | None, role: str) -> User:
    """A staff account with ``role`` in the organization (or in none)."""
    user = User.objects.create_user(username, password="pw-for-tests", is_staff=True)
    if organization is not None:
        Membership.objects.create(user=user, organization=organization, role=role)
    return user


def staff_client(
    organization: Organization | None, role: str, username: str = "linguist"
) -> Client:
    """A test client logged in as a new staff_user."""
    client = Client()
    client.force_login(staff_user(username, organization, role))
    return client


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


def decide(
    dictionary: Dictionary, reviewer: Actor, decision: str, number: int = 1, comment: str = ""
) -> Revision:
    """The review service's decision on a revision, in the dictionary's own organization."""
    return revision_decide(
        organization=dictionary.organization,
        dictionary=dictionary,
        number=number,
        reviewer=reviewer,
        decision=decision,
        comment=comment,
    )


# A dictionary body's fields in order: SLNG's, then Lexicon's two extras (revision, updated_at).
DICTIONARY_BODY_FIELDS = (
    "id",
    "org_id",
    "name",
    "normalized_name",
    "modes",
    "content_hash",
    "created_at",
    "metadata",
    "created_by_key_label",
    "revision",
    "updated_at",
)

"""Writes for organizations, API keys and members."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from orgs.key_cache import resolved_keys
from orgs.keys import key_generate
from orgs.models import APIKey, Membership, Organization, Role
from orgs.signals import review_turned_off
from orgs.validation import validate_new_member


class OrganizationExists(Exception):
    """An organization with that slug already exists."""


@dataclass(frozen=True)
class IssuedKey:
    """The stored key row and its plaintext, which exists only in this object."""

    api_key: APIKey
    plaintext: str


def organization_create(*, slug: str, name: str = "") -> Organization:
    """Create an organization; raises OrganizationExists for a taken slug."""
    if slugify(slug) != slug:
        raise ValueError(f"invalid slug {slug!r}: use lowercase letters, digits and hyphens")
    try:
        with transaction.atomic():
            return Organization.objects.create(slug=slug, name=name or slug)
    except IntegrityError as exc:
        raise OrganizationExists(f"organization {slug!r} already exists") from exc


def organization_configure(
    *, organization: Organization, review_required: bool, by: str = ""
) -> Organization:
    """Turn review on or off (``by`` whom). It applies to revisions made from now on, and
    turning it off also decides the proposals still waiting (``review_switched``)."""
    with transaction.atomic():
        organization.review_required = review_required
        organization.save(update_fields=["review_required"])
        review_switched(organization=organization, by=by)
    return organization


def review_switched(*, organization: Organization, by: str) -> None:
    """After ``organization.review_required`` was saved (here or by the admin's form): with
    review off, send ``review_turned_off`` in the same transaction, so the proposals still
    waiting are decided (pronunciations.review.review_off) with it. Turning it off when it is
    off already decides whatever was left waiting (a documented repair)."""
    if not organization.review_required:
        review_turned_off.send(sender=Organization, organization=organization, by=by)


def _role(role: str) -> Role:
    if role not in Role.values:
        choices = ", ".join(reversed(Role.values))  # viewer, editor, reviewer, admin
        raise ValueError(f"unknown role {role!r}: choose one of {choices}")
    return Role(role)


def api_key_create(*, organization: Organization, label: str, role: str = Role.EDITOR) -> IssuedKey:
    """Issue a new key with ``role`` (editor unless asked); the plaintext is returned once and
    only its digest is stored. Raises ValueError for a blank label or an unknown role."""
    if not label.strip():
        raise ValueError("a key needs a non-blank label")
    new_key = key_generate()
    api_key = APIKey.objects.create(
        organization=organization,
        label=label.strip(),
        prefix=new_key.prefix,
        digest=new_key.digest,
        role=_role(role),
    )
    return IssuedKey(api_key=api_key, plaintext=new_key.plaintext)


def api_key_revoke(*, api_key: APIKey) -> APIKey:
    """Revoke a key; later requests with it get 401 (within LEXICON_KEY_CACHE_SECONDS in other
    processes, orgs.key_cache). Revoking twice keeps the first time."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    resolved_keys.forget(api_key.prefix)
    transaction.on_commit(lambda: resolved_keys.forget(api_key.prefix))
    return api_key


def member_create(
    *, organization: Organization, username: str, password: str, role: str
) -> Membership:
    """Create a NEW staff login that belongs to one organization only, with ``role`` there.

    This is how an organization admin adds a member: they never pick an existing account (which
    may belong to another organization). A blank password makes an unusable one. Raises
    ValidationError keyed by field (username taken or invalid, weak password).
    """
    validate_new_member(username=username, password=password)
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            username=username, password=password or None, is_staff=True
        )
        return Membership.objects.create(user=user, organization=organization, role=Role(role))

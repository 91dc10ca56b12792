"""Organizations, API keys and memberships."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from orgs.ids import new_org_id


class Organization(models.Model):
    """A tenant: every dictionary, key and sync target belongs to exactly one organization."""

    public_id = models.CharField(max_length=40, unique=True, default=new_org_id, editable=False)
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    review_required = models.BooleanField(
        default=False,
        db_default=False,
        help_text="New revisions wait for a reviewer's approval before approved-channel targets "
        "serve them.",
    )

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name or self.slug


class Role(models.TextChoices):
    """Roles of members and API keys, in rising order: viewer < editor < reviewer < admin."""

    ADMIN = "admin", "Admin"
    REVIEWER = "reviewer", "Reviewer"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


class APIKey(models.Model):
    """A Bearer key of one organization. Only a SHA-256 digest of the secret is stored."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    label = models.CharField(max_length=128)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Keys made before roles existed could write: they are editors.
    role = models.CharField(
        max_length=16, choices=Role.choices, default=Role.EDITOR, db_default=Role.EDITOR
    )

    class Meta:
        verbose_name = "API key"
        ordering = ["organization", "label"]

    def __str__(self) -> str:
        return f"{self.label} (lex_{self.prefix}…)"

    def __repr__(self) -> str:
        return f"<APIKey {self.prefix} org={self.organization_id}>"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Membership(models.Model):
    """A Django user's role in one organization (used by the admin)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_unique_user_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"


class IdempotencyKey(models.Model):
    """A POST's ``Idempotency-Key``, kept a day per organization (core.idempotency): what the
    request was (``fingerprint``) and, once answered, the answer a retry gets again."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path, query and body
    status = models.PositiveSmallIntegerField(null=True)  # null while the first one runs
    headers = models.JSONField(default=dict)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key"], name="idempotency_key_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.key

"""Sync targets (an SLNG environment of one organization), per-dictionary sync state and runs."""

from django.db import models
from django.utils import timezone
from ulid import ULID

from orgs.models import Organization
from pronunciations.models import Dictionary


def new_target_id() -> str:
    return f"tgt_{ULID()}"


def new_run_id() -> str:
    return f"run_{ULID()}"


# How many dictionaries one run of a target pushes and verifies at once (sync.services): the
# default, and the bounds sync.validation.validate_target checks (the constraint is the backstop).
DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 32


class VerifyRoute(models.TextChoices):
    BRIDGE = "bridge", "Unified bridge (/v1/bridges/unmute/tts/…), as SLNG's client libraries"
    NATIVE = "native", "Native (/v1/tts/…)"


class Channel(models.TextChoices):
    LATEST = "latest", "Latest: every revision (staging)"
    APPROVED = "approved", "Approved: only the latest approved revision (production)"


class SyncTarget(models.Model):
    """Where an organization's dictionaries are pushed and verified. The SLNG key is encrypted."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="sync_targets"
    )
    public_id = models.CharField(max_length=40, unique=True, default=new_target_id, editable=False)
    name = models.SlugField(max_length=64, help_text="e.g. production, staging")
    base_url = models.URLField(help_text="SLNG HTTP base URL, e.g. https://api.slng.ai")
    ws_url = models.CharField(
        max_length=200, help_text="SLNG WebSocket base, e.g. wss://api.slng.ai"
    )
    model = models.CharField(
        max_length=200,
        default="deepgram/aura:2",
        help_text="TTS model path after the route's prefix, e.g. deepgram/aura:2",
    )
    voice = models.CharField(
        max_length=100, blank=True, default="", help_text="Left out of TTS requests when blank."
    )
    verify_route = models.CharField(
        max_length=16,
        choices=VerifyRoute.choices,
        default=VerifyRoute.BRIDGE,
        help_text="The TTS route verification (and Listen) use.",
    )
    verify_http = models.BooleanField(
        default=False, help_text="Also verify through HTTP TTS after the WebSocket session."
    )
    encrypted_api_key = models.TextField(editable=False)
    # MAC over (target, organization, base_url, ws_url, encrypted key): the key is used only
    # while these are what it was entered for (sync.services.targets.target_api_key).
    api_key_binding = models.CharField(max_length=64, blank=True, default="", editable=False)
    enabled = models.BooleanField(default=True)
    prune = models.BooleanField(
        default=False, help_text="Delete upstream dictionaries that were deleted here."
    )
    interval_seconds = models.PositiveIntegerField(default=300)
    concurrency = models.PositiveSmallIntegerField(
        default=DEFAULT_CONCURRENCY,
        db_default=DEFAULT_CONCURRENCY,
        help_text=f"Dictionaries a run pushes and verifies at once (1 to {MAX_CONCURRENCY}).",
    )
    channel = models.CharField(
        max_length=16,
        choices=Channel.choices,
        default=Channel.LATEST,
        db_default=Channel.LATEST,
        help_text="Which revisions this target serves.",
    )
    after = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followers",
        help_text="Serve a revision only once it is verified on this target (e.g. staging).",
    )
    lease_token = models.CharField(max_length=40, blank=True, default="", editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="target_unique_name"),
            models.CheckConstraint(
                condition=models.Q(concurrency__gte=1, concurrency__lte=MAX_CONCURRENCY),
                name="target_concurrency_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.slug}/{self.name}"

    def __repr__(self) -> str:
        return f"<SyncTarget {self.public_id} {self.base_url}>"


class SyncStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SYNCED = "synced", "Synced"
    VERIFIED = "verified", "Verified"
    FAILED = "failed", "Failed"


class SyncState(models.Model):
    """What one target holds of one dictionary, and how the last attempt went."""

    target = models.ForeignKey(SyncTarget, on_delete=models.CASCADE, related_name="states")
    dictionary = models.ForeignKey(Dictionary, on_delete=models.CASCADE, related_name="sync_states")
    status = models.CharField(max_length=16, choices=SyncStatus.choices, default=SyncStatus.PENDING)
    pushed_revision = models.PositiveIntegerField(null=True, blank=True)
    pushed_hash = models.CharField(max_length=80, blank=True, default="")
    upstream_id = models.CharField(max_length=80, blank=True, default="")
    upstream_hash = models.CharField(max_length=120, blank=True, default="")
    compiled_with = models.CharField(
        max_length=40,
        blank=True,
        default="",
        help_text="The markup the pushed content was compiled with for the target's model.",
    )
    last_error_code = models.CharField(max_length=64, blank=True, default="")
    last_error_message = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    window_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text="Last delete-to-create window while replacing upstream."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "dictionary"], name="state_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.dictionary} @ {self.target}: {self.status}"


class Verification(models.Model):
    """A fact: this content of this dictionary was verified on this target (a TTS session spoke
    with it). A target with ``after`` serves a revision only once its content hash has a row
    here for the ``after`` target; rows are only ever added (or their time refreshed)."""

    target = models.ForeignKey(SyncTarget, on_delete=models.CASCADE, related_name="verifications")
    dictionary = models.ForeignKey(
        Dictionary, on_delete=models.CASCADE, related_name="verifications"
    )
    content_hash = models.CharField(max_length=80)
    revision = models.PositiveIntegerField(help_text="The revision last verified with it.")
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target", "dictionary", "content_hash"], name="verification_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dictionary} {self.content_hash[:15]} verified on {self.target}"


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Manual"
    CHANGE = "change", "Change"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    # Never started: a run of the same target that started after it was queued did its work.
    SUPERSEDED = "superseded", "Superseded"


class SyncRun(models.Model):
    """One run of a target's sync: what it did and how long it took.

    A run put on the queue exists from then on (``queued``, with ``queued_at``); the task that
    takes it makes it ``running`` (``started_at``) and records its counts as it goes
    (``planned`` items, ``done`` so far). A run started without being queued (the schedule, the
    command's ``--wait``) is created ``running``. See sync/services/runs.py.
    """

    target = models.ForeignKey(SyncTarget, on_delete=models.CASCADE, related_name="runs")
    public_id = models.CharField(max_length=40, unique=True, default=new_run_id, editable=False)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    planned = models.PositiveIntegerField(
        null=True, blank=True, help_text="Items (dictionaries) in the run's plan, once known."
    )
    done = models.PositiveIntegerField(default=0, help_text="Items of the plan done so far.")
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    replaced = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    verified = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    http_calls = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.target} ({self.status})"

"""Dictionaries and their rules, one row per rule so a rule can be edited, searched and imported."""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from orgs.ids import new_dictionary_id, new_import_job_id
from orgs.models import Organization


class Mode(models.TextChoices):
    REWRITE = "rewrite", "Rewrite (executed)"
    IPA = "ipa", "IPA (stored only)"


class Dictionary(models.Model):
    """A named pronunciation dictionary of one organization.

    ``normalized_name`` is the lowercased name: lookups and the uniqueness constraint use it, so
    ``Brand`` and ``brand`` are the same dictionary. ``content_hash`` covers the modes only
    (see pronunciations.content).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="dictionaries"
    )
    public_id = models.CharField(
        max_length=40, unique=True, default=new_dictionary_id, editable=False
    )
    name = models.CharField(max_length=128)
    normalized_name = models.CharField(max_length=128, editable=False)
    metadata = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=80, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by_key_label = models.CharField(max_length=128, blank=True, default="")
    revision = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A layer only: included by other dictionaries (pronunciations.layers), never pushed alone.
    layer_only = models.BooleanField(default=False, db_default=False, editable=False)
    # The digest of the import records that left the dictionary at ``import_revision``
    # (pronunciations.transfer.runs): the same records imported again are skipped unparsed.
    import_digest = models.CharField(max_length=64, default="", db_default="", editable=False)
    import_revision = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        verbose_name_plural = "dictionaries"
        ordering = ["normalized_name"]
        constraints = [
            # Deleted dictionaries keep their rows (and history) but free their name.
            models.UniqueConstraint(
                fields=["organization", "normalized_name"],
                condition=models.Q(deleted_at__isnull=True),
                name="dictionary_unique_live_name_per_org",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "deleted_at"], name="dictionary_org_deleted")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def etag(self) -> str:
        """The strong ETag of the current state: revision number plus content hash."""
        return f'"r{self.revision}-{self.content_hash.removeprefix("sha256:")}"'


class Rule(models.Model):
    """One rule of one mode. ``value`` is the ``replace`` text (rewrite) or the ``ipa`` text.

    ``key`` is the match's comparison key (``validation.match_key``: case-folded, whitespace
    runs as one space), written with the rule. The unique constraint sits on it, so the database
    calls two matches the same exactly when validation does; PostgreSQL's ``lower()`` does not
    (it maps ``İ`` to ``i``, ``casefold()`` does not; ``ß`` and ``ss`` the other way round).
    """

    dictionary = models.ForeignKey(Dictionary, on_delete=models.CASCADE, related_name="rules")
    mode = models.CharField(max_length=16, choices=Mode.choices)
    position = models.PositiveSmallIntegerField()
    match = models.CharField(max_length=128)
    value = models.CharField(max_length=256)
    # Case folding can make a match up to three times longer (ΐ is three code points folded).
    key = models.CharField(max_length=384, editable=False)
    # Switched off: kept and versioned, but never pushed, previewed or shown to SLNG's clients.
    disabled = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["dictionary", "mode", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["dictionary", "mode", "position"], name="rule_unique_position"
            ),
            models.UniqueConstraint(
                fields=["dictionary", "mode", "key"], name="rule_unique_key_per_mode"
            ),
        ]
        indexes = [models.Index(Lower("match"), name="rule_match_lower_idx")]

    def __str__(self) -> str:
        return f"{self.match} → {self.value}"


class Include(models.Model):
    """One layer a dictionary includes, in order (``position`` 0 first; a later layer wins).

    The revision's snapshot holds the includes as content (``"includes"``); these rows exist
    for the question the snapshot cannot answer cheaply: who includes ``layer_name`` (its
    normalized name, so a layer deleted and created again is the same layer). ``language``
    limits the include to dictionaries of that language ("" : every language).
    """

    dictionary = models.ForeignKey(Dictionary, on_delete=models.CASCADE, related_name="includes")
    position = models.PositiveSmallIntegerField()
    layer_name = models.CharField(max_length=128)
    # validation.language's LANGUAGE_TAG_MAX_LENGTH: a tag validation takes must fit
    language = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["dictionary", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["dictionary", "position"], name="include_unique_position"
            ),
            models.UniqueConstraint(
                fields=["dictionary", "layer_name"], name="include_unique_layer"
            ),
        ]
        indexes = [models.Index(fields=["layer_name"], name="include_layer_name")]

    def __str__(self) -> str:
        return f"{self.dictionary_id} < {self.layer_name}"


class Source(models.TextChoices):
    API = "api", "API"
    ADMIN = "admin", "Admin"
    IMPORT = "import", "Import"
    RESTORE = "restore", "Restore"


class Action(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    UNDELETE = "undelete", "Undeleted"


class ReviewState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"
    WITHDRAWN = "withdrawn", "Withdrawn"
    AUTO = "auto", "Approved (review off)"


class Revision(models.Model):
    """An immutable snapshot of a dictionary after one change. Numbers run 1, 2, 3 … per dictionary.

    ``snapshot`` holds ``{"modes": <wire modes>, "metadata": {...}}`` exactly as the API shows them
    (and ``"checks"``, the dictionary's test sentences, when it has any). The content stays
    immutable; only the review fields change, once, when a reviewer decides.

    ``author`` is the name shown (a username or a key label); ``author_ref`` identifies the
    author for the "not your own change" rule (``user:<pk>`` or ``key:<prefix>``).
    ``check_results`` are the checks' outcomes against this revision's content
    (``[{"text", "expect", "got", "passed"}]``) and ``checks_failed`` how many failed.
    """

    dictionary = models.ForeignKey(Dictionary, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=16, choices=Action.choices)
    source = models.CharField(max_length=16, choices=Source.choices)
    snapshot = models.JSONField()
    content_hash = models.CharField(max_length=80)
    author = models.CharField(max_length=150, blank=True, default="")
    comment = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    author_ref = models.CharField(max_length=64, blank=True, default="", db_default="")
    check_results = models.JSONField(default=list, blank=True, db_default=[])
    checks_failed = models.PositiveSmallIntegerField(default=0, db_default=0)
    review_state = models.CharField(
        max_length=16,
        choices=ReviewState.choices,
        default=ReviewState.AUTO,
        db_default=ReviewState.AUTO,
    )
    reviewed_by = models.CharField(max_length=150, blank=True, default="", db_default="")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.CharField(max_length=500, blank=True, default="", db_default="")

    class Meta:
        ordering = ["dictionary", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["dictionary", "number"], name="revision_unique_number")
        ]
        indexes = [
            models.Index(fields=["dictionary", "review_state", "number"], name="revision_review")
        ]

    def __str__(self) -> str:
        return f"{self.dictionary} r{self.number} ({self.action})"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """An import run in the background (pronunciations.jobs), with its file and its outcome.

    The file is kept in the database (``ImportJobChunk``) so any worker can read it (uploads are
    bounded by LEXICON_MAX_UPLOAD_BYTES) and is dropped once the job has finished. ``report`` is
    the same report a synchronous import answers; ``error`` the SLNG error body when it failed.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="import_jobs"
    )
    public_id = models.CharField(
        max_length=40, unique=True, default=new_import_job_id, editable=False
    )
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    phase = models.CharField(max_length=16, blank=True, default="")
    file_name = models.CharField(max_length=255, blank=True, default="")
    file_format = models.CharField(max_length=8)
    file_bytes = models.PositiveIntegerField(default=0)
    options = models.JSONField(default=dict)
    author = models.CharField(max_length=150, blank=True, default="")
    rows_total = models.PositiveIntegerField(null=True)
    rows_done = models.PositiveIntegerField(default=0)
    report = models.JSONField(null=True)
    error = models.JSONField(null=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True)
    heartbeat_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="import_job_org_created")
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.state})"


class ImportJobChunk(models.Model):
    """One piece (up to 1 MiB) of a job's file: written piece by piece, so storing an upload
    never holds it whole (or hex-escaped in a query) in the web worker's memory."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="import_chunk_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.job_id} #{self.number}"


class ScanJob(models.Model):
    """A scan run in the background (pronunciations.scan.jobs): a text larger than
    LEXICON_SCAN_SYNC_MAX_BYTES, or one the client asked to run so. ``data`` is the text as
    sent (bounded by LEXICON_SCAN_MAX_BYTES) and is dropped once the job has finished;
    ``result`` is the same body a synchronous scan answers, ``error`` the SLNG error body."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="scan_jobs"
    )
    public_id = models.CharField(max_length=40, unique=True, editable=False)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    phase = models.CharField(max_length=16, blank=True, default="")
    file_format = models.CharField(max_length=8)
    data = models.BinaryField()
    options = models.JSONField(default=dict)
    turns_total = models.PositiveIntegerField(null=True)
    turns_done = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True)
    error = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="scan_job_org_created")
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.state})"

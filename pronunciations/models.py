"""Dictionaries and their rules, one row per rule so a rule can be edited, searched and imported."""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from orgs.ids import new_dictionary_id
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

    class Meta:
        verbose_name_plural = "dictionaries"
        ordering = ["normalized_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "normalized_name"], name="dictionary_unique_name_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """One rule of one mode. ``value`` is the ``replace`` text (rewrite) or the ``ipa`` text."""

    dictionary = models.ForeignKey(Dictionary, on_delete=models.CASCADE, related_name="rules")
    mode = models.CharField(max_length=16, choices=Mode.choices)
    position = models.PositiveSmallIntegerField()
    match = models.CharField(max_length=128)
    value = models.CharField(max_length=256)

    class Meta:
        ordering = ["dictionary", "mode", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["dictionary", "mode", "position"], name="rule_unique_position"
            ),
            models.UniqueConstraint(
                "dictionary", "mode", Lower("match"), name="rule_unique_match_per_mode"
            ),
        ]
        indexes = [models.Index(Lower("match"), name="rule_match_lower_idx")]

    def __str__(self) -> str:
        return f"{self.match} → {self.value}"

"""Response shapes (SLNG's wire format) and the request shapes shown in the OpenAPI schema.

Requests are validated by pronunciations.validation (through the services), not by these
classes: the request serializers below only document the shape for the schema.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import AppliedRuleOutput, iso_millis
from pronunciations.api.schemas import (
    KEPT_LAYERS,
    CheckSchema,
    IncludeSchema,
    ModesSchema,
    checks_field,
)
from pronunciations.checks import checks_from_wire, checks_to_wire, results_in_order
from pronunciations.content import wire_in_order, without_disabled
from pronunciations.models import Action, Dictionary, ReviewState, Revision, Source
from pronunciations.validation import (
    COMMENT_MAX_LENGTH,
    MATCH_MAX_LENGTH,
    MAX_CHECKS,
    NAME_MAX_LENGTH,
    VALUE_MAX_LENGTH,
)


class DictionaryCreateRequest(serializers.Serializer):
    name = serializers.RegexField(r"^[A-Za-z0-9._-]+$", max_length=NAME_MAX_LENGTH)
    modes = ModesSchema()
    metadata = serializers.DictField(
        required=False, allow_null=True, help_text="Any JSON object, up to 16 KiB; null = none."
    )
    checks = checks_field("Lexicon only: the dictionary's test sentences (default none).")
    includes = IncludeSchema(
        many=True, required=False, help_text="Lexicon only: the layers it includes, in order."
    )
    layer_only = serializers.BooleanField(
        required=False, help_text="Lexicon only: a layer only, never pushed on its own."
    )


@extend_schema_field(ModesSchema)
class ModesField(serializers.Field):
    """SLNG's ``modes`` object from stored wire modes, in the API's key order.

    Dictionaries carry theirs as ``current_modes`` (selectors.*_for_response); revisions in
    ``snapshot["modes"]``. SLNG's clients never see a disabled rule (``with_disabled`` is
    Lexicon's history, which shows them marked ``"disabled": true``).
    """

    def __init__(self, *, with_disabled: bool = False, **kwargs: Any) -> None:
        self.with_disabled = with_disabled
        super().__init__(**kwargs)

    def to_representation(self, value: dict[str, Any]) -> dict[str, Any]:
        ordered = wire_in_order(value)
        return ordered if self.with_disabled else without_disabled(ordered)


class DictionaryOutput(serializers.Serializer):
    """SLNG's dictionary object, plus Lexicon's ``revision`` and ``updated_at`` at the end.

    The body changes only with ``revision`` (every write bumps it and sets ``updated_at``), which
    is what lets api/bodies.py cache it under ``(public_id, revision)``.
    """

    id = serializers.CharField(source="public_id")
    org_id = serializers.CharField(source="organization.public_id")
    name = serializers.CharField()
    normalized_name = serializers.CharField()
    modes = ModesField(source="current_modes")
    content_hash = serializers.CharField()
    created_at = serializers.SerializerMethodField()
    metadata = serializers.DictField()
    created_by_key_label = serializers.CharField(required=False)
    revision = serializers.IntegerField(
        help_text="Lexicon only: the current revision's number (1 at creation, +1 per change)."
    )
    updated_at = serializers.SerializerMethodField(
        help_text="Lexicon only: when the current revision was made (ISO-8601 UTC, ms)."
    )

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_created_at(self, dictionary: Dictionary) -> str:
        return iso_millis(dictionary.created_at)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_updated_at(self, dictionary: Dictionary) -> str:
        return iso_millis(dictionary.updated_at)

    def to_representation(self, instance: Dictionary) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not data.get("created_by_key_label"):
            data.pop("created_by_key_label", None)
        return data


class DictionaryListOutput(serializers.Serializer):
    dictionaries = DictionaryOutput(many=True)
    next_cursor = serializers.CharField(
        required=False,
        allow_null=True,
        help_text=(
            "Lexicon only, with ?limit=: the cursor of the next page, null on the last page "
            "(absent without limit, as SLNG answers)."
        ),
    )


def _path_name_field() -> serializers.Field:
    return serializers.RegexField(
        r"^[A-Za-z0-9._-]+$",
        max_length=NAME_MAX_LENGTH,
        required=False,
        help_text="Optional; if given, the path's name (compared case-insensitively).",
    )


def _comment_field() -> serializers.Field:
    return serializers.CharField(
        required=False, allow_null=True, max_length=COMMENT_MAX_LENGTH, help_text="Kept in history."
    )


_KEPT_CHECKS = "Replaces the checks; absent, they are kept (null or []: none)."


class DictionaryReplaceRequest(serializers.Serializer):
    name = _path_name_field()
    modes = ModesSchema()
    metadata = serializers.DictField(
        required=False, allow_null=True, help_text="Replaces the metadata ({} if absent or null)."
    )
    checks = checks_field(_KEPT_CHECKS)
    includes = IncludeSchema(many=True, required=False, help_text=KEPT_LAYERS)
    layer_only = serializers.BooleanField(required=False, help_text=KEPT_LAYERS)
    comment = _comment_field()


class DictionaryPatchRequest(serializers.Serializer):
    name = _path_name_field()
    modes = ModesSchema(required=False, help_text="Each mode given replaces that mode whole.")
    metadata = serializers.DictField(
        required=False, allow_null=True, help_text="Replaces the metadata whole (null: none)."
    )
    checks = checks_field(_KEPT_CHECKS)
    includes = IncludeSchema(many=True, required=False, help_text=KEPT_LAYERS)
    layer_only = serializers.BooleanField(required=False, help_text=KEPT_LAYERS)
    comment = _comment_field()


class CheckResultOutput(serializers.Serializer):
    text = serializers.CharField()
    expect = serializers.CharField()
    got = serializers.CharField(help_text="What the rules make of the text (as SLNG sends it).")
    passed = serializers.BooleanField(help_text="got equals expect, character for character.")


class ChecksSummaryOutput(serializers.Serializer):
    passed = serializers.IntegerField()
    failed = serializers.IntegerField()


class ChecksOutput(ChecksSummaryOutput):
    checks = CheckSchema(many=True)
    results = CheckResultOutput(many=True, help_text="One per check, in the same order.")


class ChecksReplaceRequest(serializers.Serializer):
    checks = serializers.ListField(
        child=CheckSchema(), max_length=MAX_CHECKS, allow_null=True, help_text="null or []: none."
    )
    comment = _comment_field()


class RulePutRequest(serializers.Serializer):
    replace = serializers.CharField(
        required=False, max_length=VALUE_MAX_LENGTH, help_text="Required for a rewrite rule."
    )
    ipa = serializers.CharField(
        required=False, max_length=VALUE_MAX_LENGTH, help_text="Required for an ipa rule."
    )
    match = serializers.CharField(
        required=False,
        max_length=MATCH_MAX_LENGTH,
        help_text="Optional: the path's match spelled as it is to be stored (same match, "
        "compared case-insensitively, whitespace runs as one).",
    )
    position = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="Where the rule goes in its mode, from 0 (default: where it is; last when new).",
    )
    disabled = serializers.BooleanField(
        required=False,
        help_text="Switched off: kept, never pushed (default: as the rule is; a new rule is on).",
    )
    comment = _comment_field()


class RuleOutput(serializers.Serializer):
    dictionary = serializers.CharField(help_text="The dictionary's name.")
    mode = serializers.ChoiceField(choices=["rewrite", "ipa"])
    match = serializers.CharField()
    replace = serializers.CharField(required=False, help_text="A rewrite rule's value.")
    ipa = serializers.CharField(required=False, help_text="An ipa rule's value.")
    disabled = serializers.BooleanField(required=False, help_text="Present (true) when off.")
    position = serializers.IntegerField(help_text="The rule's index in its mode, from 0.")
    revision = serializers.IntegerField(help_text="The dictionary's current revision.")


class RevisionRestoreRequest(serializers.Serializer):
    comment = _comment_field()


class ReviewRequest(serializers.Serializer):
    comment = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=COMMENT_MAX_LENGTH,
        help_text="Optional when approving or withdrawing; a rejection needs one saying why.",
    )


class ReviewOutput(serializers.Serializer):
    """A revision's review: ``by``, ``at`` and ``comment`` are null until a reviewer decides
    (or its author withdraws it)."""

    state = serializers.ChoiceField(
        choices=ReviewState.choices,
        help_text="proposed (waiting), approved, rejected, withdrawn (by its author), "
        "superseded (a newer revision of the dictionary was made) or auto (made with review "
        "off, or approved by policy when review was turned off).",
    )
    by = serializers.CharField(allow_null=True, help_text="The reviewer's name or key label.")
    at = serializers.DateTimeField(allow_null=True, help_text="When the reviewer decided.")
    comment = serializers.CharField(allow_null=True)

    def to_representation(self, revision: Revision) -> dict[str, Any]:
        at = revision.reviewed_at
        return {
            "state": revision.review_state,
            "by": revision.reviewed_by or None,
            "at": iso_millis(at) if at else None,
            "comment": revision.review_comment or None,
        }


class RevisionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    action = serializers.ChoiceField(choices=Action.choices)
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    author = serializers.CharField()
    comment = serializers.CharField()
    content_hash = serializers.CharField()
    created_at = serializers.SerializerMethodField()
    review = ReviewOutput(source="*")

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_created_at(self, revision: Any) -> str:
        return iso_millis(revision.created_at)


class RevisionDetailOutput(RevisionOutput):
    modes = ModesField(source="snapshot.modes", with_disabled=True)
    metadata = serializers.DictField(source="snapshot.metadata")
    checks = serializers.SerializerMethodField()
    check_results = serializers.SerializerMethodField()
    checks_failed = serializers.IntegerField()

    @extend_schema_field(CheckSchema(many=True))
    def get_checks(self, revision: Revision) -> list[dict[str, Any]]:
        return checks_to_wire(checks_from_wire(revision.snapshot.get("checks")))

    @extend_schema_field(CheckResultOutput(many=True))
    def get_check_results(self, revision: Revision) -> list[dict[str, Any]]:
        return results_in_order(revision.check_results)


class RevisionListOutput(serializers.Serializer):
    revisions = RevisionOutput(many=True)
    next_before = serializers.IntegerField(
        allow_null=True, help_text="Pass as ?before= for the next (older) page; null at the end."
    )


class DeletedDictionaryOutput(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    deleted_at = serializers.SerializerMethodField()
    deleted_by = serializers.CharField(source="deleted_by_author", allow_null=True)
    restorable_until = serializers.SerializerMethodField()
    revision = serializers.IntegerField()
    review_state = serializers.ChoiceField(
        choices=ReviewState.choices,
        source="deletion_review_state",
        help_text="The deletion revision's review state: proposed while it awaits a reviewer.",
    )

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_deleted_at(self, dictionary: Dictionary) -> str:
        assert dictionary.deleted_at is not None  # noqa: S101 - only deleted rows are listed
        return iso_millis(dictionary.deleted_at)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_restorable_until(self, dictionary: Dictionary) -> str:
        assert dictionary.deleted_at is not None  # noqa: S101 - only deleted rows are listed
        days = settings.LEXICON_DELETED_RETENTION_DAYS
        return iso_millis(dictionary.deleted_at + timedelta(days=days))


class DeletedDictionaryListOutput(serializers.Serializer):
    dictionaries = DeletedDictionaryOutput(many=True)


class DictionaryPreviewRequest(serializers.Serializer):
    """Preview with a saved dictionary's rules: only the text."""

    text = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        max_length=settings.LEXICON_MAX_PREVIEW_CHARS,
        help_text="At most LEXICON_MAX_PREVIEW_CHARS characters.",
    )


class PreviewRequest(DictionaryPreviewRequest):
    """Preview with unsaved rules, validated like a create."""

    modes = ModesSchema()


class PreviewOutput(serializers.Serializer):
    text = serializers.CharField(help_text="Exactly what the TTS model would receive.")
    applied = AppliedRuleOutput(many=True)
    content_hash = serializers.CharField()


class LintWarningOutput(serializers.Serializer):
    code = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class LintOutput(serializers.Serializer):
    warnings = LintWarningOutput(many=True)


class DictionaryWriteOutput(DictionaryOutput):
    """What a write answers (schema only): the dictionary, plus Lexicon's own extras."""

    warnings = LintWarningOutput(many=True, required=False, help_text="Lint, only when any.")
    checks = ChecksSummaryOutput(
        required=False, help_text="Lexicon only: present only when the dictionary has checks."
    )

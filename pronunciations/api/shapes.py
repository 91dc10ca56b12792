"""Schema shapes of the answers built as dicts: a diff, an import's report and its job."""

from rest_framework import serializers

from pronunciations.api.serializers import CheckResultOutput
from pronunciations.models import JobState

_ANY = serializers.JSONField()


class KeyedDiffOutput(serializers.Serializer):
    """Items added, removed, changed (``from``/``to``, keyed by ``match`` or ``text``)."""

    added = serializers.ListField(child=serializers.DictField())
    removed = serializers.ListField(child=serializers.DictField())
    changed = serializers.ListField(child=serializers.DictField())
    reordered = serializers.BooleanField()


class ModesDiffOutput(serializers.Serializer):
    rewrite = KeyedDiffOutput()
    ipa = KeyedDiffOutput()


class MetadataDiffOutput(serializers.Serializer):
    added = serializers.DictField()
    removed = serializers.DictField()
    changed = serializers.DictField(
        child=serializers.DictField(), help_text="Each key's ``from`` and ``to``."
    )


class DiffOutput(serializers.Serializer):
    """pronunciations.diff.snapshot_diff between revisions ``from`` and ``to``."""

    modes = ModesDiffOutput()
    metadata = MetadataDiffOutput()
    checks = KeyedDiffOutput()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.IntegerField(help_text="The older revision's number.")
        fields["to"] = serializers.IntegerField(help_text="The newer revision's number.")
        return fields


class ImportNamesOutput(serializers.Serializer):
    created = serializers.ListField(child=serializers.CharField())
    changed = serializers.ListField(child=serializers.CharField())
    unchanged = serializers.ListField(child=serializers.CharField())


class ImportCountsOutput(serializers.Serializer):
    added = serializers.IntegerField()
    changed = serializers.IntegerField()
    removed = serializers.IntegerField()


class ImportRuleListsOutput(serializers.Serializer):
    added = serializers.ListField(child=serializers.DictField())
    changed = serializers.ListField(child=serializers.DictField())
    removed = serializers.ListField(child=serializers.DictField())


class ImportPlanEntryOutput(serializers.Serializer):
    dictionary = serializers.CharField()
    action = serializers.ChoiceField(choices=["create", "change", "unchanged"])
    rules = ImportRuleListsOutput()
    metadata_changed = serializers.BooleanField()
    reordered = serializers.BooleanField(required=False)
    checks = ImportRuleListsOutput(required=False)
    checks_failed = CheckResultOutput(
        many=True,
        required=False,
        help_text="Lexicon only: the dictionary's checks that fail against its new content "
        "(only when one does).",
    )


class ImportReportOutput(serializers.Serializer):
    """An import's report (pronunciations.transfer.report.ImportReport.to_wire)."""

    dry_run = serializers.BooleanField()
    mode = serializers.ChoiceField(choices=["merge", "replace"])
    dictionaries = ImportNamesOutput()
    rules = ImportCountsOutput()
    checks = ImportCountsOutput(required=False, help_text="Only when the file has checks.")
    errors = serializers.ListField(  # type: ignore[assignment]
        child=serializers.DictField(),
        help_text="Each with row, column, message (PLS: lexeme, grapheme, line, element).",
    )
    errors_not_listed = serializers.IntegerField(required=False)
    warnings = serializers.ListField(child=serializers.CharField())
    plan = ImportPlanEntryOutput(many=True)
    plan_rules_not_listed = serializers.IntegerField(required=False)


class ImportJobOutput(serializers.Serializer):
    """An asynchronous import (pronunciations.transfer.jobs.import_job_wire) and its ``url``."""

    id = serializers.CharField()
    state = serializers.ChoiceField(choices=JobState.choices)
    phase = serializers.CharField(help_text="waiting, read, import or empty.")
    file_name = serializers.CharField()
    format = serializers.CharField()
    rows_total = serializers.IntegerField(allow_null=True)
    rows_done = serializers.IntegerField()
    report = ImportReportOutput(allow_null=True)
    error = serializers.DictField(allow_null=True, help_text="The error body when it failed.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(help_text="Where to poll the job.")

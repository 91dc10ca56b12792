"""Shapes every app's API answers alike: SLNG's error body, its times, a rule a rewrite applied."""

from datetime import UTC, datetime

from rest_framework import serializers


def iso_millis(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``, as SLNG writes ``created_at``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


class ErrorOutput(serializers.Serializer):
    code = serializers.CharField()
    error = serializers.CharField()
    fieldErrors = serializers.DictField(  # noqa: N815 - SLNG's field name
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    slng_request_id = serializers.CharField(required=False)


class AppliedRuleOutput(serializers.Serializer):
    rule_index = serializers.IntegerField()
    match = serializers.CharField()
    replace = serializers.CharField()
    start = serializers.IntegerField(help_text="Span in the input text (code points).")
    end = serializers.IntegerField()
    out_start = serializers.IntegerField(help_text="Span of the replacement in the output.")
    out_end = serializers.IntegerField()

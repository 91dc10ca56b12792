"""The request shapes of a dictionary's parts (rules, modes, checks, includes), for the schema."""

from rest_framework import serializers

from pronunciations.validation import (
    CHECK_NOTE_MAX_LENGTH,
    CHECK_TEXT_MAX_LENGTH,
    MATCH_MAX_LENGTH,
    MAX_CHECKS,
    MAX_RULES_PER_MODE,
    VALUE_MAX_LENGTH,
)


class RewriteRuleSchema(serializers.Serializer):
    match = serializers.CharField(max_length=MATCH_MAX_LENGTH, help_text="A word or phrase.")
    replace = serializers.CharField(
        max_length=VALUE_MAX_LENGTH, help_text="The text sent to the TTS model."
    )
    disabled = serializers.BooleanField(
        required=False, help_text="Lexicon only: switched off, kept but never pushed."
    )


class IpaRuleSchema(serializers.Serializer):
    match = serializers.CharField(max_length=MATCH_MAX_LENGTH)
    ipa = serializers.CharField(max_length=VALUE_MAX_LENGTH, help_text="Stored, not executed.")


class RewriteModeSchema(serializers.Serializer):
    rules = serializers.ListField(child=RewriteRuleSchema(), max_length=MAX_RULES_PER_MODE)


class IpaModeSchema(serializers.Serializer):
    rules = serializers.ListField(
        child=IpaRuleSchema(), max_length=MAX_RULES_PER_MODE, required=False
    )


class ModesSchema(serializers.Serializer):
    rewrite = RewriteModeSchema(help_text="The only executed mode.")
    ipa = IpaModeSchema(required=False, help_text="Stored only; omitted when it has no rules.")


class CheckSchema(serializers.Serializer):
    text = serializers.CharField(
        max_length=CHECK_TEXT_MAX_LENGTH, trim_whitespace=False, help_text="A test sentence."
    )
    expect = serializers.CharField(
        max_length=CHECK_TEXT_MAX_LENGTH,
        trim_whitespace=False,
        help_text="Exactly what SLNG must send to the model once the rules rewrote the text.",
    )
    note = serializers.CharField(
        max_length=CHECK_NOTE_MAX_LENGTH, required=False, allow_null=True, help_text="Optional."
    )


def checks_field(help_text: str) -> serializers.Field:
    return serializers.ListField(
        child=CheckSchema(),
        max_length=MAX_CHECKS,
        required=False,
        allow_null=True,
        help_text=help_text,
    )


class IncludeSchema(serializers.Serializer):
    """One layer a dictionary includes (Lexicon only): a dictionary of the same organization,
    limited to dictionaries of one language when ``language`` is given."""

    name = serializers.CharField()
    language = serializers.CharField(required=False, help_text="a BCP 47 tag, e.g. en or de-CH")


KEPT_LAYERS = "Lexicon only: replaces its layers (kept when absent: SLNG's clients know none)."

"""Output serializers of sync's API: what each answer looks like, for responses and the schema."""

from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import AppliedRuleOutput, iso_millis
from pronunciations.validation import SPEAK_LABEL_MAX_LENGTH
from sync.models import Channel, RunStatus, SyncRun, SyncStatus, Trigger
from sync.selectors import run_state


class MillisField(serializers.DateTimeField):
    """A time as SLNG writes it (ISO-8601 UTC, milliseconds, ``Z``); null when unset."""

    def to_representation(self, value: Any) -> str:
        return iso_millis(value)


class BlankAsNullField(serializers.CharField):
    """A text that is null on the wire when it is empty."""

    def to_representation(self, value: Any) -> Any:
        return str(value) or None


class SyncErrorOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class SyncWaitingOutput(serializers.Serializer):
    """A newer revision the target does not serve yet, and why."""

    revision = serializers.IntegerField()
    reason = serializers.ChoiceField(
        choices=["awaiting_review", "checks_failed", "awaiting_verification_on"],
        help_text="awaiting_review: not approved yet; checks_failed: proposed with failing "
        "checks (cannot be approved as it is); awaiting_verification_on: not yet verified on "
        "the target named in `target`",
    )
    target = serializers.CharField(
        allow_null=True, help_text="The target it waits for (awaiting_verification_on only)."
    )


class SyncNotAudibleOutput(serializers.Serializer):
    """The dictionary's IPA rules the target's model cannot speak (it takes no phonemes)."""

    rules = serializers.ListField(child=serializers.CharField(), help_text="Their matches.")
    message = serializers.CharField(help_text="The same, in words.")


class SyncTargetStateOutput(serializers.Serializer):
    """One target's standing of the dictionary (a ``sync.channels.Standing``)."""

    target = serializers.CharField(source="target.name")
    target_id = serializers.CharField(source="target.public_id")
    status = serializers.ChoiceField(choices=SyncStatus.choices)
    pushed_revision = serializers.IntegerField(
        source="state.pushed_revision", default=None, allow_null=True
    )
    upstream_id = BlankAsNullField(source="state.upstream_id", default=None, allow_null=True)
    last_error = serializers.SerializerMethodField()
    attempts = serializers.IntegerField(source="state.attempts", default=0)
    synced_at = MillisField(source="state.synced_at", default=None, allow_null=True)
    verified_at = MillisField(source="state.verified_at", default=None, allow_null=True)
    window_ms = serializers.IntegerField(source="state.window_ms", default=None, allow_null=True)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        source="target.channel",
        help_text="latest (every revision) or approved",
    )
    after = serializers.CharField(
        source="target.after.name",
        default=None,
        allow_null=True,
        help_text="The target a revision must be verified on before this one serves it.",
    )
    live_revision = serializers.IntegerField(
        source="state.pushed_revision",
        default=None,
        allow_null=True,
        help_text="The revision this target holds (its last push).",
    )
    due_revision = serializers.IntegerField(
        allow_null=True,
        help_text="The revision this target should hold under its channel and `after` (null: "
        "none yet); the status is pending while it differs from live_revision.",
    )
    waiting = SyncWaitingOutput(allow_null=True)
    model = serializers.CharField(source="target.model", help_text="The target's TTS model.")
    compiled_as = serializers.CharField(
        help_text="How IPA rules are compiled for the model: its phoneme markup "
        "(deepgram-json, cartesia-bars, slashes, ssml-phoneme), or plain when it takes none."
    )
    not_audible = SyncNotAudibleOutput(allow_null=True)

    @extend_schema_field(SyncErrorOutput(allow_null=True))
    def get_last_error(self, row: Any) -> dict[str, str] | None:
        state = row.state
        if state is None or not state.last_error_code:
            return None
        return {"code": state.last_error_code, "message": state.last_error_message}


class SyncStateOutput(serializers.Serializer):
    dictionary = serializers.CharField()
    revision = serializers.IntegerField()
    targets = SyncTargetStateOutput(many=True)


class SyncTargetOutput(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    base_url = serializers.CharField()
    ws_url = serializers.CharField()
    model = serializers.CharField()
    voice = serializers.CharField()
    verify_route = serializers.CharField()
    verify_http = serializers.BooleanField()
    enabled = serializers.BooleanField()
    prune = serializers.BooleanField()
    interval_seconds = serializers.IntegerField()
    concurrency = serializers.IntegerField(
        help_text="Dictionaries a run of this target pushes and verifies at once."
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    after = serializers.CharField(source="after.name", default=None, allow_null=True)


class SyncTargetListOutput(serializers.Serializer):
    targets = SyncTargetOutput(many=True)


class SyncRunCountsOutput(serializers.Serializer):
    created = serializers.IntegerField()
    replaced = serializers.IntegerField()
    deleted = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    verified = serializers.IntegerField()
    failed = serializers.IntegerField()


class SyncRunProgressOutput(serializers.Serializer):
    done = serializers.IntegerField(help_text="Dictionaries of the plan done so far.")
    total = serializers.IntegerField(
        source="planned", allow_null=True, help_text="Dictionaries in the plan; null until known."
    )


class SyncRunOutput(serializers.Serializer):
    """A sync run. Give ``context={"request": …}`` for its ``url``."""

    id = serializers.CharField(source="public_id")
    target = serializers.CharField(source="target.name")
    target_id = serializers.CharField(source="target.public_id")
    trigger = serializers.ChoiceField(choices=Trigger.choices)
    state = serializers.SerializerMethodField(
        help_text="queued, running or finished (then status says how)."
    )
    status = serializers.ChoiceField(choices=RunStatus.choices)
    queued_at = MillisField(allow_null=True, help_text="null for a run that was never queued.")
    started_at = serializers.SerializerMethodField(help_text="null while queued.")
    finished_at = MillisField(allow_null=True)
    duration_ms = serializers.IntegerField(allow_null=True)
    progress = SyncRunProgressOutput(source="*")
    counts = SyncRunCountsOutput(source="*")
    http_calls = serializers.IntegerField()
    error = BlankAsNullField(allow_null=True)
    url = serializers.SerializerMethodField(help_text="Where to poll the run.")

    @extend_schema_field(serializers.ChoiceField(choices=["queued", "running", "finished"]))
    def get_state(self, run: SyncRun) -> str:
        return run_state(run)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_started_at(self, run: SyncRun) -> str | None:
        return None if run.status == RunStatus.QUEUED else iso_millis(run.started_at)

    def get_url(self, run: SyncRun) -> str:
        path = reverse("sync-run-detail", args=[run.public_id])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class SyncRunListOutput(serializers.Serializer):
    runs = SyncRunOutput(many=True)


class SyncQueuedOutput(serializers.Serializer):
    queued = serializers.ListField(child=serializers.CharField(), help_text="Target names")
    runs = SyncRunOutput(many=True, help_text="The runs queued, one per target, to poll.")


class HeardOnOutput(serializers.Serializer):
    """Which target's model and voice spoke."""

    target = serializers.CharField()
    model = serializers.CharField()
    voice = serializers.CharField(allow_blank=True)
    compiled_as = serializers.CharField(help_text="The markup IPA rules were compiled into.")
    words = serializers.CharField(help_text='e.g. "Heard on production — deepgram/aura:2, thalia"')


class SpeakOutput(serializers.Serializer):
    text = serializers.CharField(
        help_text="After: the text as the model receives it with the rules (IPA rules compiled "
        "into the model's markup)"
    )
    applied = AppliedRuleOutput(many=True)
    original_text = serializers.CharField(help_text="The text as sent")
    before_text = serializers.CharField(
        help_text="Before: the text as the model receives it now, with the revision the target "
        "serves (compiled the same way); the text as sent when it serves none"
    )
    before_revision = serializers.IntegerField(
        allow_null=True, help_text="The revision the target serves now (null: none)"
    )
    heard_on = HeardOnOutput()
    content_hash = serializers.CharField()
    target = serializers.CharField()
    voice = serializers.CharField(allow_blank=True)
    original_audio = serializers.CharField(help_text="data:audio/wav;base64,… before")
    rewritten_audio = serializers.CharField(help_text="data:audio/wav;base64,… after")


class DictionarySpeakRequest(serializers.Serializer):
    """Listen with a saved dictionary's rules (checked by validation.validate_speak)."""

    text = serializers.CharField(
        max_length=settings.LEXICON_SPEAK_MAX_CHARS,
        help_text="Non-empty; at most LEXICON_SPEAK_MAX_CHARS characters.",
    )
    target = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=SPEAK_LABEL_MAX_LENGTH,
        help_text="A target's name or id; default the production target.",
    )
    voice = serializers.CharField(
        required=False, allow_null=True, max_length=SPEAK_LABEL_MAX_LENGTH
    )


class SpeakRequest(DictionarySpeakRequest):
    """Listen with the rules sent (none: the text as written)."""

    modes = serializers.DictField(
        required=False,
        allow_null=True,
        help_text="The modes to apply, as a create takes them (rewrite and/or ipa, each with its "
        "rules); absent or null: the text as written.",
    )

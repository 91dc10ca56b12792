"""Sync endpoints: a dictionary's state per target, manual triggers, targets and their runs."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.authentication import caller_key
from orgs.throttling import APIKeyRateThrottle
from pronunciations import selectors, validation
from pronunciations.api.common import error_responses, json_object
from pronunciations.api.serializers import ErrorOutput, iso_millis
from pronunciations.content import content_hash, modes_from_rules
from pronunciations.errors import Unavailable
from sync.models import SyncRun, SyncState, SyncTarget
from sync.receivers import enqueue_sync, publish_run
from sync.speak import SpeakRateThrottle, speech_create
from sync.targets import dictionary_sync_states, target_get


def _time(value: Any) -> str | None:
    return iso_millis(value) if value else None


def state_to_wire(target: SyncTarget, state: SyncState | None, status: str) -> dict[str, Any]:
    error = None
    if state is not None and state.last_error_code:
        error = {"code": state.last_error_code, "message": state.last_error_message}
    return {
        "target": target.name,
        "target_id": target.public_id,
        "status": status,
        "pushed_revision": state.pushed_revision if state else None,
        "upstream_id": state.upstream_id or None if state else None,
        "last_error": error,
        "attempts": state.attempts if state else 0,
        "synced_at": _time(state.synced_at) if state else None,
        "verified_at": _time(state.verified_at) if state else None,
        "window_ms": state.window_ms if state else None,
    }


def run_to_wire(run: SyncRun) -> dict[str, Any]:
    fields = ("created", "replaced", "deleted", "unchanged", "verified", "failed")
    return {
        "id": run.pk,
        "trigger": run.trigger,
        "status": run.status,
        "started_at": _time(run.started_at),
        "finished_at": _time(run.finished_at),
        "duration_ms": run.duration_ms,
        "counts": {name: getattr(run, name) for name in fields},
        "http_calls": run.http_calls,
        "error": run.error or None,
    }


class SyncStateOutput(serializers.Serializer):
    dictionary = serializers.CharField()
    revision = serializers.IntegerField()
    targets = serializers.ListField(child=serializers.DictField())


class DictionarySyncView(APIView):
    @extend_schema(
        operation_id="pronunciation-dictionaries-sync-state",
        responses={200: SyncStateOutput, **error_responses(400, 401, 404, 503)},
    )
    def get(self, request: Request, name: str) -> Response:
        validation.validate_name(name)
        organization = caller_key(request).organization
        dictionary = selectors.dictionary_get(organization=organization, name=name)
        rows = dictionary_sync_states(organization=organization, dictionary=dictionary)
        return Response(
            {
                "dictionary": dictionary.name,
                "revision": dictionary.revision,
                "targets": [state_to_wire(*row) for row in rows],
            }
        )

    @extend_schema(
        operation_id="pronunciation-dictionaries-sync",
        request=None,
        responses={202: dict, **error_responses(400, 401, 404, 503)},
    )
    def post(self, request: Request, name: str) -> Response:
        validation.validate_name(name)
        organization = caller_key(request).organization
        selectors.dictionary_get(organization=organization, name=name)
        queued = enqueue_sync(organization_id=organization.pk, trigger="manual")
        names = SyncTarget.objects.filter(pk__in=queued).values_list("name", flat=True)
        return Response({"queued": sorted(names)}, status=202)


class TargetCollectionView(APIView):
    @extend_schema(
        operation_id="sync-targets-list", responses={200: dict, **error_responses(401, 503)}
    )
    def get(self, request: Request) -> Response:
        targets = SyncTarget.objects.filter(organization=caller_key(request).organization)
        return Response(
            {
                "targets": [
                    {
                        "id": target.public_id,
                        "name": target.name,
                        "base_url": target.base_url,
                        "ws_url": target.ws_url,
                        "model": target.model,
                        "voice": target.voice,
                        "verify_route": target.verify_route,
                        "verify_http": target.verify_http,
                        "enabled": target.enabled,
                        "prune": target.prune,
                        "interval_seconds": target.interval_seconds,
                    }
                    for target in targets.order_by("name")
                ]
            }
        )


class TargetRunView(APIView):
    @extend_schema(
        operation_id="sync-targets-run",
        request=None,
        responses={202: dict, **error_responses(400, 401, 404, 503)},
    )
    def post(self, request: Request, target_id: str) -> Response:
        validation.validate_public_id(target_id, name="target_id")
        target = target_get(organization=caller_key(request).organization, target_id=target_id)
        if not publish_run(target, "manual"):
            raise Unavailable("The sync queue is unavailable; the target's schedule will catch up.")
        return Response({"queued": [target.name]}, status=202)


class TargetRunsView(APIView):
    @extend_schema(
        operation_id="sync-targets-runs",
        responses={200: dict, **error_responses(400, 401, 404, 503)},
    )
    def get(self, request: Request, target_id: str) -> Response:
        validation.validate_public_id(target_id, name="target_id")
        target = target_get(organization=caller_key(request).organization, target_id=target_id)
        runs = target.runs.order_by("-started_at")[:50]
        return Response({"runs": [run_to_wire(run) for run in runs]})


class SpeakOutput(serializers.Serializer):
    text = serializers.CharField(help_text="The rewritten text, as the model would receive it")
    applied = serializers.ListField(child=serializers.DictField())
    original_text = serializers.CharField()
    content_hash = serializers.CharField()
    target = serializers.CharField()
    voice = serializers.CharField(allow_blank=True)
    original_audio = serializers.CharField(help_text="data:audio/wav;base64,… of the text")
    rewritten_audio = serializers.CharField(help_text="data:audio/wav;base64,… rewritten")


SPEAK_THROTTLES = [APIKeyRateThrottle, SpeakRateThrottle]
SPEAK_ERRORS = {
    **error_responses(400, 401, 404, 503),
    429: OpenApiResponse(ErrorOutput, description="rate_limit"),
}


class DictionarySpeakView(APIView):
    throttle_classes = SPEAK_THROTTLES

    @extend_schema(
        operation_id="pronunciation-dictionaries-speak",
        request=dict,
        responses={200: SpeakOutput, **SPEAK_ERRORS},
    )
    def post(self, request: Request, name: str) -> Response:
        validation.validate_name(name)
        speak = validation.validate_speak(json_object(request))
        organization = caller_key(request).organization
        dictionary = selectors.dictionary_get(organization=organization, name=name)
        modes = modes_from_rules(dictionary.rules.all())
        answer = speech_create(
            organization=organization,
            modes=modes,
            content_hash=dictionary.content_hash,
            request=speak,
        )
        return Response(answer)


class SpeakView(APIView):
    throttle_classes = SPEAK_THROTTLES

    @extend_schema(
        operation_id="pronunciation-speak",
        request=dict,
        responses={200: SpeakOutput, **SPEAK_ERRORS},
    )
    def post(self, request: Request) -> Response:
        body = json_object(request)
        speak = validation.validate_speak(body)
        modes = validation.validate_modes(body.get("modes"))
        organization = caller_key(request).organization
        answer = speech_create(
            organization=organization, modes=modes, content_hash=content_hash(modes), request=speak
        )
        return Response(answer)

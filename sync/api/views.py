"""sync's views: a dictionary's state per target, manual triggers, targets and their runs."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import READ_ONLY_POST, bad_id, caller_for, error_responses, json_object, refusal
from core.idempotency import idempotent
from core.serializers import ErrorOutput
from orgs.actors import Actor
from orgs.authentication import caller_key
from orgs.throttling import APIKeyRateThrottle
from pronunciations import selectors, validation
from pronunciations.content import content_hash, current_modes
from pronunciations.errors import Unavailable
from sync.api.serializers import (
    DictionarySpeakRequest,
    SpeakOutput,
    SpeakRequest,
    SyncQueuedOutput,
    SyncRunListOutput,
    SyncRunOutput,
    SyncStateOutput,
    SyncTargetListOutput,
)
from sync.channels import dictionary_standings
from sync.enqueue import enqueue_sync, publish_run
from sync.errors import RunNotFound
from sync.models import SyncRun
from sync.selectors import run_get, target_get, target_list
from sync.speak import SpeakRateThrottle, speech_create

_EXAMPLE_RUN = "run_01JD4XQ8V2N6R0S4T8W2Y6A0C4"


class DictionarySyncView(APIView):
    @extend_schema(
        operation_id="pronunciation-dictionaries-sync-state",
        summary="Get a dictionary's sync state",
        description=(
            "Where the dictionary stands on each sync target: the revision it holds "
            "(live_revision, also pushed_revision), the revision its channel and `after` make "
            "due, any error, and a newer revision that is waiting with the reason: "
            "awaiting_review, checks_failed, or awaiting_verification_on another target."
        ),
        tags=["sync"],
        responses={200: SyncStateOutput, **error_responses(400, 401, 404, 503)},
    )
    def get(self, request: Request, name: str) -> Response:
        organization = caller_for(request, name).organization
        dictionary = selectors.dictionary_get(organization=organization, name=name)
        targets = dictionary_standings(organization=organization, dictionary=dictionary)
        answer = {"dictionary": dictionary.name, "revision": dictionary.revision}
        answer["targets"] = targets
        return Response(SyncStateOutput(answer).data)

    @extend_schema(
        operation_id="pronunciation-dictionaries-sync",
        summary="Sync a dictionary now",
        description=(
            "Queues a sync run on each of the caller's organization's enabled targets, which "
            "carries this dictionary with the others, and answers the names of the targets "
            "queued and the runs, each with the id and URL to poll (GET /v1/sync/runs/{id})."
        ),
        tags=["sync"],
        request=None,
        responses={202: SyncQueuedOutput, **error_responses(400, 401, 404, 503)},
    )
    @idempotent
    def post(self, request: Request, name: str) -> Response:
        organization = caller_for(request, name).organization
        selectors.dictionary_get(organization=organization, name=name)
        runs = enqueue_sync(organization_id=organization.pk, trigger="manual")
        return _queued(request, sorted(runs, key=lambda run: run.target.name))


class TargetCollectionView(APIView):
    @extend_schema(
        operation_id="sync-targets-list",
        summary="List sync targets",
        description=("The SLNG targets the caller's organization syncs to."),
        tags=["sync"],
        responses={200: SyncTargetListOutput, **error_responses(401, 503)},
    )
    def get(self, request: Request) -> Response:
        targets = target_list(actor=Actor.for_key(caller_key(request))).select_related("after")
        return Response(SyncTargetListOutput({"targets": targets}).data)


class TargetRunView(APIView):
    @extend_schema(
        operation_id="sync-targets-run",
        summary="Sync a target now",
        description=("Queues a sync run of every dictionary to one target."),
        tags=["sync"],
        request=None,
        responses={
            202: SyncQueuedOutput,
            **error_responses(400, 401, 404, 503, errors=bad_id("target_id")),
        },
    )
    @idempotent
    def post(self, request: Request, target_id: str) -> Response:
        validation.validate_public_id(target_id, name="target_id")
        target = target_get(actor=Actor.for_key(caller_key(request)), target_id=target_id)
        run = publish_run(target, "manual")
        if run is None:
            raise Unavailable("The sync queue is unavailable; the target's schedule will catch up.")
        return _queued(request, [run])


def _queued(request: Request, runs: list[SyncRun]) -> Response:
    """202 with the targets queued and their runs, to poll."""
    answer = {"queued": [run.target.name for run in runs], "runs": runs}
    return Response(SyncQueuedOutput(answer, context={"request": request}).data, status=202)


class TargetRunsView(APIView):
    @extend_schema(
        operation_id="sync-targets-runs",
        summary="List a target's sync runs",
        description=("The recent sync runs of one target with their outcome."),
        tags=["sync"],
        responses={
            200: SyncRunListOutput,
            **error_responses(400, 401, 404, 503, errors=bad_id("target_id")),
        },
    )
    def get(self, request: Request, target_id: str) -> Response:
        validation.validate_public_id(target_id, name="target_id")
        target = target_get(actor=Actor.for_key(caller_key(request)), target_id=target_id)
        runs = target.runs.order_by("-started_at")[:50]
        return Response(SyncRunListOutput({"runs": runs}, context={"request": request}).data)


class RunDetailView(APIView):
    @extend_schema(
        operation_id="sync-runs-get",
        summary="Get a sync run",
        description=(
            "Progress and outcome of one sync run of the caller's organization: `state` "
            "(queued, running, finished), `status` (queued, running, succeeded, failed, "
            "superseded), the plan's dictionaries done so far, the counts so far and the error. "
            "Another organization's run is 404."
        ),
        tags=["sync"],
        responses={
            200: SyncRunOutput,
            **error_responses(
                400, 401, 404, 503, errors={**bad_id("run_id"), 404: RunNotFound(_EXAMPLE_RUN)}
            ),
        },
    )
    def get(self, request: Request, run_id: str) -> Response:
        validation.validate_public_id(run_id, name="run_id")
        run = run_get(actor=Actor.for_key(caller_key(request)), run_id=run_id)
        return Response(SyncRunOutput(run, context={"request": request}).data)


SPEAK_THROTTLES = [APIKeyRateThrottle, SpeakRateThrottle]
SPEAK_ERRORS = {
    **error_responses(400, 401, 404, 503),
    429: OpenApiResponse(ErrorOutput, description="rate_limit"),
}


class DictionarySpeakView(APIView):
    throttle_classes = SPEAK_THROTTLES
    key_roles = READ_ONLY_POST  # Listen changes nothing stored

    @extend_schema(
        operation_id="pronunciation-dictionaries-speak",
        summary="Speak with a saved dictionary",
        description=(
            "Synthesizes a text with the saved dictionary's rules applied, to hear how it is "
            "pronounced."
        ),
        tags=["listen"],
        request=DictionarySpeakRequest,
        responses={200: SpeakOutput, **SPEAK_ERRORS},
    )
    @idempotent
    def post(self, request: Request, name: str) -> Response:
        speak = validation.validate_speak(json_object(request))
        organization = caller_for(request, name).organization
        dictionary = selectors.dictionary_get(organization=organization, name=name)
        modes = current_modes(dictionary)
        answer = speech_create(
            organization=organization,
            modes=modes,
            content_hash=dictionary.content_hash,
            request=speak,
            dictionary=dictionary,
        )
        return Response(SpeakOutput(answer).data)


class SpeakView(APIView):
    throttle_classes = SPEAK_THROTTLES
    key_roles = READ_ONLY_POST

    @extend_schema(
        operation_id="pronunciation-speak",
        summary="Speak a text",
        description=(
            "Synthesizes a text, with the modes sent (if any) applied, to hear how it is "
            "pronounced."
        ),
        tags=["listen"],
        request=SpeakRequest,
        responses={
            200: SpeakOutput,
            **SPEAK_ERRORS,
            **error_responses(400, errors={400: refusal(lambda: validation.validate_speak({}))}),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        body = json_object(request)
        speak = validation.validate_speak(body)
        modes = validation.validate_modes(body.get("modes"))
        organization = caller_key(request).organization
        answer = speech_create(
            organization=organization, modes=modes, content_hash=content_hash(modes), request=speak
        )
        return Response(SpeakOutput(answer).data)

"""POST /v1/pronunciation/scan: the words of a text at risk, and what the dictionaries do."""

from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from core.idempotency import idempotent
from orgs.actors import Actor
from orgs.authentication import caller_key
from orgs.models import APIKey
from orgs.throttling import APIKeyRateThrottle
from pronunciations.api.common import error_responses
from pronunciations.api.parsers import BoundedJSONParser
from pronunciations.api.tools import READ_ONLY_POST
from pronunciations.api.transfer import ASYNC_PARAMETER, BoundedMultiPartParser, _asks_async
from pronunciations.scan import jobs
from pronunciations.scan import services as scanning
from pronunciations.scan.findings import REASONS
from pronunciations.scan.texts import FORMATS, scan_format
from pronunciations.transfer import uploads
from pronunciations.validation import ParameterError, validate_public_id


class ScanRateThrottle(SimpleRateThrottle):
    """LEXICON_SCAN_RATE_LIMIT scans per organization (all its keys together)."""

    scope = "scan"

    def get_rate(self) -> str | None:
        return settings.LEXICON_SCAN_RATE_LIMIT or None

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        auth = getattr(request, "auth", None)
        if not isinstance(auth, APIKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": auth.organization_id}


class ScanRequest(serializers.Serializer):
    text = serializers.CharField(help_text="The text to scan (or upload a file as `file`).")
    format = serializers.ChoiceField(choices=FORMATS, required=False, default="txt")
    language = serializers.CharField(
        required=False, help_text="BCP 47; default: the first dictionary's metadata.language"
    )
    dictionaries = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Names; default: all"
    )


class ExampleOutput(serializers.Serializer):
    before = serializers.CharField()
    text = serializers.CharField()
    after = serializers.CharField()


class CoverOutput(serializers.Serializer):
    dictionary = serializers.CharField()
    state = serializers.ChoiceField(choices=["fires", "not_firing", "ipa", "none"])
    match = serializers.CharField(allow_null=True)
    becomes = serializers.CharField(allow_null=True)
    fires = serializers.IntegerField()


class CheckSentenceOutput(serializers.Serializer):
    text = serializers.CharField()
    sense = serializers.CharField()
    ipa = serializers.CharField()
    say = serializers.CharField()


class SuggestionOutput(serializers.Serializer):
    mode = serializers.ChoiceField(choices=["rewrite", "ipa"])
    match = serializers.CharField()
    replace = serializers.CharField(allow_blank=True)
    ipa = serializers.CharField(allow_null=True)
    note = serializers.CharField()
    checks = CheckSentenceOutput(many=True)


class ReadingOutput(serializers.Serializer):
    sense = serializers.CharField()
    ipa = serializers.CharField()
    count = serializers.IntegerField()


class FindingOutput(serializers.Serializer):
    text = serializers.CharField()
    key = serializers.CharField()
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=REASONS))
    count = serializers.IntegerField()
    score = serializers.FloatField()
    examples = ExampleOutput(many=True)
    coverage = CoverOutput(many=True)
    covered = serializers.BooleanField()
    suggestion = SuggestionOutput()
    readings = ReadingOutput(many=True)


class CountedExamplesOutput(serializers.Serializer):
    count = serializers.IntegerField()
    examples = ExampleOutput(many=True)


class SenseOutput(serializers.Serializer):
    reading = serializers.IntegerField()
    example = ExampleOutput()


class RuleUseOutput(serializers.Serializer):
    dictionary = serializers.CharField()
    match = serializers.CharField()
    replace = serializers.CharField()
    fires = serializers.IntegerField()
    dead = serializers.BooleanField()
    examples = ExampleOutput(many=True)
    inside = CountedExamplesOutput()
    both_senses = serializers.BooleanField()
    senses = SenseOutput(many=True)
    may_split = serializers.BooleanField()
    split = CountedExamplesOutput()


class SummaryOutput(serializers.Serializer):
    findings = serializers.IntegerField()
    uncovered = serializers.IntegerField()
    dead_rules = serializers.IntegerField()


class ScanOutput(serializers.Serializer):
    id = serializers.CharField()
    language = serializers.CharField()
    dictionaries = serializers.ListField(child=serializers.CharField())
    turns = serializers.IntegerField()
    words = serializers.IntegerField()
    notes = serializers.ListField(child=serializers.CharField())
    espeak = serializers.BooleanField()
    summary = SummaryOutput()
    findings = FindingOutput(many=True)
    findings_not_listed = serializers.IntegerField()
    rules = RuleUseOutput(many=True)


class ScanJobOutput(serializers.Serializer):
    id = serializers.CharField()
    state = serializers.ChoiceField(choices=["queued", "running", "succeeded", "failed"])
    phase = serializers.CharField()
    turns_total = serializers.IntegerField(allow_null=True)
    turns_done = serializers.IntegerField()
    result = ScanOutput(allow_null=True)
    error = serializers.DictField(allow_null=True)
    url = serializers.CharField()


def _names(raw: object) -> list[str]:
    """``dictionaries``: a JSON list of names, or (form field) names separated by commas."""
    if isinstance(raw, str):
        raw = [name.strip() for name in raw.split(",") if name.strip()]
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise ParameterError({"dictionaries": ["must be a list of dictionary names"]})
    return raw


def _text(request: Request) -> tuple[bytes, str]:
    """The text's bytes and format: an uploaded ``file``, or the ``text`` field."""
    upload = request.FILES.get("file")
    if upload is not None:
        uploads.check_size(upload.size or 0)
        return upload.read(), scan_format(request.data.get("format"), upload.name or "")
    text = request.data.get("text")
    if not isinstance(text, str):
        raise ParameterError({"text": ["send the text to scan as a string, or a file"]})
    return text.encode("utf-8", "surrogatepass"), scan_format(request.data.get("format"), "")


@uploads.accepts_uploads
class ScanView(APIView):
    key_roles = READ_ONLY_POST
    parser_classes = [BoundedJSONParser, BoundedMultiPartParser]
    throttle_classes = [APIKeyRateThrottle, ScanRateThrottle]

    @extend_schema(
        operation_id="pronunciation-scan",
        summary="Scan texts for words at risk",
        description=(
            "Finds the words and terms of a text (pasted, or a .txt, .csv, .jsonl, .srt or .vtt "
            "file) that a voice may say wrong: ranked, with examples, reasons, each dictionary's "
            "rule for it (or none) and a suggested rule; and what every rule does in the text. "
            "Writes nothing."
        ),
        tags=["preview and lint"],
        request={"application/json": ScanRequest, "multipart/form-data": ScanRequest},
        parameters=[ASYNC_PARAMETER],
        responses={
            200: ScanOutput,
            202: ScanJobOutput,
            **error_responses(400, 401, 404, 413, 429, 503),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        key = caller_key(request)
        data, file_format = _text(request)
        language, names = request.data.get("language"), _names(request.data.get("dictionaries"))
        if _asks_async(request) or len(data) > settings.LEXICON_SCAN_SYNC_MAX_BYTES:
            scanning.scan_turns(data=data, file_format=file_format)  # refused now, not later
            job = jobs.scan_job_create(
                organization=key.organization,
                data=data,
                file_format=file_format,
                language=language,
                names=names,
                author=Actor.for_key(key),
            )
            body = {**jobs.scan_job_wire(job), "url": _job_url(request, job.public_id)}
            return Response(body, status=202, headers={"Location": body["url"]})
        turns = scanning.scan_turns(data=data, file_format=file_format)
        body = scanning.scan_run(
            organization=key.organization, turns=turns, language=language, names=names
        )
        return Response(body)


def _job_url(request: Request, job_id: str) -> str:
    return request.build_absolute_uri(reverse("scan-job-detail", args=[job_id]))


class ScanJobDetailView(APIView):
    @extend_schema(
        operation_id="pronunciation-scan-job",
        summary="Get a scan job",
        description="Progress and outcome of a scan run in the background.",
        tags=["preview and lint"],
        responses={200: ScanJobOutput, **error_responses(400, 401, 404, 503)},
    )
    def get(self, request: Request, job_id: str) -> Response:
        validate_public_id(job_id, name="job_id")
        job = jobs.scan_job_get(organization=caller_key(request).organization, job_id=job_id)
        return Response({**jobs.scan_job_wire(job), "url": _job_url(request, job.public_id)})

"""Import and export endpoints, and the status of background imports."""

import re
from typing import Any

from django.conf import settings
from django.http import HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.idempotency import idempotent
from orgs.actors import Actor
from orgs.authentication import caller_key
from pronunciations import selectors, validation
from pronunciations.api.common import bad_id, caller_for, error_responses, refusal
from pronunciations.api.shapes import ImportJobOutput, ImportReportOutput
from pronunciations.checks import current_checks
from pronunciations.errors import RequestTooLarge
from pronunciations.models import Dictionary, ImportJob
from pronunciations.transfer import exporting, formats, jobs, reading, services, uploads
from pronunciations.transfer.pls import pls_dump
from pronunciations.validation import COMMENT_MAX_LENGTH

_TRUE = {"1", "true", "yes", "on"}


class BoundedMultiPartParser(MultiPartParser):
    """Refuse an upload over LEXICON_MAX_UPLOAD_BYTES before reading it."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH", "") if request is not None else ""
        limit = settings.LEXICON_MAX_UPLOAD_BYTES
        if declared.isdigit() and int(declared) > limit + 64 * 1024:
            raise RequestTooLarge(f"The file is too large: the limit is {limit} bytes.")
        return super().parse(stream, media_type, parser_context)


def _flag(request: Request, name: str) -> bool:
    return str(request.data.get(name, "")).lower() in _TRUE


def _asks_async(request: Request) -> bool:
    """``?async=true``, an ``async`` form field, or ``Prefer: respond-async`` (RFC 7240)."""
    prefer = [p.strip().lower() for p in request.headers.get("Prefer", "").split(",")]
    asked = str(request.query_params.get("async", "")).lower() in _TRUE
    return asked or _flag(request, "async") or "respond-async" in prefer


_JOB_ID = re.compile(r"imp_[0-9A-HJKMNP-TV-Z]{26}")


IMPORT_PARAMETERS = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "format": "binary"},
        "format": {"type": "string", "enum": list(formats.FORMATS)},
        "mode": {"type": "string", "enum": ["merge", "replace"], "default": "merge"},
        "dry_run": {"type": "boolean", "default": False},
        "create_missing": {"type": "boolean", "default": False},
        "dictionary": {"type": "string", "description": "PLS only: the dictionary's name"},
        "comment": {
            "type": "string",
            "maxLength": COMMENT_MAX_LENGTH,
            "description": "Lexicon only: kept in the history of each revision the import makes",
        },
        "on_conflict": {
            "type": "string",
            "enum": ["first", "refuse"],
            "default": "first",
            "description": (
                "PLS only: graphemes that SLNG matches alike (case variants) but that say "
                "different things. first: the first in the file is kept and the others "
                "reported; refuse: each is an error located by lexeme and line"
            ),
        },
        "async": {
            "type": "boolean",
            "default": False,
            "description": "run as a background job (so do files over the sync size limit)",
        },
    },
    "required": ["file"],
}
ASYNC_PARAMETER = OpenApiParameter(
    "async", bool, description="run as a background job; also `Prefer: respond-async`"
)


_BAD_FORMAT = {400: refusal(lambda: reading.detect_format("docx", "rules.docx"))}
_BAD_EXPORT_FORMAT = {400: refusal(lambda: formats.export_format("docx", one_dictionary=False))}


@uploads.accepts_uploads
class ImportView(APIView):
    parser_classes = [BoundedMultiPartParser]

    @staticmethod
    def writes_nothing(request: Request) -> bool:
        """A dry run writes nothing: a viewer key may ask what an import would change (a
        pull request's check needs no write credentials)."""
        try:
            return _flag(request, "dry_run")
        except (ParseError, UnsupportedMediaType):  # no form to read: the role check answers
            return False

    @extend_schema(
        operation_id="pronunciation-import",
        summary="Import dictionaries from a file",
        description=(
            "Creates or updates dictionaries from an uploaded CSV, JSON or XLSX file, or one "
            "dictionary from a W3C PLS lexicon (Azure, Polly and ElevenLabs files as they are: "
            "case variants merged, warnings grouped and located by lexeme and line). With "
            "dry_run, answers the plan and writes nothing (a viewer key may ask it); with "
            "async, answers a job to poll."
        ),
        tags=["import and export"],
        parameters=[ASYNC_PARAMETER],
        request={"multipart/form-data": IMPORT_PARAMETERS},
        responses={
            200: ImportReportOutput,
            202: ImportJobOutput,
            **error_responses(400, 401, 409, 413, 503, errors=_BAD_FORMAT),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise validation.ParameterError({"file": ["upload the file in the 'file' field"]})
        uploads.check_size(upload.size or 0)
        name, asked = upload.name or "", _asks_async(request)
        options = _import_options(request, name)
        job = services.import_start(
            options=options, source=upload.file, file_name=name, asked=asked
        )
        if not isinstance(job, ImportJob):  # imported at once: its report
            return Response(job.to_wire())
        body = {**jobs.import_job_wire(job), "url": _job_url(request, job.public_id)}
        return Response(body, status=202, headers={"Location": body["url"]})


def _import_options(request: Request, file_name: str) -> reading.ImportOptions:
    """The import's parameters, checked before the file is read."""
    key = caller_key(request)
    file_format = reading.detect_format(request.data.get("format"), file_name)
    return reading.ImportOptions(
        key.organization,
        file_format,
        mode=reading.import_mode(request.data.get("mode")),
        dry_run=_flag(request, "dry_run"),
        create_missing=_flag(request, "create_missing"),
        dictionary=reading.check_dictionary(file_format, request.data.get("dictionary")),
        conflicts=reading.on_conflict(request.data.get("on_conflict")),
        author=Actor.for_key(key),
        comment=validation.validate_comment(request.data.get("comment")),
    )


def _job_url(request: Request, job_id: str) -> str:
    return request.build_absolute_uri(reverse("import-job-detail", args=[job_id]))


class ImportJobDetailView(APIView):
    @extend_schema(
        operation_id="pronunciation-import-job",
        summary="Get an import job",
        description=("Progress and outcome of an asynchronous import."),
        tags=["import and export"],
        responses={
            200: ImportJobOutput,
            **error_responses(400, 401, 404, 503, errors=bad_id("job_id")),
        },
    )
    def get(self, request: Request, job_id: str) -> Response:
        validation.validate_public_id(job_id, name="job_id")
        if not _JOB_ID.fullmatch(job_id):
            raise jobs.ImportJobNotFound(job_id)
        organization = caller_key(request).organization
        job = jobs.import_job_get(organization=organization, job_id=job_id)
        return Response({**jobs.import_job_wire(job), "url": _job_url(request, job.public_id)})


# A JSON export's rows carry typed values (transfer/rows.dictionary_records): text columns are
# strings, ``position`` a number, and each ``metadata.<key>`` the stored value, of any JSON type.
JSON_ROWS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            **{column: {"type": "string"} for column in ("dictionary", "mode", "match")},
            **{column: {"type": "string"} for column in ("replace", "ipa", "note")},
            "position": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": {},
    },
}


def _vendor_body(description: str, key: str, item: dict[str, Any], required: list[str]) -> Any:
    """A vendor's JSON body: a name and a list of ``key`` entries."""
    entries = {"type": "object", "properties": item, "required": required}
    return {
        "type": "object",
        "description": description,
        "properties": {"name": {"type": "string"}, key: {"type": "array", "items": entries}},
        "required": ["name", key],
    }


_TEXT = {"type": "string"}
ELEVENLABS_RULES = _vendor_body(
    "format=elevenlabs-json: the body of ElevenLabs' add-from-rules",
    "rules",
    {
        "string_to_replace": _TEXT,
        "type": {"type": "string", "enum": ["alias", "phoneme"]},
        "alias": _TEXT,
        "phoneme": _TEXT,
        "alphabet": {"type": "string", "enum": ["ipa"]},
    },
    ["string_to_replace", "type"],
)
CARTESIA_ITEMS = _vendor_body(
    "format=cartesia: the body of Cartesia's pronunciation dictionary create",
    "items",
    {"text": _TEXT, "pronunciation": _TEXT},
    ["text", "pronunciation"],
)
EXPORT_REPORT = {
    "type": "object",
    "description": "report=true: what a vendor export writes, cannot carry, and notes",
    "properties": {
        "format": {"type": "string", "enum": list(formats.VENDOR_FORMATS)},
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "bytes": {"type": "integer"},
                    "characters": {"type": "integer"},
                    "rules": {"type": "integer"},
                },
            },
        },
        "warnings": {"type": "array", "items": {"type": "string"}},
        "notes": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["format", "files", "warnings", "notes"],
}
VENDOR_DESCRIPTION = (
    " Vendor formats: polly (PLS lexicons of at most 4,000 characters, names Polly accepts), "
    "azure (one PLS file per language under 100 KB), elevenlabs (PLS for its file import), "
    "elevenlabs-json (its add-from-rules body), cartesia (its dictionary items). One file is "
    "answered as it is, several as a zip with report.txt; X-Lexicon-Export-Warnings counts "
    "what could not be carried, and report=true answers the report as JSON instead."
)


def _file_responses(allowed: tuple[str, ...]) -> dict[Any, Any]:
    """One 200 per media type: JSON exports are row objects (or, for vendor formats, the
    vendor's body or the report), zips and the other formats are files. First, any format's
    body as bytes: a generated client reads one media type per status (the first it knows), and
    only this one lets it read every format (a ``text/*`` one would decode a zip as text)."""
    responses: dict[Any, Any] = {(200, "application/octet-stream"): OpenApiTypes.BINARY}
    for file_format in allowed:
        if file_format in formats.VENDOR_FORMATS:
            continue
        schema = JSON_ROWS if file_format == "json" else OpenApiTypes.BINARY
        responses[(200, formats.CONTENT_TYPES[file_format])] = schema
    if any(f in formats.VENDOR_FORMATS for f in allowed):
        json_bodies = [JSON_ROWS, ELEVENLABS_RULES, CARTESIA_ITEMS, EXPORT_REPORT]
        responses[(200, "application/json")] = {"oneOf": json_bodies}
        responses[(200, formats.CONTENT_TYPES["pls"])] = OpenApiTypes.BINARY
        responses[(200, formats.CONTENT_TYPES["zip"])] = OpenApiTypes.BINARY
    return responses


def _format_parameter(*, one_dictionary: bool) -> OpenApiParameter:
    allowed = formats.export_formats(one_dictionary=one_dictionary)
    return OpenApiParameter("format", str, enum=list(allowed), default="csv")


REPORT_PARAMETER = OpenApiParameter(
    "report", bool, description="vendor formats: answer the export's report as JSON, no files"
)
FLATTENED_PARAMETER = OpenApiParameter(
    "flattened",
    bool,
    description=(
        "Lexicon only, every format: each dictionary with its layers, as its targets receive "
        "it (disabled rules left out)"
    ),
)


def _flattened(request: Request) -> bool:
    return str(request.query_params.get("flattened", "")).lower() in _TRUE


def _export(request: Request, queryset: Any, file_format: str, stem: str) -> HttpResponseBase:
    flattened = _flattened(request)
    if file_format in formats.VENDOR_FORMATS:
        report_only = str(request.query_params.get("report", "")).lower() in _TRUE
        return exporting.vendor_response(
            queryset, file_format, stem, report_only=report_only, flattened=flattened
        )
    return exporting.export_response(queryset, file_format, stem, flattened=flattened)


class ExportView(APIView):
    @extend_schema(
        operation_id="pronunciation-export",
        summary="Export dictionaries",
        description=(
            "The caller's dictionaries (all, or those named) as a CSV, JSON or XLSX file, or "
            "for another vendor." + VENDOR_DESCRIPTION
        ),
        tags=["import and export"],
        parameters=[
            _format_parameter(one_dictionary=False),
            OpenApiParameter("names", str, description="Comma-separated names (default: all)"),
            REPORT_PARAMETER,
            FLATTENED_PARAMETER,
        ],
        responses={
            **_file_responses(formats.export_formats(one_dictionary=False)),
            **error_responses(400, 401, 404, 503, errors=_BAD_EXPORT_FORMAT),
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        file_format = formats.export_format(
            request.query_params.get("format"), one_dictionary=False
        )
        names = validation.validate_names_parameter(request.query_params.get("names", ""))
        organization = caller_key(request).organization
        queryset = selectors.dictionaries_for_export(organization=organization, names=names)
        stem = f"{organization.slug}-dictionaries-{timezone.now():%Y%m%d-%H%M%S}"
        return _export(request, queryset, file_format, stem)


class DictionaryExportView(APIView):
    @extend_schema(
        operation_id="pronunciation-dictionaries-export",
        summary="Export one dictionary",
        description=(
            "One dictionary as a CSV, JSON, XLSX or W3C PLS file, or for another vendor."
            + VENDOR_DESCRIPTION
        ),
        tags=["import and export"],
        parameters=[_format_parameter(one_dictionary=True), REPORT_PARAMETER, FLATTENED_PARAMETER],
        responses={
            **_file_responses(formats.export_formats(one_dictionary=True)),
            **error_responses(400, 401, 404, 503),
        },
    )
    def get(self, request: Request, name: str) -> HttpResponseBase:
        file_format = formats.export_format(request.query_params.get("format"), one_dictionary=True)
        organization = caller_for(request, name).organization
        queryset = selectors.dictionaries_for_export(organization=organization, names=[name])
        if file_format != "pls":
            return _export(request, queryset, file_format, name)
        dictionary: Dictionary = queryset.get()
        modes = exporting.wire_of(dictionary, flattened=_flattened(request))
        left_out = len(current_checks(dictionary))
        body = pls_dump(modes, dictionary.metadata, checks_left_out=left_out)
        return exporting.as_attachment(HttpResponse(body), f"{dictionary.name}.pls", "pls")

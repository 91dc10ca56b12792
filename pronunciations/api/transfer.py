"""Import and export endpoints, and the status of background imports."""

import re
from typing import Any

from django.conf import settings
from django.http import HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.authentication import caller_key
from pronunciations import selectors, validation
from pronunciations.api.common import bad_id, caller_for, error_responses, refusal
from pronunciations.checks import current_checks
from pronunciations.content import current_wire
from pronunciations.errors import RequestTooLarge
from pronunciations.models import Dictionary
from pronunciations.transfer import exporting, formats, jobs, reading, uploads
from pronunciations.transfer.pls import pls_dump

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

    @extend_schema(
        operation_id="pronunciation-import",
        summary="Import dictionaries from a file",
        description=(
            "Creates or updates dictionaries from an uploaded CSV, JSON or XLSX file. With "
            "dry_run, answers the plan and writes nothing; with async, answers a job to poll."
        ),
        tags=["import and export"],
        parameters=[ASYNC_PARAMETER],
        request={"multipart/form-data": IMPORT_PARAMETERS},
        responses={
            200: OpenApiTypes.OBJECT,
            202: OpenApiTypes.OBJECT,
            **error_responses(400, 401, 409, 413, 503, errors=_BAD_FORMAT),
        },
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise validation.ParameterError({"file": ["upload the file in the 'file' field"]})
        uploads.check_size(upload.size or 0)
        options = _import_options(request, upload.name or "")
        inspection = uploads.inspect(upload.file, options["file_format"])
        if not jobs.wants_background(inspection.work_bytes, _asks_async(request)):
            return Response(reading.import_file(data=upload.file, **options).to_wire())
        job = jobs.import_job_create(
            source=upload.file, file_name=upload.name or "", rows_total=inspection.rows, **options
        )
        body = {**jobs.import_job_wire(job), "url": _job_url(request, job.public_id)}
        return Response(body, status=202, headers={"Location": body["url"]})


def _import_options(request: Request, file_name: str) -> dict[str, Any]:
    """The import's parameters, checked before the file is read."""
    key = caller_key(request)
    file_format = reading.detect_format(request.data.get("format"), file_name)
    return {
        "organization": key.organization,
        "file_format": file_format,
        "mode": reading.import_mode(request.data.get("mode")),
        "dry_run": _flag(request, "dry_run"),
        "create_missing": _flag(request, "create_missing"),
        "dictionary": reading.check_dictionary(file_format, request.data.get("dictionary")),
        "author": key.label,
    }


def _job_url(request: Request, job_id: str) -> str:
    return request.build_absolute_uri(reverse("import-job-detail", args=[job_id]))


class ImportJobDetailView(APIView):
    @extend_schema(
        operation_id="pronunciation-import-job",
        summary="Get an import job",
        description=("Progress and outcome of an asynchronous import."),
        tags=["import and export"],
        responses={
            200: OpenApiTypes.OBJECT,
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


JSON_ROWS = {
    "type": "array",
    "items": {"type": "object", "additionalProperties": {"type": "string"}},
}


def _file_responses(allowed: tuple[str, ...]) -> dict[Any, Any]:
    """One 200 per file format: JSON exports are row objects, the others are files."""
    return {
        (200, formats.CONTENT_TYPES[f]): JSON_ROWS if f == "json" else OpenApiTypes.BINARY
        for f in allowed
    }


def _format_parameter(*, one_dictionary: bool) -> OpenApiParameter:
    allowed = formats.export_formats(one_dictionary=one_dictionary)
    return OpenApiParameter("format", str, enum=list(allowed), default="csv")


class ExportView(APIView):
    @extend_schema(
        operation_id="pronunciation-export",
        summary="Export dictionaries",
        description=(
            "The caller's dictionaries (all, or those named) as a CSV, JSON or XLSX file."
        ),
        tags=["import and export"],
        parameters=[
            _format_parameter(one_dictionary=False),
            OpenApiParameter("names", str, description="Comma-separated names (default: all)"),
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
        return exporting.export_response(queryset, file_format, stem)


class DictionaryExportView(APIView):
    @extend_schema(
        operation_id="pronunciation-dictionaries-export",
        summary="Export one dictionary",
        description=("One dictionary as a CSV, JSON or XLSX file."),
        tags=["import and export"],
        parameters=[_format_parameter(one_dictionary=True)],
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
            return exporting.export_response(queryset, file_format, name)
        dictionary: Dictionary = queryset.get()
        modes = current_wire(dictionary)
        left_out = len(current_checks(dictionary))
        body = pls_dump(modes, dictionary.metadata, checks_left_out=left_out)
        return exporting.as_attachment(HttpResponse(body), f"{dictionary.name}.pls", "pls")

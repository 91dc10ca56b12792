"""Import and export endpoints."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.authentication import caller_key
from pronunciations import fileformats, selectors, transfer, validation
from pronunciations.api.common import error_responses
from pronunciations.content import modes_from_rules, modes_to_wire
from pronunciations.errors import RequestTooLarge
from pronunciations.models import Dictionary
from pronunciations.pls import pls_dump

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


IMPORT_PARAMETERS = {
    "type": "object",
    "properties": {
        "file": {"type": "string", "format": "binary"},
        "format": {"type": "string", "enum": list(fileformats.FORMATS)},
        "mode": {"type": "string", "enum": ["merge", "replace"], "default": "merge"},
        "dry_run": {"type": "boolean", "default": False},
        "create_missing": {"type": "boolean", "default": False},
        "dictionary": {"type": "string", "description": "PLS only: the dictionary's name"},
    },
    "required": ["file"],
}


@transfer.accepts_uploads
class ImportView(APIView):
    parser_classes = [BoundedMultiPartParser]

    @extend_schema(
        operation_id="pronunciation-import",
        request={"multipart/form-data": IMPORT_PARAMETERS},
        responses={200: OpenApiTypes.OBJECT, **error_responses(400, 401, 409, 413, 503)},
    )
    def post(self, request: Request) -> Response:
        key = caller_key(request)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["upload the file in the 'file' field"]})
        if upload.size and upload.size > settings.LEXICON_MAX_UPLOAD_BYTES:
            limit = settings.LEXICON_MAX_UPLOAD_BYTES
            raise RequestTooLarge(f"The file is too large: the limit is {limit} bytes.")
        report = transfer.import_file(
            organization=key.organization,
            data=upload.read(),
            file_format=transfer.detect_format(request.data.get("format"), upload.name or ""),
            mode=transfer.import_mode(request.data.get("mode")),
            dry_run=_flag(request, "dry_run"),
            create_missing=_flag(request, "create_missing"),
            dictionary=request.data.get("dictionary"),
            author=key.label,
        )
        return Response(report.to_wire())


def _export_format(request: Request, allowed: tuple[str, ...]) -> str:
    file_format = request.query_params.get("format", "csv").lower()
    if file_format not in allowed:
        raise ValidationError({"format": [f"format must be one of {', '.join(allowed)}"]})
    return file_format


TABULAR = ("csv", "xlsx", "json")
JSON_ROWS = {
    "type": "array",
    "items": {"type": "object", "additionalProperties": {"type": "string"}},
}


def _file_responses(formats: tuple[str, ...]) -> dict[Any, Any]:
    """One 200 per file format: JSON exports are row objects, the others are files."""
    return {
        (200, fileformats.CONTENT_TYPES[f]): JSON_ROWS if f == "json" else OpenApiTypes.BINARY
        for f in formats
    }


FORMAT_PARAMETER = OpenApiParameter("format", str, enum=list(fileformats.FORMATS))


class ExportView(APIView):
    @extend_schema(
        operation_id="pronunciation-export",
        parameters=[
            FORMAT_PARAMETER,
            OpenApiParameter("names", str, description="Comma-separated names (default: all)"),
        ],
        responses={
            **_file_responses(TABULAR),
            **error_responses(400, 401, 404, 503),
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        file_format = _export_format(request, TABULAR)
        names = validation.validate_names_parameter(request.query_params.get("names", ""))
        organization = caller_key(request).organization
        queryset = selectors.dictionaries_for_export(organization=organization, names=names)
        stem = f"{organization.slug}-dictionaries-{timezone.now():%Y%m%d-%H%M%S}"
        return transfer.export_response(queryset, file_format, stem)


class DictionaryExportView(APIView):
    @extend_schema(
        operation_id="pronunciation-dictionaries-export",
        parameters=[FORMAT_PARAMETER],
        responses={**_file_responses(fileformats.FORMATS), **error_responses(400, 401, 404, 503)},
    )
    def get(self, request: Request, name: str) -> HttpResponseBase:
        validation.validate_name(name)
        file_format = _export_format(request, fileformats.FORMATS)
        organization = caller_key(request).organization
        queryset = selectors.dictionaries_for_export(organization=organization, names=[name])
        if file_format != "pls":
            return transfer.export_response(queryset, file_format, name)
        dictionary: Dictionary = queryset.get()
        modes = modes_to_wire(modes_from_rules(dictionary.rules.all()))
        body = pls_dump(modes, dictionary.metadata)
        response = HttpResponse(body, content_type=fileformats.CONTENT_TYPES["pls"])
        response["Content-Disposition"] = f'attachment; filename="{dictionary.name}.pls"'
        return response

"""SLNG's four dictionary operations, wire-compatible. Views parse, call a service, serialize."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.authentication import caller_key
from pronunciations import selectors, services, validation
from pronunciations.api.serializers import (
    DictionaryCreateRequest,
    DictionaryListOutput,
    DictionaryOutput,
    ErrorOutput,
)

_ERRORS = {
    code: OpenApiResponse(ErrorOutput, description=text)
    for code, text in {
        400: "invalid_pronunciation",
        401: "pronunciation_unauthenticated",
        404: "pronunciation_not_found",
        409: "pronunciation_conflict",
        503: "pronunciation_unavailable",
    }.items()
}


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: _ERRORS[code] for code in codes}


def _body(request: Request) -> Mapping[str, Any]:
    if not isinstance(request.data, Mapping):
        raise ValidationError({"body": ["request body must be a JSON object"]})
    return request.data


class DictionaryCollectionView(APIView):
    @extend_schema(
        operation_id="pronunciation-dictionaries-create",
        request=DictionaryCreateRequest,
        responses={201: DictionaryOutput, **_errors(400, 401, 409, 503)},
    )
    def post(self, request: Request) -> Response:
        body, key = _body(request), caller_key(request)
        created = services.dictionary_create(
            organization=key.organization,
            name=body.get("name"),
            modes=body.get("modes"),
            metadata=body.get("metadata"),
            created_by=key.label,
        )
        dictionary = selectors.dictionary_get(organization=key.organization, name=created.name)
        return Response(DictionaryOutput(dictionary).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="pronunciation-dictionaries-list",
        responses={200: DictionaryListOutput, **_errors(401, 503)},
    )
    def get(self, request: Request) -> Response:
        dictionaries = selectors.dictionary_list(organization=caller_key(request).organization)
        return Response({"dictionaries": DictionaryOutput(dictionaries, many=True).data})


class DictionaryDetailView(APIView):
    @extend_schema(
        operation_id="pronunciation-dictionaries-get",
        responses={200: DictionaryOutput, **_errors(400, 401, 404, 503)},
    )
    def get(self, request: Request, name: str) -> Response:
        validation.validate_name(name)
        dictionary = selectors.dictionary_get(
            organization=caller_key(request).organization, name=name
        )
        return Response(DictionaryOutput(dictionary).data)

    @extend_schema(
        operation_id="pronunciation-dictionaries-delete",
        responses={204: OpenApiResponse(description="Deleted."), **_errors(400, 401, 404, 503)},
    )
    def delete(self, request: Request, name: str) -> Response:
        validation.validate_name(name)
        services.dictionary_delete(organization=caller_key(request).organization, name=name)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""SLNG's four dictionary operations, wire-compatible, plus PUT and PATCH with If-Match."""

from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import not_modified
from core.idempotency import idempotent
from core.parameters import validate_datetime_parameter
from orgs.actors import Actor
from orgs.authentication import caller_key
from pronunciations import selectors, services, validation
from pronunciations.api.bodies import dictionary_body, dictionary_list_body, dictionary_page_body
from pronunciations.api.common import (
    BAD_BODY,
    caller_for,
    dictionary_response,
    error_responses,
    if_match,
    json_object,
    query_int,
)
from pronunciations.api.serializers import (
    DictionaryCreateRequest,
    DictionaryListOutput,
    DictionaryOutput,
    DictionaryPatchRequest,
    DictionaryReplaceRequest,
    DictionaryWriteOutput,
)
from pronunciations.content import wire_hash

IF_MATCH = OpenApiParameter(
    "If-Match",
    location=OpenApiParameter.HEADER,
    required=False,
    description="The ETag you read; the write fails with 412 if the dictionary changed since.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "ETags you hold (or *): when one matches the current ETag (weak comparison), 304 Not "
        "Modified with no body instead of the representation."
    ),
)
ETAG = OpenApiParameter(
    "ETag",
    location=OpenApiParameter.HEADER,
    response=[200, 304],
    description=(
        "The representation's version: strong for a dictionary, weak (W/) for a list, which "
        "changes whenever a listed dictionary changes, joins or leaves the list."
    ),
)
NOT_MODIFIED = {304: OpenApiResponse(description="Not modified: the ETag you sent is current.")}
UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    {"type": "string", "format": "date-time"},
    required=False,
    description=(
        "Lexicon only: only dictionaries changed at or after this RFC 3339 date-time (with its "
        "offset: Z, or +hh:mm sent as %2B). Deleted dictionaries are not listed."
    ),
)


EXAMPLE_MODES = {
    "rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]},
    "ipa": {"rules": [{"match": "Lexicon", "ipa": "ˈlɛksɪkɒn"}]},
}


LIST_PAGE_MAX = 1000
LIST_PAGE = [
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": LIST_PAGE_MAX},
        required=False,
        description=(
            f"Lexicon only: at most this many dictionaries (1-{LIST_PAGE_MAX}), by name, and "
            "next_cursor in the answer. Without limit and cursor, the whole list (SLNG's)."
        ),
    ),
    OpenApiParameter(
        "cursor",
        str,
        required=False,
        description="Lexicon only: the next_cursor of the previous page (default: the first).",
    ),
]


class DictionaryCollectionView(APIView):
    @extend_schema(
        operation_id="pronunciation-dictionaries-create",
        summary="Create a dictionary",
        description=(
            "Creates a named dictionary in the caller's organization from its modes (rewrite and "
            "IPA rules), optional metadata and (Lexicon only) optional checks. Answers the "
            "dictionary with its ETag, plus lint warnings when there are any and a checks summary "
            "when it has checks; 409 if the name is taken."
        ),
        tags=["dictionaries"],
        request=DictionaryCreateRequest,
        responses={
            201: DictionaryWriteOutput,
            **error_responses(400, 401, 409, 413, 503, errors=BAD_BODY),
        },
        examples=[
            OpenApiExample(
                "Create",
                summary="A dictionary with one rewrite rule and one IPA rule",
                request_only=True,
                value={"name": "brand", "modes": EXAMPLE_MODES, "metadata": {"team": "voice"}},
            ),
            OpenApiExample(
                "Created",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": "pd_01JD4XM2B8Q6R0S4T8V2W6Y0Z4",
                    "org_id": "org_01JD4XJ9C3D7F1G5H9K3M7N1P5",
                    "name": "brand",
                    "normalized_name": "brand",
                    "modes": EXAMPLE_MODES,
                    "content_hash": wire_hash(EXAMPLE_MODES),
                    "created_at": "2026-12-01T09:00:00.000Z",
                    "metadata": {"team": "voice"},
                    "created_by_key_label": "tools-ci",
                    "revision": 1,
                    "updated_at": "2026-12-01T09:00:00.000Z",
                },
            ),
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        body, key = json_object(request), caller_key(request)
        created = services.dictionary_create(
            organization=key.organization,
            name=body.get("name"),
            modes=body.get("modes"),
            metadata=body.get("metadata"),
            created_by=Actor.for_key(key),
            checks=body.get("checks"),
            includes=body.get("includes"),
            layer_only=body.get("layer_only", False),
        )
        dictionary = selectors.dictionary_get_for_response(
            organization=key.organization, name=created.name
        )
        return dictionary_response(dictionary, status=201, with_warnings=True)

    @extend_schema(
        operation_id="pronunciation-dictionaries-list",
        summary="List dictionaries",
        description=(
            "Every live dictionary of the caller's organization, as SLNG lists them (streamed "
            "when there are many). Lexicon's opt-in extension for large organizations: with "
            "limit, one page and next_cursor; pass it as cursor for the next page; with "
            "updated_since, only the dictionaries changed since. A weak ETag names the listed "
            "versions: If-None-Match with it answers 304 while none changed."
        ),
        tags=["dictionaries"],
        parameters=[*LIST_PAGE, UPDATED_SINCE, IF_NONE_MATCH, ETAG],
        responses={200: DictionaryListOutput, **NOT_MODIFIED, **error_responses(400, 401, 503)},
    )
    def get(self, request: Request) -> HttpResponseBase:
        organization = caller_key(request).organization
        limit = query_int(request, "limit", None, 1, LIST_PAGE_MAX)
        cursor = request.query_params.get("cursor")
        since = request.query_params.get("updated_since")
        updated_since = (
            None if since is None else validate_datetime_parameter(since, name="updated_since")
        )
        response: HttpResponseBase
        if limit is None and cursor is None:
            body, etag = dictionary_list_body(organization=organization, since=updated_since)
            if (unchanged := not_modified(request, etag)) is not None:
                return unchanged
            if isinstance(body, bytes):
                response = HttpResponse(body, content_type="application/json")
            else:
                response = StreamingHttpResponse(body, content_type="application/json")
        else:
            page, etag = dictionary_page_body(
                organization=organization,
                limit=limit or LIST_PAGE_MAX,
                cursor=validation.validate_cursor_parameter(cursor or ""),
                since=updated_since,
            )
            response = not_modified(request, etag) or HttpResponse(
                page, content_type="application/json"
            )
        response["ETag"] = etag
        return response


class DictionaryDetailView(APIView):
    @extend_schema(
        operation_id="pronunciation-dictionaries-get",
        summary="Get a dictionary",
        description=(
            "One dictionary by name, with its ETag header for a later conditional write or read "
            "(If-None-Match: 304 while it is unchanged)."
        ),
        tags=["dictionaries"],
        parameters=[IF_NONE_MATCH, ETAG],
        responses={200: DictionaryOutput, **NOT_MODIFIED, **error_responses(400, 401, 404, 503)},
    )
    def get(self, request: Request, name: str) -> HttpResponse:
        body, etag = dictionary_body(organization=caller_for(request, name).organization, name=name)
        if (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        return response

    @extend_schema(
        operation_id="pronunciation-dictionaries-replace",
        summary="Replace a dictionary",
        description=(
            "Replaces the dictionary's modes and metadata as a new revision; its checks are kept "
            "unless the body sends them, and run against the new rules. Send If-Match with the "
            "ETag you read to fail with 412 instead of overwriting a newer change."
        ),
        tags=["dictionaries"],
        parameters=[IF_MATCH],
        request=DictionaryReplaceRequest,
        responses={200: DictionaryWriteOutput, **error_responses(400, 401, 404, 412, 413, 503)},
    )
    def put(self, request: Request, name: str) -> Response:
        return self._update(request, name, partial=False)

    @extend_schema(
        operation_id="pronunciation-dictionaries-patch",
        summary="Update part of a dictionary",
        description=(
            "Changes only the fields sent (modes, metadata and/or checks) as a new revision; "
            "If-Match as for PUT."
        ),
        tags=["dictionaries"],
        parameters=[IF_MATCH],
        request=DictionaryPatchRequest,
        responses={200: DictionaryWriteOutput, **error_responses(400, 401, 404, 412, 413, 503)},
    )
    def patch(self, request: Request, name: str) -> Response:
        return self._update(request, name, partial=True)

    def _update(self, request: Request, name: str, *, partial: bool) -> Response:
        key = caller_for(request, name)
        body = json_object(request)
        validation.validate_body_name(body.get("name"), name)
        services.dictionary_update(
            organization=key.organization,
            name=name,
            modes=body.get("modes", services.UNSET) if partial else body.get("modes"),
            metadata=body.get("metadata", services.UNSET if partial else None),
            partial=partial,
            if_match=if_match(request),
            author=Actor.for_key(key),
            comment=validation.validate_comment(body.get("comment")),
            checks=body.get("checks", services.UNSET),
            includes=body.get("includes", services.UNSET),
            layer_only=body.get("layer_only", services.UNSET),
        )
        dictionary = selectors.dictionary_get_for_response(organization=key.organization, name=name)
        return dictionary_response(dictionary, with_warnings=True)

    @extend_schema(
        operation_id="pronunciation-dictionaries-delete",
        summary="Delete a dictionary",
        description=(
            "Soft-deletes the dictionary; it stays restorable from the deleted dictionaries. With"
            " If-Match, 412 if it changed since you read it."
        ),
        tags=["dictionaries"],
        parameters=[IF_MATCH],
        responses={
            204: OpenApiResponse(description="Deleted."),
            **error_responses(400, 401, 404, 412, 503),
        },
    )
    def delete(self, request: Request, name: str) -> Response:
        key = caller_for(request, name)
        services.dictionary_delete(
            organization=key.organization,
            name=name,
            if_match=if_match(request),
            author=Actor.for_key(key),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

"""History endpoints: revisions, diffs, restore, and deleted dictionaries with undelete."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.idempotency import idempotent
from orgs.actors import Actor
from orgs.authentication import caller_key
from pronunciations import selectors, services, validation
from pronunciations.api.common import (
    bad_id,
    caller_for,
    dictionary_response,
    error_responses,
    if_match,
    json_object,
    query_int,
)
from pronunciations.api.serializers import (
    DeletedDictionaryListOutput,
    DeletedDictionaryOutput,
    DictionaryWriteOutput,
    RevisionDetailOutput,
    RevisionListOutput,
    RevisionOutput,
    RevisionRestoreRequest,
)
from pronunciations.api.shapes import DiffOutput
from pronunciations.api.views import IF_MATCH
from pronunciations.diff import snapshot_diff

PAGE = [
    OpenApiParameter(
        "before",
        {"type": "integer", "minimum": 1, "maximum": 2**31},
        required=False,
        description="Only revisions numbered below.",
    ),
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": 200},
        required=False,
        description="Page size, 1-200 (default 50).",
    ),
]


class RevisionCollectionView(APIView):
    @extend_schema(
        operation_id="pronunciation-revisions-list",
        summary="List a dictionary's revisions",
        description=("The dictionary's revisions, newest first, paged."),
        tags=["revisions"],
        parameters=PAGE,
        responses={200: RevisionListOutput, **error_responses(400, 401, 404, 503)},
    )
    def get(self, request: Request, name: str) -> Response:
        limit = query_int(request, "limit", 50, 1, 200) or 50
        _, revisions = selectors.revision_list(
            organization=caller_for(request, name).organization,
            name=name,
            before=query_int(request, "before", None, 1, 2**31),
            limit=limit,
        )
        last = (
            revisions[-1].number if len(revisions) == limit and revisions[-1].number > 1 else None
        )
        return Response(
            {"revisions": RevisionOutput(revisions, many=True).data, "next_before": last}
        )


class RevisionDetailView(APIView):
    @extend_schema(
        operation_id="pronunciation-revisions-get",
        summary="Get one revision",
        description=("One revision of a dictionary with the modes and metadata it held."),
        tags=["revisions"],
        responses={200: RevisionDetailOutput, **error_responses(400, 401, 404, 503)},
    )
    def get(self, request: Request, name: str, number: int) -> Response:
        revision = selectors.revision_get(
            organization=caller_for(request, name).organization, name=name, number=number
        )
        return Response(RevisionDetailOutput(revision).data)


class RevisionDiffView(APIView):
    @extend_schema(
        operation_id="pronunciation-revisions-diff",
        summary="Compare two revisions",
        description=("The rules added, changed and removed between two revisions of a dictionary."),
        tags=["revisions"],
        responses={200: DiffOutput, **error_responses(400, 401, 404, 503)},
    )
    def get(self, request: Request, name: str, number: int, other: int) -> Response:
        organization = caller_for(request, name).organization
        old = selectors.revision_get(organization=organization, name=name, number=number)
        new = selectors.revision_get(organization=organization, name=name, number=other)
        diff = snapshot_diff(old.snapshot, new.snapshot)
        return Response({"from": number, "to": other, **diff})


class RevisionRestoreView(APIView):
    @extend_schema(
        operation_id="pronunciation-revisions-restore",
        summary="Restore a revision",
        description=(
            "Makes an earlier revision's content current, as a new revision with an optional "
            "comment; If-Match as for PUT."
        ),
        tags=["revisions"],
        parameters=[IF_MATCH],
        request=RevisionRestoreRequest,
        responses={200: DictionaryWriteOutput, **error_responses(400, 401, 404, 412, 413, 503)},
    )
    @idempotent
    def post(self, request: Request, name: str, number: int) -> Response:
        key = caller_for(request, name)
        comment = json_object(request).get("comment") if request.data else None
        services.dictionary_revision_restore(
            organization=key.organization,
            name=name,
            number=number,
            if_match=if_match(request),
            author=Actor.for_key(key),
            comment=validation.validate_comment(comment),
        )
        dictionary = selectors.dictionary_get_for_response(organization=key.organization, name=name)
        return dictionary_response(dictionary, with_warnings=True)


class DeletedCollectionView(APIView):
    @extend_schema(
        operation_id="pronunciation-deleted-list",
        summary="List deleted dictionaries",
        description=(
            "The caller's deleted dictionaries, with the ids that restore them and the review "
            "state of each deletion (`revision` is the deletion's number)."
        ),
        tags=["revisions"],
        responses={200: DeletedDictionaryListOutput, **error_responses(401, 503)},
    )
    def get(self, request: Request) -> Response:
        retention = timedelta(days=settings.LEXICON_DELETED_RETENTION_DAYS)
        dictionaries = selectors.with_deletion(
            selectors.deleted_dictionary_list(
                organization=caller_key(request).organization, since=timezone.now() - retention
            )
        )
        return Response({"dictionaries": DeletedDictionaryOutput(dictionaries, many=True).data})


class DeletedRestoreView(APIView):
    @extend_schema(
        operation_id="pronunciation-deleted-restore",
        summary="Restore a deleted dictionary",
        description=(
            "Brings a deleted dictionary back under its name; 409 if a live dictionary now has "
            "that name."
        ),
        tags=["revisions"],
        request=None,
        responses={
            200: DictionaryWriteOutput,
            **error_responses(400, 401, 404, 409, 503, errors=bad_id("dictionary_id")),
        },
    )
    @idempotent
    def post(self, request: Request, dictionary_id: str) -> Response:
        validation.validate_public_id(dictionary_id, name="dictionary_id")
        key = caller_key(request)
        restored = services.dictionary_undelete(
            organization=key.organization, dictionary_id=dictionary_id, author=Actor.for_key(key)
        )
        dictionary = selectors.dictionary_get_for_response(
            organization=key.organization, name=restored.name
        )
        return dictionary_response(dictionary)

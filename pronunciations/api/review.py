"""Review endpoints: approve, reject or withdraw a proposed revision (a live or a deleted
dictionary's)."""

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import error_body
from core.idempotency import idempotent
from core.serializers import ErrorOutput
from orgs.actors import Actor
from orgs.authentication import caller_key
from orgs.models import APIKey, Role
from pronunciations import review, selectors, validation
from pronunciations.api.common import (
    EXAMPLE_REQUEST_ID,
    caller_for,
    error_code,
    error_responses,
    json_object,
)
from pronunciations.api.serializers import ReviewRequest, RevisionDetailOutput
from pronunciations.errors import (
    Forbidden,
    InvalidDictionary,
    PronunciationError,
    RevisionNotNewest,
    RevisionNotProposed,
)
from pronunciations.models import Dictionary, ReviewState

_FAILING = InvalidDictionary(
    "Revision 4 of pronunciation dictionary brand cannot be approved: 1 of its checks fail. Fix "
    "the rules or the checks in a new revision and approve that one.",
    field_errors={
        "checks[2]": ["'Pay with QubePay': expected 'Pay with cube pay', got 'Pay with QP'"]
    },
)


def _example(name: str, error: PronunciationError, status: int) -> OpenApiExample:
    return OpenApiExample(
        name,
        value=error_body(error, EXAMPLE_REQUEST_ID),
        response_only=True,
        status_codes=[str(status)],
    )


REVIEW_ERRORS = {
    **error_responses(401, 404, 503),
    400: OpenApiResponse(
        ErrorOutput,
        description=f"{error_code(400)}: a failing check (each one in fieldErrors) or a bad "
        "comment",
        examples=[_example("checks_failed", _FAILING, 400)],
    ),
    409: OpenApiResponse(
        ErrorOutput,
        description=f"{error_code(409)}: the revision is not proposed (decided, withdrawn or "
        "superseded by a newer revision), or, approving, it is not the dictionary's newest "
        "revision (the error names the newest)",
        examples=[
            _example("not_proposed", RevisionNotProposed("brand", 3, "superseded"), 409),
            _example("not_newest", RevisionNotNewest("brand", 3, 4), 409),
        ],
    ),
}
WITHDRAW_ERRORS = {
    **error_responses(400, 401, 404, 503),
    403: OpenApiResponse(
        ErrorOutput,
        description=f"{error_code(403)}: the caller is not the revision's author",
        examples=[
            _example(
                "not_the_author",
                Forbidden(
                    "Only its author (tools-ci) can withdraw revision 4 of pronunciation "
                    "dictionary brand."
                ),
                403,
            )
        ],
    ),
    409: OpenApiResponse(
        ErrorOutput,
        description=f"{error_code(409)}: the revision is not proposed (decided, withdrawn or "
        "superseded by a newer revision)",
        examples=[_example("not_proposed", RevisionNotProposed("brand", 3, "approved"), 409)],
    ),
}
_REVIEW = {
    "state": "approved",
    "by": "release-reviewer",
    "at": "2026-12-01T09:30:00.000Z",
    "comment": "checked on staging",
}
_REVIEWED: dict[str, Any] = {
    "number": 4,
    "action": "update",
    "source": "api",
    "author": "tools-ci",
    "comment": "QubePay is said cube pay",
    "content_hash": "sha256:6b1f0c2a…",
    "created_at": "2026-12-01T09:00:00.000Z",
    "review": _REVIEW,
    "modes": {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}},
    "metadata": {},
}


_STATES = {"approve": "approved", "reject": "rejected", "withdraw": "withdrawn"}
_COMMENTS = {
    "approve": "checked on staging",
    "reject": "QubePay is said cue pay",
    "withdraw": "wrong dictionary",
}


def _schema(verb: str, description: str, *, deleted: bool = False) -> Any:
    where = "deleted-" if deleted else ""
    state, comment = _STATES[verb], _COMMENTS[verb]
    by = "tools-ci" if verb == "withdraw" else _REVIEW["by"]
    return extend_schema(
        operation_id=f"pronunciation-{where}revisions-{verb}",
        summary=(
            f"{verb.capitalize()} a revision" + (" of a deleted dictionary" if deleted else "")
        ),
        description=description,
        tags=["review"],
        request=ReviewRequest,
        responses={
            200: RevisionDetailOutput,
            **(WITHDRAW_ERRORS if verb == "withdraw" else REVIEW_ERRORS),
        },
        examples=[
            OpenApiExample(verb, request_only=True, value={"comment": comment}),
            OpenApiExample(
                state,
                response_only=True,
                status_codes=["200"],
                value={
                    **_REVIEWED,
                    "review": {**_REVIEW, "state": state, "by": by, "comment": comment},
                },
            ),
        ],
    )


_RULES = (
    " Needs an API key with the reviewer or admin role (403 `pronunciation_forbidden` "
    "otherwise, and for the revision's own author); only a proposed revision can be decided "
    "(409 `pronunciation_conflict`): every new revision of a dictionary (an edit, a restore, a "
    "delete, an undelete) supersedes its older proposals."
)
APPROVE = (
    "Approves a proposed revision: it becomes the dictionary's approved revision, which targets "
    "on the approved channel serve. Only the dictionary's newest revision can be approved (409 "
    "`pronunciation_conflict` naming the newest otherwise); a revision "
    "whose checks fail cannot be approved (400, each failing check in fieldErrors). The "
    "comment is optional." + _RULES
)
WITHDRAW = (
    "The author of a proposed revision withdraws it (state `withdrawn`): nothing that is "
    "served changes, nor the dictionary's current content (edit or restore to undo it). Only "
    "the key that made the revision may withdraw it (403 `pronunciation_forbidden` otherwise); "
    "only a proposed revision can be withdrawn (409 `pronunciation_conflict`). The comment is "
    "optional."
)
REJECT = (
    "Rejects a proposed revision with a comment saying why (required). What approved-channel "
    "targets serve stays as it was; the dictionary's current content is not changed either "
    "(edit or restore to undo it)." + _RULES
)
DELETED = (
    " A deleted dictionary's revisions, its deletion among them, are addressed by the "
    "dictionary's id, as in its restore."
)


def _decided(
    request: Request, key: APIKey, dictionary: Dictionary, number: int, decision: str
) -> Response:
    # No body reads as {} (DRF's empty data); a body that is not an object (0, [], "") is a 400.
    comment = json_object(request).get("comment")
    revision = review.revision_act(
        organization=key.organization,
        dictionary=dictionary,
        number=number,
        actor=Actor.for_key(key),
        action=decision,
        comment=comment,
    )
    return Response(RevisionDetailOutput(revision).data)


class _LiveReview(APIView):
    key_roles = {"POST": Role.REVIEWER}
    decision: str  # ReviewState.APPROVED or REJECTED, or review.WITHDRAW

    @idempotent
    def post(self, request: Request, name: str, number: int) -> Response:
        key = caller_for(request, name)
        dictionary = selectors.dictionary_get(organization=key.organization, name=name)
        return _decided(request, key, dictionary, number, self.decision)


class _DeletedReview(APIView):
    key_roles = {"POST": Role.REVIEWER}
    decision: str  # ReviewState.APPROVED or REJECTED, or review.WITHDRAW

    @idempotent
    def post(self, request: Request, dictionary_id: str, number: int) -> Response:
        validation.validate_public_id(dictionary_id, name="dictionary_id")
        key = caller_key(request)
        dictionary = selectors.deleted_dictionary_get(
            organization=key.organization, dictionary_id=dictionary_id
        )
        return _decided(request, key, dictionary, number, self.decision)


class RevisionApproveView(_LiveReview):
    decision = ReviewState.APPROVED

    @_schema("approve", APPROVE)
    @idempotent
    def post(self, request: Request, name: str, number: int) -> Response:
        return super().post(request, name, number)


class RevisionRejectView(_LiveReview):
    decision = ReviewState.REJECTED

    @_schema("reject", REJECT)
    @idempotent
    def post(self, request: Request, name: str, number: int) -> Response:
        return super().post(request, name, number)


class DeletedRevisionApproveView(_DeletedReview):
    decision = ReviewState.APPROVED

    @_schema("approve", APPROVE + DELETED, deleted=True)
    @idempotent
    def post(self, request: Request, dictionary_id: str, number: int) -> Response:
        return super().post(request, dictionary_id, number)


class DeletedRevisionRejectView(_DeletedReview):
    decision = ReviewState.REJECTED

    @_schema("reject", REJECT + DELETED, deleted=True)
    @idempotent
    def post(self, request: Request, dictionary_id: str, number: int) -> Response:
        return super().post(request, dictionary_id, number)


class RevisionWithdrawView(_LiveReview):
    key_roles = {"POST": Role.EDITOR}
    decision = review.WITHDRAW

    @_schema("withdraw", WITHDRAW)
    @idempotent
    def post(self, request: Request, name: str, number: int) -> Response:
        return super().post(request, name, number)


class DeletedRevisionWithdrawView(_DeletedReview):
    key_roles = {"POST": Role.EDITOR}
    decision = review.WITHDRAW

    @_schema("withdraw", WITHDRAW + DELETED, deleted=True)
    @idempotent
    def post(self, request: Request, dictionary_id: str, number: int) -> Response:
        return super().post(request, dictionary_id, number)

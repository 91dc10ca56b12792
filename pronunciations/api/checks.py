"""A dictionary's checks (test sentences): read them with their results, or replace them."""

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.actors import Actor
from orgs.models import Organization
from pronunciations import checks, selectors, services, validation
from pronunciations.api.common import caller_for, error_responses, json_object
from pronunciations.api.serializers import ChecksOutput, ChecksReplaceRequest
from pronunciations.api.views import EXAMPLE_MODES, IF_MATCH
from pronunciations.content import modes_from_wire
from pronunciations.models import Revision

# Checks of the create example's dictionary; the answer is rendered by checks.run itself.
_EXAMPLE_CHECKS = [
    {"text": "SLNG rocks", "expect": "slang rocks"},
    {"text": "SLNGs", "expect": "slangs", "note": "fails: only whole words match"},
]
_EXAMPLE_RESULTS = checks.run(
    modes_from_wire(EXAMPLE_MODES), validation.validate_checks(_EXAMPLE_CHECKS)
)


def checks_body(revision: Revision) -> dict[str, Any]:
    """The answer of both operations: the revision's checks, their results and the counts."""
    results = checks.results_in_order(revision.check_results)
    stored = checks.checks_from_wire(revision.snapshot.get("checks"))
    return {"checks": checks.checks_to_wire(stored), "results": results, **checks.summary(results)}


def _answer(organization: Organization, name: str) -> Response:
    revision = selectors.current_revision(organization=organization, name=name)
    response = Response(checks_body(revision))
    response["ETag"] = revision.dictionary.etag
    return response


class DictionaryChecksView(APIView):
    @extend_schema(
        operation_id="pronunciation-dictionaries-checks-get",
        summary="Get a dictionary's checks",
        description=(
            "The dictionary's test sentences with their results against its current rules: "
            "`got` is exactly what SLNG sends to the model once the rules rewrote `text`, and a "
            "check passes when `got` equals `expect`. The ETag header is the dictionary's."
        ),
        tags=["checks"],
        responses={200: ChecksOutput, **error_responses(400, 401, 404, 503)},
    )
    def get(self, request: Request, name: str) -> Response:
        return _answer(caller_for(request, name).organization, name)

    @extend_schema(
        operation_id="pronunciation-dictionaries-checks-replace",
        summary="Replace a dictionary's checks",
        description=(
            "Replaces the dictionary's test sentences (at most 256, each text and expect at most "
            "1,000 characters) as a new revision with the same rules, and answers them with their "
            "results. Checks that fail are stored and reported, not refused. Send If-Match with "
            "the dictionary's ETag to fail with 412 instead of overwriting a newer change; the "
            "same checks again record nothing and keep the ETag."
        ),
        tags=["checks"],
        parameters=[IF_MATCH],
        request=ChecksReplaceRequest,
        responses={200: ChecksOutput, **error_responses(400, 401, 404, 412, 413, 503)},
        examples=[
            OpenApiExample(
                "Replace",
                summary="Two checks, one with a note",
                request_only=True,
                value={"checks": _EXAMPLE_CHECKS},
            ),
            OpenApiExample(
                "Replaced",
                response_only=True,
                status_codes=["200"],
                value={
                    "checks": _EXAMPLE_CHECKS,
                    "results": _EXAMPLE_RESULTS,
                    **checks.summary(_EXAMPLE_RESULTS),
                },
            ),
        ],
    )
    def put(self, request: Request, name: str) -> Response:
        key = caller_for(request, name)
        body = json_object(request)
        if "checks" not in body:
            raise ValidationError({"checks": ["checks is required (null or []: none)"]})
        services.dictionary_update(
            organization=key.organization,
            name=name,
            partial=True,
            checks=body["checks"],
            if_match=request.headers.get("If-Match") or None,
            author=Actor.for_key(key),
            comment=validation.validate_comment(body.get("comment")),
        )
        return _answer(key.organization, name)

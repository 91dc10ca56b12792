"""One rule at a time: GET, PUT and DELETE of ``…/dictionaries/{name}/rules/{mode}/{match}``.

``{match}`` is percent-encoded in the path and found by the comparison key validation uses for
duplicates (case-folded, whitespace runs as one), so ``QUBEPAY`` and ``qube%20%20pay`` find
the rules ``QubePay`` and ``Qube Pay``. Writes go through the services like a dictionary PUT:
the same validation, one revision each, none when nothing changes, ``If-Match`` and ``ETag``.
"""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.actors import Actor
from pronunciations import selectors, services, validation
from pronunciations.api.common import (
    caller_for,
    error_responses,
    if_match,
    json_object,
    refusal,
)
from pronunciations.api.serializers import RuleOutput, RulePutRequest
from pronunciations.api.views import IF_MATCH
from pronunciations.errors import RuleNotFound
from pronunciations.models import Dictionary, Mode
from pronunciations.validation import VALUE_FIELD, RuleSpec, one_rule

_EXAMPLE = {
    "dictionary": "brand",
    "mode": "rewrite",
    "match": "QubePay",
    "replace": "cube pay",
    "position": 0,
    "revision": 3,
}
_NOT_FOUND = {404: RuleNotFound("brand", "rewrite", "QubePay")}
_BAD_RULE = {400: refusal(lambda: one_rule.validate_rule(Mode.REWRITE, "QubePay", {}))}


def rule_body(dictionary: Dictionary, mode: Mode, position: int, rule: RuleSpec) -> dict[str, Any]:
    """A rule as the API answers it, with its position and the dictionary's revision
    (``"disabled": true`` when it is switched off: these endpoints are Lexicon's own)."""
    return {
        "dictionary": dictionary.name,
        "mode": mode.value,
        "match": rule.match,
        VALUE_FIELD[mode]: rule.value,
        **({"disabled": True} if rule.disabled else {}),
        "position": position,
        "revision": dictionary.revision,
    }


def _answer(body: dict[str, Any] | None, dictionary: Dictionary, code: int = 200) -> Response:
    return Response(body, status=code, headers={"ETag": dictionary.etag})


class RuleDetailView(APIView):
    @extend_schema(
        operation_id="pronunciation-rules-get",
        summary="Get one rule",
        description=(
            "One rule of a dictionary's mode, found by its match (percent-encoded; compared "
            "case-insensitively, whitespace runs as one), with its position and the "
            "dictionary's revision. The ETag header is the dictionary's, for a conditional "
            "write of this rule or of the dictionary."
        ),
        tags=["dictionaries"],
        responses={
            200: OpenApiResponse(
                RuleOutput, examples=[OpenApiExample("Rule", value=_EXAMPLE, response_only=True)]
            ),
            **error_responses(400, 401, 404, 503, errors=_NOT_FOUND),
        },
    )
    def get(self, request: Request, name: str, mode: str, match: str) -> Response:
        organization = caller_for(request, name).organization
        rule_mode, match = validation.validate_rule_parameters(mode, match)
        dictionary, position, rule = selectors.rule_get(
            organization=organization, name=name, mode=rule_mode, match=match
        )
        return _answer(rule_body(dictionary, rule_mode, position, rule), dictionary)

    @extend_schema(
        operation_id="pronunciation-rules-put",
        summary="Add or change one rule",
        description=(
            "Adds the rule to the mode (201; last unless `position` says where) or changes the "
            "rule with that match (200): its value, and its position when `position` is given. "
            "The body is the mode's rule shape: `replace` for rewrite, `ipa` for ipa. Validated "
            "like a whole dictionary; one new revision, none when nothing changes (200, same "
            "ETag). If-Match as for a dictionary PUT."
        ),
        tags=["dictionaries"],
        parameters=[IF_MATCH],
        request=RulePutRequest,
        responses={
            200: RuleOutput,
            201: RuleOutput,
            **error_responses(400, 401, 404, 412, 413, 503, errors=_BAD_RULE),
        },
        examples=[
            OpenApiExample(
                "Change",
                request_only=True,
                value={"replace": "cube pay", "comment": "say it as two words"},
            ),
            OpenApiExample("Answer", response_only=True, status_codes=["200"], value=_EXAMPLE),
        ],
    )
    def put(self, request: Request, name: str, mode: str, match: str) -> Response:
        key = caller_for(request, name)
        rule_mode, match = validation.validate_rule_parameters(mode, match)
        rule = one_rule.validate_rule(rule_mode, match, json_object(request))
        put = services.rule_put(
            organization=key.organization,
            name=name,
            mode=rule_mode,
            match=match,
            rule=rule,
            if_match=if_match(request),
            author=Actor.for_key(key),
        )
        response = _answer(
            rule_body(put.dictionary, rule_mode, put.position, put.rule),
            put.dictionary,
            status.HTTP_201_CREATED if put.created else status.HTTP_200_OK,
        )
        if put.created:
            path = reverse("dictionary-rule", args=[put.dictionary.name, mode, put.rule.match])
            response["Location"] = request.build_absolute_uri(path)
        return response

    @extend_schema(
        operation_id="pronunciation-rules-delete",
        summary="Delete one rule",
        description=(
            "Removes the rule with that match from the mode as a new revision; answers 204 "
            "with the dictionary's new ETag. If-Match as for a dictionary PUT."
        ),
        tags=["dictionaries"],
        parameters=[IF_MATCH],
        responses={
            204: OpenApiResponse(description="Deleted; the ETag header is the dictionary's."),
            **error_responses(400, 401, 404, 412, 503, errors=_NOT_FOUND),
        },
    )
    def delete(self, request: Request, name: str, mode: str, match: str) -> Response:
        key = caller_for(request, name)
        rule_mode, match = validation.validate_rule_parameters(mode, match)
        dictionary = services.rule_delete(
            organization=key.organization,
            name=name,
            mode=rule_mode,
            match=match,
            if_match=if_match(request),
            author=Actor.for_key(key),
        )
        return _answer(None, dictionary, status.HTTP_204_NO_CONTENT)

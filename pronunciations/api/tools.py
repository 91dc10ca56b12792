"""Preview (saved or unsaved modes) and lint endpoints."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import READ_ONLY_POST
from core.idempotency import idempotent
from orgs.authentication import caller_key
from pronunciations import layers, preview, selectors, validation
from pronunciations.api.common import caller_for, error_responses, json_object, refusal
from pronunciations.api.serializers import (
    DictionaryPreviewRequest,
    LintOutput,
    PreviewOutput,
    PreviewRequest,
)
from pronunciations.content import content_hash, current_modes, wire_hash
from pronunciations.lint import lint_modes

_BAD_TEXT = {400: refusal(lambda: validation.validate_preview_text(None))}


class DictionaryPreviewView(APIView):
    key_roles = READ_ONLY_POST

    @extend_schema(
        operation_id="pronunciation-dictionaries-preview",
        summary="Preview a saved dictionary",
        description=(
            "Applies the saved dictionary's rules to a text and answers the result with the rules"
            " that fired. Writes nothing."
        ),
        tags=["preview and lint"],
        request=DictionaryPreviewRequest,
        responses={200: PreviewOutput, **error_responses(400, 401, 404, 413, 503)},
    )
    @idempotent
    def post(self, request: Request, name: str) -> Response:
        text = validation.validate_preview_text(json_object(request).get("text"))
        dictionary = selectors.dictionary_get(
            organization=caller_for(request, name).organization, name=name
        )
        # its content flattened with its layers, disabled rules left out: what its targets get
        flat = layers.current_flat(dictionary)
        result = preview.rewrite(flat.modes, text, content_key=wire_hash(flat.wire))
        return Response({**preview.result_to_wire(result), "content_hash": dictionary.content_hash})


class PreviewView(APIView):
    key_roles = READ_ONLY_POST

    @extend_schema(
        operation_id="pronunciation-preview",
        summary="Preview unsaved modes",
        description=(
            "Applies the modes sent to a text and answers the result with the rules that fired, "
            "without saving a dictionary."
        ),
        tags=["preview and lint"],
        request=PreviewRequest,
        responses={
            200: PreviewOutput,
            **error_responses(400, 401, 413, 503, errors=_BAD_TEXT),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        caller_key(request)
        body = json_object(request)
        text = validation.validate_preview_text(body.get("text"))
        modes = validation.validate_modes(body.get("modes"))
        key = content_hash(modes)
        result = preview.rewrite(modes, text, content_key=key)
        return Response({**preview.result_to_wire(result), "content_hash": key})


class DictionaryLintView(APIView):
    @extend_schema(
        operation_id="pronunciation-dictionaries-lint",
        summary="Lint a dictionary",
        description=(
            "Warnings about the saved dictionary's rules (shadowed, duplicate or ineffective "
            "rules)."
        ),
        tags=["preview and lint"],
        responses={200: LintOutput, **error_responses(400, 401, 404, 503)},
    )
    def get(self, request: Request, name: str) -> Response:
        dictionary = selectors.dictionary_get(
            organization=caller_for(request, name).organization, name=name
        )
        warnings = lint_modes(
            current_modes(dictionary), dictionary.content_hash, dictionary.organization_id
        )
        return Response({"warnings": [warning.as_dict() for warning in warnings]})

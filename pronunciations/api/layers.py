"""A dictionary flattened with its layers: what its targets receive, and which layer says what."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pronunciations import layers, selectors
from pronunciations.api.common import caller_for, error_responses


class ShadowOutput(serializers.Serializer):
    layer = serializers.CharField()
    revision = serializers.IntegerField(allow_null=True)
    replace = serializers.CharField(required=False, help_text="rewrite rules")
    ipa = serializers.CharField(required=False, help_text="IPA rules")


class FlatRuleOutput(ShadowOutput):
    mode = serializers.ChoiceField(choices=["rewrite", "ipa"])
    match = serializers.CharField()
    shadows = ShadowOutput(many=True, help_text="the rules of lower layers this one hides")


class LayerOutput(serializers.Serializer):
    name = serializers.CharField()
    revision = serializers.IntegerField(allow_null=True)


class OverLimitOutput(serializers.Serializer):
    mode = serializers.CharField()
    rules = serializers.IntegerField()
    limit = serializers.IntegerField()


class FlattenedOutput(serializers.Serializer):
    name = serializers.CharField()
    modes = serializers.DictField(help_text="SLNG's modes as pushed, before compiling")
    rules = FlatRuleOutput(many=True)
    layers = LayerOutput(many=True, help_text="lowest first; the dictionary itself last")
    missing = serializers.ListField(child=serializers.CharField())
    over_limit = OverLimitOutput(many=True)


class DictionaryFlattenedView(APIView):
    @extend_schema(
        operation_id="pronunciation-dictionaries-flattened",
        summary="Get a dictionary flattened with its layers",
        description=(
            "Lexicon only. The dictionary with the dictionaries it includes, as its targets "
            "receive it (before compiling for a model): its own rules win over its layers', a "
            "later layer's over an earlier one's, disabled rules are left out. Each rule says "
            "which layer (and revision) it comes from and which rules it shadows; `over_limit` "
            "lists the modes past SLNG's 256 rules, which no target would accept."
        ),
        tags=["dictionaries"],
        responses={200: FlattenedOutput, **error_responses(400, 401, 404, 503)},
    )
    def get(self, request: Request, name: str) -> Response:
        organization = caller_for(request, name).organization
        dictionary = selectors.dictionary_get(organization=organization, name=name)
        body: dict[str, Any] = layers.flat_to_wire(layers.current_flat(dictionary))
        return Response(body)

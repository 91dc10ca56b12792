"""A JSON parser that refuses bodies over LEXICON_MAX_REQUEST_BYTES before reading them whole
and parses them through validation.parse_json, so nesting depth is bounded too."""

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from pronunciations.errors import RequestTooLarge
from pronunciations.validation import parse_json


class BoundedJSONParser(JSONParser):
    """JSONParser with a body size bound (Content-Length and bytes read) and a depth bound."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.LEXICON_MAX_REQUEST_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge(f"Request body is too large: the limit is {limit} bytes.")
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise RequestTooLarge(f"Request body is too large: the limit is {limit} bytes.")
        try:
            return parse_json(body, field="body")
        except ValidationError as exc:
            # Malformed JSON keeps DRF's ParseError message (SLNG's contract); too deeply nested
            # JSON is a 400 with fieldErrors.body saying so, never a RecursionError.
            (error,) = exc.error_dict["body"]
            if error.code == "malformed":
                raise ParseError(f"JSON parse error - {(error.params or {})['reason']}") from None
            raise

"""A JSON parser that refuses bodies over LEXICON_MAX_REQUEST_BYTES before reading them whole."""

from collections.abc import Mapping
from io import BytesIO
from typing import IO, Any

from django.conf import settings
from rest_framework.parsers import JSONParser

from pronunciations.errors import RequestTooLarge


class BoundedJSONParser(JSONParser):
    """JSONParser with a body size bound, checked on Content-Length and on the bytes read."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.LEXICON_MAX_REQUEST_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge(f"Request body is too large: the limit is {limit} bytes.")
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise RequestTooLarge(f"Request body is too large: the limit is {limit} bytes.")
        return super().parse(BytesIO(body), media_type, parser_context)

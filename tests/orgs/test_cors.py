"""Issue 27 item 3: CORS is off by default; an allowlisted origin may call /v1/ from a browser."""

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_dictionary

URL = "/v1/pronunciation/dictionaries"
ALLOWED = "https://tools.example.com"
ALLOW_HEADERS = "authorization, content-type, if-match, if-none-match, idempotency-key"
EXPOSE_HEADERS = (
    "ETag, Location, X-Request-Id, RateLimit, RateLimit-Policy, Retry-After, Idempotent-Replayed"
)

pytestmark = pytest.mark.django_db


def _preflight(origin: str, path: str = f"{URL}/brand") -> Any:
    return Client().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, if-match, content-type",
    )


def _cors_headers(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def test_a_preflight_from_an_allowed_origin_gets_200_without_a_key(settings: Any) -> None:
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]

    response = _preflight(ALLOWED)

    assert (response.status_code, response.content) == (200, b"")
    assert _cors_headers(response) == {
        "access-control-allow-origin": ALLOWED,
        "access-control-allow-headers": ALLOW_HEADERS,
        "access-control-allow-methods": "DELETE, GET, OPTIONS, PATCH, POST, PUT",
        "access-control-max-age": "86400",
        "access-control-expose-headers": EXPOSE_HEADERS,
    }


def test_an_allowed_origins_answer_exposes_lexicons_headers(
    settings: Any, api: APIClient, organization: Any
) -> None:
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]
    make_dictionary(organization, "brand")

    response = api.get(f"{URL}/brand", HTTP_ORIGIN=ALLOWED)

    assert response.status_code == 200
    assert _cors_headers(response) == {
        "access-control-allow-origin": ALLOWED,
        "access-control-expose-headers": EXPOSE_HEADERS,
    }


@pytest.mark.parametrize("allowed", [[], [ALLOWED]])
def test_other_origins_and_the_default_get_no_cors_headers(
    settings: Any, allowed: list[str]
) -> None:
    settings.CORS_ALLOWED_ORIGINS = allowed

    response = _preflight("https://evil.example.net")

    assert _cors_headers(response) == {}  # the browser refuses the request


def test_only_the_api_answers_cors(settings: Any) -> None:
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]

    assert _cors_headers(_preflight(ALLOWED, "/admin/login/")) == {}


def test_the_default_allows_no_origin() -> None:
    from django.conf import settings

    assert settings.CORS_ALLOWED_ORIGINS == []

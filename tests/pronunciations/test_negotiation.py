"""Issue 17: the short-cut content negotiation answers exactly as DRF's own."""

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from pronunciations.api.negotiation import FastContentNegotiation

URL = "/v1/pronunciation/dictionaries"


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"


@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "text/csv", "text/*, */*;q=0.1", "application/*"]
)
@pytest.mark.parametrize("renderers", [[JSONRenderer()], [CsvRenderer(), JSONRenderer()]])
def test_it_selects_what_drf_selects(accept: str | None, renderers: list[BaseRenderer]) -> None:
    factory = APIRequestFactory()
    django_request = factory.get("/") if accept is None else factory.get("/", HTTP_ACCEPT=accept)
    request = Request(django_request)

    def selected(negotiation: DefaultContentNegotiation) -> object:
        try:
            renderer, media_type = negotiation.select_renderer(request, renderers)
        except Exception as exc:  # NotAcceptable: both must raise it
            return type(exc)
        return type(renderer), media_type

    assert selected(FastContentNegotiation()) == selected(DefaultContentNegotiation())


@pytest.mark.django_db
def test_an_unacceptable_accept_header_is_still_406(api: APIClient) -> None:
    response = api.get(URL, HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response.json()["code"] == "invalid_pronunciation"

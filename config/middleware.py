"""Request id middleware: every request gets an id that error bodies echo as slng_request_id."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from ulid import ULID

REQUEST_ID_HEADER = "X-Request-Id"


def new_request_id() -> str:
    return f"req_{ULID()}"


class RequestIdMiddleware:
    """Attach ``request.request_id`` and return it in the ``X-Request-Id`` response header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = new_request_id()  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]
        return response

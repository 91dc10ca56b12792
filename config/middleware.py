"""Request id middleware: every request gets an id that error bodies echo as slng_request_id."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from orgs.request_id import REQUEST_ID_HEADER, new_request_id, request_id_var


class RequestIdMiddleware:
    """Attach ``request.request_id`` and return it in the ``X-Request-Id`` response header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        # Not reset on the way out: Django logs the response after the middleware returns.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response

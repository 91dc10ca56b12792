"""What the dictionary admin's own pages share (Review, Deleted dictionaries): their URLs under
the dictionary admin and their rendering with the admin's context.

A page is a mixin of DictionaryAdmin deriving from ``DictionaryPages``; it needs the host's
``has_module_permission`` (the mixin comes first, so it must not define it).
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path


class DictionaryPages:
    admin_site: Any
    model: Any

    if TYPE_CHECKING:  # the host admin's

        def has_module_permission(self, request: HttpRequest) -> bool: ...

    def page_urls(self, *pages: tuple[str, str, Callable[..., HttpResponse]]) -> list[URLPattern]:
        """``(route, name, view)`` as the admin's URLs (``pronunciations_dictionary_<name>``)."""
        view = self.admin_site.admin_view
        return [
            path(route, view(function), name=f"pronunciations_dictionary_{name}")
            for route, name, function in pages
        ]

    def render_page(
        self, request: HttpRequest, template: str, title: str, context: dict[str, Any]
    ) -> TemplateResponse:
        """``admin/pronunciations/dictionary/<template>`` with the admin's context."""
        return TemplateResponse(
            request,
            f"admin/pronunciations/dictionary/{template}",
            {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title}
            | context,
        )

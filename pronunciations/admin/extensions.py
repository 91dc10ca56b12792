"""The dictionary admin's extension point: what other apps add to it, without re-registering it.

An app describes its additions in a ``DictionaryAdminExtension`` and registers it from its
``AppConfig.ready()``: list columns, list filters, actions, URLs, static assets, a change to the
admin's queryset, panels on the change page, and where a rule can be heard (``listen_urls``,
used by the Review page). Each panel renders the app's own template with
the context the app computes; pronunciations never imports the apps that extend it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import URLPattern

# Where a panel is drawn on the change page.
BELOW_FORM = "below_form"  # after the fieldsets, above the rules and the preview
IN_PREVIEW = "in_preview"  # inside the preview panel, below what the model receives
BESIDE_PREVIEW = "beside_preview"  # in the preview's sticky column, below the preview panel
SLOTS = (BELOW_FORM, IN_PREVIEW, BESIDE_PREVIEW)


@dataclass(frozen=True)
class Panel:
    """A block of the change page: ``template`` rendered with ``context(request, dictionary)``.

    ``context`` returns None to draw nothing on this page (e.g. no sync targets).
    """

    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    slot: str = BELOW_FORM


class DictionaryAdminExtension:
    """What one app adds to the dictionary admin; every part is optional.

    ``list_columns`` are callables of a dictionary (decorate them with ``admin.display``);
    ``actions`` are admin actions ``(model_admin, request, queryset)``; ``urls(model_admin)``
    returns URL patterns placed before the admin's own (name them ``<app>_dictionary_...``).
    """

    panels: Sequence[Panel] = ()
    list_columns: Sequence[Callable[[Any], Any]] = ()
    list_filters: Sequence[Any] = ()
    actions: Sequence[Callable[..., Any]] = ()
    media: forms.Media = forms.Media()

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset

    def urls(self, model_admin: Any) -> list[URLPattern]:
        return []

    def listen_urls(self, request: HttpRequest, dictionaries: Sequence[Any]) -> dict[int, str]:
        """Per dictionary (by primary key) the user may hear, a URL that speaks a text before
        and after given rules: POST ``{"text", "modes"}`` answers ``{"text", "original_audio",
        "rewritten_audio"}`` (``{"error"}`` or ``{"errors"}`` when refused). A fixed number of
        queries for any number of dictionaries."""
        return {}


_registry: dict[type[DictionaryAdminExtension], DictionaryAdminExtension] = {}


def register(extension: DictionaryAdminExtension) -> None:
    """Add an app's extension (once per class: registering it again replaces it)."""
    _registry[type(extension)] = extension


def extensions() -> tuple[DictionaryAdminExtension, ...]:
    return tuple(_registry.values())


def listen_urls(request: HttpRequest, dictionaries: Sequence[Any]) -> dict[int, str]:
    """The first Listen URL any extension offers for each dictionary (see ``listen_urls``)."""
    urls: dict[int, str] = {}
    for extension in extensions():
        for pk, url in extension.listen_urls(request, dictionaries).items():
            urls.setdefault(pk, url)
    return urls


def render_panels(request: HttpRequest, obj: Any) -> dict[str, list[str]]:
    """Every extension's panels for this dictionary's change page, rendered, by slot."""
    slots: dict[str, list[str]] = {slot: [] for slot in SLOTS}
    for extension in extensions():
        for panel in extension.panels:
            context = panel.context(request, obj)
            if context is not None:
                slots[panel.slot].append(render_to_string(panel.template, context, request))
    return slots

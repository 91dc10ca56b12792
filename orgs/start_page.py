"""The admin's start page: sections other apps add, each with its own template and context.

An app registers a ``StartSection`` from its ``AppConfig.ready()``; the start page
(``config.admin.LexiconAdminSite.index``) renders every registered section in ``order`` for the
request's user. A section's ``context(request)`` reads only the user's organizations
(``orgs.permissions``) and returns None to draw nothing for this user. Each section should cost
a fixed number of queries, whatever the number of dictionaries or rules.

Orders in use: 10 find a word, 20 waiting for review, 30 failing checks (pronunciations), 40
failed syncs (sync), 50 recent changes (pronunciations).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string


@dataclass(frozen=True)
class StartSection:
    """One block of the start page: ``template`` rendered with ``context(request)``."""

    name: str
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 50


_registry: dict[str, StartSection] = {}


def register(section: StartSection) -> None:
    """Add a section (once per name: registering the same name again replaces it)."""
    _registry[section.name] = section


def sections() -> tuple[StartSection, ...]:
    return tuple(sorted(_registry.values(), key=lambda s: (s.order, s.name)))


def render(request: HttpRequest) -> list[str]:
    """Every section this user gets, rendered, in order."""
    rendered: list[str] = []
    for section in sections():
        context = section.context(request)
        if context is not None:
            rendered.append(render_to_string(section.template, context, request))
    return rendered

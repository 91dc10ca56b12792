"""The admin site: "Lexicon" as its header and title, and a start page for linguists.

``AdminConfig`` replaces ``django.contrib.admin`` in INSTALLED_APPS, so ``admin.site`` (where
every app registers its models) is a ``LexiconAdminSite``. Its index is the start page: the
sections apps register in ``orgs.start_page`` above the usual list of models.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.http import HttpRequest
from django.template.response import TemplateResponse


class LexiconAdminSite(admin.AdminSite):
    site_header = "Lexicon"
    site_title = "Lexicon"
    index_title = "Start"
    index_template = "admin/lexicon/start.html"
    # The root URL leads to this page: "View site" would link the page to itself.
    site_url = None

    def index(self, request: HttpRequest, extra_context: Any = None) -> TemplateResponse:
        from orgs import start_page

        context = {"start_sections": start_page.render(request), **(extra_context or {})}
        return super().index(request, context)


class AdminConfig(DjangoAdminConfig):
    default_site = "config.admin.LexiconAdminSite"

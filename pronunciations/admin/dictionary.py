"""The linguists' admin: dictionaries with their rules, preview, history, import and export.

Every write goes through the services (validation, revisions, change signal); the form and the
rules editor (``editor``) validate with pronunciations.validation, and ``wording`` puts each
problem in plain words on the rule row it concerns.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from core.exceptions import admin_error
from orgs import permissions
from orgs.actors import Actor
from orgs.admin import OrgScopedAdmin
from orgs.scoping import restrict
from pronunciations import preview, selectors, services, validation
from pronunciations.admin import editor, outcomes, paste, wording
from pronunciations.admin.checks import live_results
from pronunciations.admin.deleted import DeletedAdminMixin
from pronunciations.admin.extensions import (
    BELOW_FORM,
    BESIDE_PREVIEW,
    IN_PREVIEW,
    extensions,
    render_panels,
)
from pronunciations.admin.filters import LanguageFilter, OrganizationFilter
from pronunciations.admin.forms import DictionaryForm
from pronunciations.admin.history import HistoryAdminMixin
from pronunciations.admin.languages import LANGUAGES
from pronunciations.admin.layers import LayersAdminMixin, layers_panel
from pronunciations.admin.review import ReviewAdminMixin
from pronunciations.admin.scan import ScanAdminMixin
from pronunciations.admin.tools import LinguistToolsMixin
from pronunciations.admin.transfer import TransferAdminMixin
from pronunciations.admin.widgets import IpaValueInput
from pronunciations.errors import PreconditionFailed, PronunciationError
from pronunciations.models import Dictionary, Mode, Revision, Source
from pronunciations.transfer.uploads import accepts_uploads

# Reads keyed by rows this page already scoped to the user (the page checks the role).
DICTIONARY_PAGE = Actor.system("dictionary page")


class DictionaryAdmin(
    outcomes.SaveMessages,
    ReviewAdminMixin,
    HistoryAdminMixin,
    LayersAdminMixin,
    DeletedAdminMixin,
    ScanAdminMixin,
    LinguistToolsMixin,
    TransferAdminMixin,
    OrgScopedAdmin,
):
    """Dictionaries of the user's organizations; other apps add to it through
    pronunciations.admin_extensions (sync: its column, filter, action and panels)."""

    form = DictionaryForm
    save_on_top = True
    change_form_template = "admin/pronunciations/dictionary/change_form.html"
    # The list's buttons (Review, Deleted dictionaries, then Import): import-export's name for
    # the list's template. The delete confirmations are found by Django's template names.
    import_export_change_list_template = "admin/pronunciations/dictionary/change_list.html"
    list_display = [
        "name",
        "organization",
        "rewrite_rules",
        "ipa_rules",
        "updated_at",
        "changed_by",
    ]
    list_filter = [OrganizationFilter, LanguageFilter]
    search_fields = ["name", "rules__match", "rules__value"]
    search_help_text = "Searches names and every rule's match and replacement."
    list_per_page = 50
    actions = TransferAdminMixin.actions

    @property
    def media(self) -> forms.Media:
        media = super().media + forms.Media(
            css={"all": ["pronunciations/dictionary.css"]}, js=["pronunciations/rule_anchor.js"]
        )
        media += IpaValueInput().media  # the IPA tools of the editor's IPA value inputs
        for extension in extensions():
            media += extension.media
        return media

    # -- list ----------------------------------------------------------------------------

    def get_list_display(self, request: HttpRequest) -> Any:
        columns = [c for extension in extensions() for c in extension.list_columns]
        return [*super().get_list_display(request), *columns]

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = [f for extension in extensions() for f in extension.list_filters]
        return [*super().get_list_filter(request), *filters]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        for extension in extensions():
            for function in extension.actions:
                action = self.get_action(function)
                if action is not None:
                    actions[action[1]] = action
        return actions

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        author = restrict(Revision, DICTIONARY_PAGE).filter(
            dictionary=OuterRef("pk"), number=OuterRef("revision")
        )
        queryset = (
            selectors.only_live(super().get_queryset(request))
            .select_related("organization")
            .annotate(
                rewrite_count=Count("rules", filter=Q(rules__mode=Mode.REWRITE), distinct=True),
                ipa_count=Count("rules", filter=Q(rules__mode=Mode.IPA), distinct=True),
                last_author=Subquery(author.values("author")[:1]),
            )
        )
        for extension in extensions():
            queryset = extension.queryset(request, queryset)
        return queryset

    @admin.display(description="rewrite", ordering="rewrite_count")
    def rewrite_rules(self, obj: Any) -> int:
        return int(obj.rewrite_count)

    @admin.display(description="ipa", ordering="ipa_count")
    def ipa_rules(self, obj: Any) -> int:
        return int(obj.ipa_count)

    @admin.display(description="changed by")
    def changed_by(self, obj: Any) -> str:
        return str(obj.last_author or "")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["organization", "name"] if obj else []

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not self.has_change_permission(request, obj):
            return [(None, {"fields": ["organization", "name", "metadata"]})]
        metadata = ["language", "use_case", "providers", "metadata"]
        return [
            (None, {"fields": ["organization", "name", "etag"]}),
            ("Metadata", {"fields": metadata}),
        ]

    # -- saving through the services -------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Deferred to save_related, which has the rules: one service call per save."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        rules = form.rules
        author = Actor.for_user(request.user)
        metadata = form.cleaned_data.get("metadata") or {}
        comment = form.cleaned_data.get("comment") or ""
        # The checks editor's checks; without it on the page the dictionary keeps its own.
        checks = form.cleaned_data.get("checks", services.UNSET)
        if change:
            before = form.instance.revision
            updated = services.dictionary_update(
                organization=form.instance.organization,
                name=form.instance.name,
                modes=rules.wire(),
                metadata=metadata,
                if_match=form.cleaned_data["etag"],
                author=author,
                source=Source.ADMIN,
                comment=comment,
                checks=checks,
            )
            outcomes.remember(request, updated, before)
            return
        created = services.dictionary_create(
            organization=form.cleaned_data["organization"],
            name=form.cleaned_data["name"],
            modes=rules.wire(),
            metadata=metadata,
            created_by=author,
            source=Source.ADMIN,
            comment=comment,
            checks=None if checks is services.UNSET else checks,
        )
        form.instance.pk, form.instance.public_id = created.pk, created.public_id
        outcomes.remember(request, created, None)

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        # The rules were written by the service: log the form's changes.
        return super().construct_change_message(request, form, [], add)

    refusals = (PreconditionFailed, PronunciationError)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.dictionary_delete(
            organization=obj.organization,
            name=obj.name,
            author=Actor.for_user(request.user),
            source=Source.ADMIN,
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():  # all or none: a refused one (a layer in use) keeps the rest
            for obj in queryset:
                self.delete_model(request, obj)

    # -- the change page -------------------------------------------------------------------

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        obj = context.get("original")
        if obj is not None and obj.pk:
            slots = render_panels(request, obj)
            context["panels_below_form"] = slots[BELOW_FORM]
            context["panels_in_preview"] = slots[IN_PREVIEW]
            context["panels_beside_preview"] = slots[BESIDE_PREVIEW]
        rules = context["adminform"].form.rules
        context["rules"] = rules
        context["rules_editable"] = obj is None or self.has_change_permission(request, obj)
        if obj is not None and obj.pk:
            context["layers_panel"] = layers_panel(request, obj, context["rules_editable"])
        context["rule_tabs"] = [
            (mode, wording.MODE_NAME[mode], rules.rows[mode], editor.post_fields(mode))
            for mode in editor.MODES
        ]
        context["value_names"] = wording.VALUE_NAME
        context["languages"] = LANGUAGES
        context["preview_url"] = reverse("admin:pronunciations_dictionary_preview")
        context["paste_url"] = reverse("admin:pronunciations_dictionary_paste")
        context["ipa_url"] = reverse("admin:pronunciations_dictionary_ipa")
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            *[url for extension in extensions() for url in extension.urls(self)],
            path("preview/", view(self.preview_view), name="pronunciations_dictionary_preview"),
            path("paste/", view(self.paste_view), name="pronunciations_dictionary_paste"),
            path(
                "<int:pk>/revisions/",
                view(self.revisions_view),
                name="pronunciations_dictionary_revisions",
            ),
            path(
                "<int:pk>/revisions/<int:number>/restore/",
                view(self.restore_view),
                name="pronunciations_dictionary_restore",
            ),
            path("<int:pk>/pls/", view(self.pls_view), name="pronunciations_dictionary_pls"),
            path(
                "<int:pk>/pls/import/",
                accepts_uploads(view(self.pls_import_view)),
                name="pronunciations_dictionary_pls_import",
            ),
            *super().get_urls(),
        ]

    def _editable(self, request: HttpRequest, pk: int, role: str) -> Dictionary:
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if not permissions.allowed(request, obj.organization_id, role):
            raise PermissionDenied
        return obj

    def _page_body(self, request: HttpRequest) -> dict[str, Any]:
        """The JSON object a change page posts (its rules, a text); 403 unless the user may
        see dictionaries, ValidationError for a body that is not an object."""
        if request.method != "POST" or not self.has_module_permission(request):
            raise PermissionDenied
        body = validation.parse_json(request.body or b"{}", field="body")
        if not isinstance(body, dict):
            raise ValidationError({"body": ["must be a JSON object with modes and text"]})
        return body

    def _page_organization(self, request: HttpRequest, pk: object) -> int | None:
        """The organization of the page's dictionary (``dictionary`` in its body), when the user
        may see it: lint then also says what the organization's targets can speak."""
        if isinstance(pk, bool) or not isinstance(pk, int):
            return None
        found = self.get_queryset(request).filter(pk=pk).values_list("organization_id", flat=True)
        return found.first()

    def preview_view(self, request: HttpRequest) -> JsonResponse:
        """Rewrite text with the (unsaved) rules on the page: the live preview panel's backend.

        Answers every rule row's problems in plain words too (errors, or lint warnings), so
        the page marks them as the linguist types; and, when the body has ``checks``, each
        one's result against the same rules (the checks editor's, ``admin.checks``).
        """
        try:
            body = self._page_body(request)
            text = validation.validate_preview_text(body.get("text", ""))
        except ValidationError as exc:
            return admin_error(exc)
        organization = self._page_organization(request, body.get("dictionary"))
        rules = editor.from_wire(body.get("modes"))
        checked = editor.check(rules, organization_id=organization)
        problems = [problem.as_dict() for problem in checked.rows]
        modes, left_out = checked.modes, 0
        if modes is None:  # an unfinished row: preview the other rules (issue 23)
            modes, left_out = editor.finished_rules(rules, checked)
        if modes is None:  # the rules as a whole need fixing first: no rewrite, no 400
            answer = {"text": None, "applied": [], "problems": problems, "general": checked.general}
            return JsonResponse({**answer, "checks": None, "left_out": 0})
        result = preview.result_to_wire(preview.rewrite(modes, text))
        # The checks editor's sentences, run by the same engine against the same rules.
        # (not while a row is left out: the checks are about the rules as they will be saved)
        runs = live_results(modes, body["checks"]) if "checks" in body and not left_out else None
        found: dict[str, Any] = {**result, "problems": problems, "general": [], "checks": runs}
        return JsonResponse({**found, "left_out": left_out})

    def paste_view(self, request: HttpRequest) -> JsonResponse:
        """What pasting lines of rules would add to the page's rules, and every conflict;
        changes nothing (the page adds the rows once the linguist confirms)."""
        try:
            body = self._page_body(request)
            text, mode = body.get("text"), body.get("mode")
            if not isinstance(text, str) or len(text) > paste.PASTE_MAX_CHARS:
                limit = paste.PASTE_MAX_CHARS
                raise ValidationError({"text": [f"must be text of at most {limit} characters"]})
            if mode not in editor.MODES:
                raise ValidationError({"mode": ["must be rewrite or ipa"]})
        except ValidationError as exc:
            return admin_error(exc)
        lines, general = paste.paste_plan(editor.from_wire(body.get("modes")), mode, text)
        return JsonResponse(
            {
                "lines": [line.as_dict() for line in lines],
                "counts": paste.paste_summary(lines),
                "general": general,
            }
        )


admin.site.register(Dictionary, DictionaryAdmin)

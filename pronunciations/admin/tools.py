"""Linguists' tools of the dictionary admin: "Where is this word?" and IPA help.

Mixed into DictionaryAdmin (it needs the host's ``get_queryset``, scoped to the user's
organizations). ``where/`` searches every dictionary the user may read for one text;
``ipa/`` gives the IPA palette and character ranges to the IPA field's script, and
``ipa/suggest/`` espeak-ng's suggestion for a match (pronunciations.espeak).
"""

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.exceptions import admin_error
from orgs import permissions
from orgs.models import Organization
from pronunciations import espeak, selectors, validation, where
from pronunciations.admin.widgets import palette_groups
from pronunciations.models import Dictionary
from pronunciations.near import Near


class WhereForm(forms.Form):
    q = forms.CharField(
        label="Word or sentence", strip=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, empty_label="All my organizations"
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs["maxlength"] = settings.LEXICON_WHERE_MAX_CHARS

    def clean_q(self) -> str:
        try:
            return validation.validate_where_text(self.cleaned_data.get("q"))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["q"]) from None


def _rule_url(change_url: str, hit: where.Hit) -> str:
    """The change page, scrolled to the rule (pronunciations/rule_anchor.js reads the anchor)."""
    return f"{change_url}#rule={quote(f'{hit.mode.value}:{hit.match}', safe='')}"


_NEAR_HOW = {
    0: "the same letters, with other spaces, capitals or hyphens",
    1: "one letter different",
    2: "two letters different",
}


def _near_row(near: Near[where.NearRule]) -> dict[str, Any]:
    """A "did you mean" rule: what it is, where it lives, and how it differs from the text."""
    rule = near.item
    change_url = reverse("admin:pronunciations_dictionary_change", args=[rule.dictionary.pk])
    where_url = reverse("admin:pronunciations_dictionary_where")
    return {
        "rule": rule,
        "typed": near.typed,
        "how": _NEAR_HOW.get(near.distance, f"{near.distance} letters different"),
        "url": f"{change_url}#rule={quote(f'{rule.mode.value}:{rule.match}', safe='')}",
        "search_url": f"{where_url}?q={quote(rule.match, safe='')}",
    }


def _answer_row(answer: where.Answer, text: str) -> dict[str, Any]:
    change_url = reverse("admin:pronunciations_dictionary_change", args=[answer.dictionary.pk])
    applied = answer.result.applied
    return {
        "dictionary": answer.dictionary,
        "change_url": change_url,
        "fired": answer.fired,
        "sent": where.marked(answer.result.text, [(a.out_start, a.out_end) for a in applied]),
        "read": where.marked(text, [(a.start, a.end) for a in applied]),
        "hits": [
            {
                "hit": hit,
                "url": _rule_url(change_url, hit),
                "snippet": where.snippet(text, hit.start, hit.end),
            }
            for hit in answer.hits
        ],
    }


class LinguistToolsMixin:
    """Needs the host admin's ``get_queryset`` and ``has_module_permission``."""

    admin_site: Any
    model: Any

    if TYPE_CHECKING:  # the host admin's (the mixin comes first, so it must not define them)

        def get_queryset(self, request: HttpRequest) -> Any: ...

        def has_module_permission(self, request: HttpRequest) -> bool: ...

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("where/", view(self.where_view), name="pronunciations_dictionary_where"),
            path("ipa/", view(self.ipa_view), name="pronunciations_dictionary_ipa"),
            path(
                "ipa/suggest/",
                view(self.ipa_suggest_view),
                name="pronunciations_dictionary_ipa_suggest",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def where_view(self, request: HttpRequest) -> HttpResponse:
        """Every dictionary of the user's organizations (or of one) against one text.

        A fixed number of queries: the dictionaries, and the snapshots of those whose compiled
        rules are not cached, whatever the number of rules.
        """
        if not self.has_module_permission(request):
            raise PermissionDenied
        form = WhereForm(request.GET or None, organizations=permissions.organizations(request))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Where is this word?",
            "form": form,
            "limit": settings.LEXICON_WHERE_MAX_DICTIONARIES,
            "choose_organization": len(permissions.organization_ids(request) or [0, 0]) > 1,
        }
        if form.is_valid():
            context.update(self._where(request, form.cleaned_data))
        return TemplateResponse(request, "admin/pronunciations/dictionary/where.html", context)

    def _where(self, request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
        organization = data.get("organization")
        actor = permissions.actor(request)
        actor = actor.within(organization) if organization else actor
        limit = settings.LEXICON_WHERE_MAX_DICTIONARIES
        scanned = selectors.dictionary_scan(actor=actor, limit=limit + 1)
        text = data["q"]
        answers = where.answers(scanned[:limit], text)
        found = [_answer_row(answer, text) for answer in answers if answer.hits]
        found.sort(key=lambda row: not row["fired"])  # stable: by organization and name within
        return {
            "text": text,
            "found": found,
            "not_found": [answer.dictionary for answer in answers if not answer.hits],
            "near": [_near_row(near) for near in where.near_rules(answers, text)],
            "scanned": len(answers),
            "truncated": len(scanned) > limit,
            "show_organization": len({answer.dictionary.organization_id for answer in answers}) > 1,
        }

    def ipa_view(self, request: HttpRequest) -> JsonResponse:
        """What the IPA field's script needs once: the palette and which characters are IPA."""
        if not self.has_module_permission(request):
            raise PermissionDenied
        return JsonResponse(
            {
                "palette": palette_groups(),
                "ranges": [list(pair) for pair in validation.IPA_RANGES],
                "suggest_url": reverse("admin:pronunciations_dictionary_ipa_suggest"),
            }
        )

    def ipa_suggest_view(self, request: HttpRequest) -> JsonResponse:
        """espeak-ng's IPA for ``text`` in ``language``, else in the language of ``dictionary``
        (an id of a dictionary the user may read), else American English; always labelled."""
        if not self.has_module_permission(request):
            raise PermissionDenied
        try:
            text, language = validation.validate_ipa_suggestion(
                request.GET.get("text", ""), request.GET.get("language", "")
            )
            if not language and request.GET.get("dictionary"):
                language = self._language_of(request, request.GET["dictionary"])
        except ValidationError as exc:
            return admin_error(exc)
        suggestion = espeak.suggest(text, language)
        return JsonResponse(
            {
                "ipa": suggestion.ipa,
                "voice": suggestion.voice,
                "note": suggestion.note,
                "hint": validation.ipa_hint(suggestion.ipa) if suggestion.ipa else None,
            }
        )

    def _language_of(self, request: HttpRequest, raw: str) -> str:
        pk = validation.validate_int_parameter(raw, name="dictionary", low=1, high=2**63 - 1)
        found: Dictionary | None = self.get_queryset(request).filter(pk=pk).first()
        language = (found.metadata or {}).get("language") if found else None
        return language if isinstance(language, str) else ""

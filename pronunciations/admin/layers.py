"""The change page's layers panel: what the dictionary includes and who includes it, which
layer answers each rule and what it shadows, where the flattened result breaks SLNG's limits,
and the disabled rules (greyed, each switched back on with one button)."""

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse

from orgs.actors import Actor
from orgs.models import Role
from pronunciations import layers
from pronunciations.admin.pages import DictionaryPages
from pronunciations.errors import PronunciationError
from pronunciations.models import Dictionary, Mode
from pronunciations.switch import rule_switch
from pronunciations.validation import MAX_RULES_PER_MODE


def disabled_rules(content: layers.Content) -> list[dict[str, str]]:
    """The dictionary's disabled rules, as the panel lists them."""
    return [
        {"mode": mode.value, "match": rule.match, "value": rule.value}
        for mode, rules in content.modes.items()
        for rule in rules
        if rule.disabled
    ]


def layers_panel(request: HttpRequest, dictionary: Dictionary, editable: bool) -> str:
    """The panel, rendered (the change page places it above the rules editor)."""
    content = layers.current_content(dictionary)
    flat = layers.current_flat(dictionary, content)
    context = {
        "original": dictionary,
        "flat": layers.flat_to_wire(flat),
        "layered": flat.layered,
        "includes": content.layered,
        "includers": layers.includers_of(dictionary.organization_id, dictionary.normalized_name),
        "disabled": disabled_rules(content),
        "limit": MAX_RULES_PER_MODE,
        "editable": editable,
        "switch_url": reverse("admin:pronunciations_dictionary_switch", args=[dictionary.pk]),
    }
    return render_to_string("admin/pronunciations/dictionary/layers_panel.html", context, request)


class LayersAdminMixin(DictionaryPages):
    """Switching a rule off or on from the change page (the panel's buttons post here)."""

    if TYPE_CHECKING:  # the host admin's

        def _editable(self, request: HttpRequest, pk: int, role: str) -> Dictionary: ...

    def get_urls(self) -> list[Any]:
        pages = self.page_urls(("<int:pk>/switch/", "switch", self.switch_view))
        return [*pages, *super().get_urls()]  # type: ignore[misc]

    def switch_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """POST ``switch`` = ``<mode>:<off|on>:<match>`` (a match may hold colons) and the
        page's ``etag``: the rule switched, or why not, back on the change page."""
        if request.method != "POST":
            raise PermissionDenied
        obj = self._editable(request, pk, Role.EDITOR)
        mode, _, rest = str(request.POST.get("switch", "")).partition(":")
        state, _, match = rest.partition(":")
        if not match and state == "off":
            match = str(request.POST.get("switch_off_match", "")).strip()
        try:
            rule_switch(
                organization=obj.organization,
                name=obj.name,
                mode=Mode(mode) if mode in Mode.values else Mode.REWRITE,
                match=match,
                disabled=state == "off",
                if_match=request.POST.get("etag") or None,
                author=Actor.for_user(request.user),
            )
            messages.success(request, f"Switched {state} the {mode} rule {match}.")
        except PronunciationError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(
            reverse("admin:pronunciations_dictionary_change", args=[obj.pk])
        )

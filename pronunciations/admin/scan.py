"""The admin's "Scan texts" page: paste or upload an agent's texts, read the words at risk with
what each dictionary does with them, and add a suggested rule in one click.

Mixed into DictionaryAdmin. The page asks the scan's services (pronunciations.scan.services)
for everything: the dictionaries of the organization chosen, the findings, and the one write
path for a rule (a proposal when the organization reviews changes). Viewers scan; editors add.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from orgs import permissions
from orgs.actors import Actor
from orgs.models import Organization, Role
from orgs.scoping import restrict
from pronunciations import selectors
from pronunciations.admin.extensions import listen_urls
from pronunciations.admin.pages import DictionaryPages
from pronunciations.errors import PronunciationError, parameter_message
from pronunciations.models import Source
from pronunciations.scan import services as scanning
from pronunciations.scan.findings import REASONS
from pronunciations.scan.texts import FORMATS, scan_format
from pronunciations.transfer.uploads import accepts_uploads

REASON_LABELS = {
    "case_mix": "brand-like case",
    "symbols": "symbols",
    "letters_digits": "letters and digits",
    "unknown": "unknown to the lexicon",
    "rare": "rare",
    "acronym": "acronym",
    "heteronym": "heteronym",
    "split": "may be split",
}


MAX_CHOICES = 500  # dictionaries offered on the form


class ScanForm(forms.Form):
    text = forms.CharField(
        label="Texts", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    file = forms.FileField(
        label="…or a file",
        required=False,
        help_text=f"{', '.join('.' + f for f in FORMATS)}: prompts, scripts, FAQ, transcripts",
    )
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), required=True)
    dictionaries = forms.MultipleChoiceField(
        required=False, help_text="None chosen: all of the organization's dictionaries"
    )
    language = forms.CharField(required=False, help_text="Default: the dictionaries' language")

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizations = restrict(Organization, actor)
        field: Any = self.fields["organization"]
        field.queryset = organizations
        field.initial = organizations.first()
        found = selectors.dictionary_scan(actor=actor, limit=MAX_CHOICES)
        names = sorted({d.name for d in found}, key=str.casefold)
        choices: Any = self.fields["dictionaries"]
        choices.choices = [(name, name) for name in names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, text = data.get("file"), data.get("text") or ""
        if upload is None and not text.strip():
            raise ValidationError("Paste the texts or choose a file.")
        if upload is not None:
            data["data"] = upload.read()
            data["format"] = scan_format(None, upload.name or "")
        else:
            data["data"], data["format"] = text.encode("utf-8", "surrogatepass"), "txt"
        return data


def _sentence(finding: dict[str, Any]) -> str:
    """The finding's first example as a sentence to hear (its context without the ellipses)."""
    if not finding["examples"]:
        return str(finding["text"])
    example = finding["examples"][0]
    return f"{example['before']}{example['text']}{example['after']}".strip("…").strip()


class ScanAdminMixin(DictionaryPages):
    def get_urls(self) -> list[Any]:
        pages = self.page_urls(
            ("scan/", "scan", self.scan_view),
            ("scan/add/", "scan_add", self.scan_add_view),
        )
        accepts_uploads(pages[0].callback)  # a file up to LEXICON_MAX_UPLOAD_BYTES
        return [*pages, *super().get_urls()]  # type: ignore[misc]

    def scan_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_module_permission(request):
            raise PermissionDenied
        actor = permissions.actor(request)
        form = ScanForm(request.POST or None, request.FILES or None, actor=actor)
        context: dict[str, Any] = {"form": form, "reasons": REASON_LABELS}
        if request.method == "POST" and form.is_valid():
            try:
                context.update(self._scan(request, form.cleaned_data))
            except ValidationError as exc:
                for field, problems in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            except PronunciationError as exc:
                form.add_error(None, exc.message)
        return self.render_page(request, "scan.html", "Scan texts", context)

    def _scan(self, request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
        organization = data["organization"]
        turns = scanning.scan_turns(data=data["data"], file_format=data["format"])
        body = scanning.scan_run(
            organization=organization,
            turns=turns,
            language=data.get("language") or None,
            names=data.get("dictionaries") or [],
        )
        for finding in body["findings"]:
            finding["reason_labels"] = [REASON_LABELS[r] for r in finding["reasons"]]
            finding["listen_text"] = _sentence(finding)
        return {
            "scan": body,
            "listen_url": self._listen_url(request, organization, body["dictionaries"]),
            "organization": organization,
            "can_add": permissions.allowed(request, organization.pk, Role.EDITOR),
            "add_url": reverse("admin:pronunciations_dictionary_scan_add"),
            "reason_choices": [(r, REASON_LABELS[r]) for r in REASONS],
        }

    def _listen_url(self, request: HttpRequest, organization: Organization, names: Any) -> str:
        """Where a suggested rule is heard (the first dictionary an app offers Listen for): the
        organization's target speaks an example sentence before, then after, the rule."""
        chosen = scanning.scan_dictionaries(organization=organization, names=names)
        urls = listen_urls(request, chosen)
        return next((urls[d.pk] for d in chosen if d.pk in urls), "")

    def scan_add_view(self, request: HttpRequest) -> HttpResponse:
        """Add one finding's rule (POST); JSON for the page's script, else back with a message."""
        if request.method != "POST" or not self.has_module_permission(request):
            raise PermissionDenied
        organization = self._editable_organization(request, request.POST.get("organization", ""))
        try:
            put, proposed = scanning.scan_rule_add(
                organization=organization,
                dictionary=request.POST.get("dictionary", ""),
                mode=request.POST.get("mode", ""),
                match=request.POST.get("match", ""),
                replace=request.POST.get("replace", ""),
                scan_id=request.POST.get("scan", ""),
                author=Actor.for_user(request.user, permissions.role_in(request, organization.pk)),
                source=Source.ADMIN,
            )
        except ValidationError as exc:
            return self._added(request, parameter_message(exc.message_dict), False, 400)
        except PronunciationError as exc:
            return self._added(request, exc.message, False, exc.status)
        done = "proposed (waiting for review)" if proposed else "added"
        message = f"{put.rule.match} → {put.rule.value}: {done} in {put.dictionary.name}"
        return self._added(request, message, proposed, 200)

    def _editable_organization(self, request: HttpRequest, raw: str) -> Organization:
        """The organization posted, if the user is at least an editor there; else 403."""
        found = None
        if raw.strip().isdigit():
            editable = permissions.organizations(request, Role.EDITOR)
            found = editable.filter(pk=int(raw)).first()
        if found is None:
            raise PermissionDenied
        return found

    def _added(self, request: HttpRequest, message: str, proposed: bool, status: int) -> Any:
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse({"message": message, "proposed": proposed}, status=status)
        level = messages.SUCCESS if status == 200 else messages.ERROR
        messages.add_message(request, level, message)
        return HttpResponseRedirect(reverse("admin:pronunciations_dictionary_scan"))

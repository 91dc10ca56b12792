"""Admin forms: the dictionary form and the rules formset validate through validation.py."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput, JSONString
from django.forms.models import BaseInlineFormSet
from import_export.forms import ConfirmImportForm, ImportForm

from orgs.models import Organization
from pronunciations import validation
from pronunciations.admin.widgets import IpaValueInput
from pronunciations.models import Dictionary, Mode, Rule
from pronunciations.validation import VALUE_FIELD


class BoundedJSONField(forms.JSONField):
    """Django's JSONField parsed by validation.parse_json: depth-bounded, never RecursionError.

    A bound form shows back exactly the text that was typed, so a refused value (too deep, or
    with characters that cannot be stored) is never serialized again to render the page.
    """

    def to_python(self, value: Any) -> Any:
        if self.disabled or not isinstance(value, str) or value in self.empty_values:
            return super().to_python(value)
        try:
            converted = validation.parse_json(value, field="metadata")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["metadata"], code="invalid") from None
        return JSONString(converted) if isinstance(converted, str) else converted

    def bound_data(self, data: Any, initial: Any) -> Any:
        if self.disabled or not isinstance(data, str):
            return super().bound_data(data, initial)
        return InvalidJSONInput(data)


class DictionaryForm(forms.ModelForm):
    """Name and metadata, plus the ETag the editor loaded (to refuse overwriting newer work)."""

    etag = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Dictionary
        fields = ["organization", "name", "metadata"]
        field_classes = {"metadata": BoundedJSONField}
        help_texts = {"metadata": 'A JSON object, e.g. {"language": "en-US"}.'}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["etag"].initial = self.instance.etag

    def clean_name(self) -> str:
        name = self.cleaned_data.get("name")
        if problems := validation.name_errors(name):
            raise ValidationError(problems)
        return str(name)

    def clean_metadata(self) -> Any:
        errors: dict[str, list[str]] = {}
        metadata = validation.clean_metadata(self.cleaned_data.get("metadata"), errors)
        if errors:
            raise ValidationError(
                [m if at == "metadata" else f"{at}: {m}" for at, ms in errors.items() for m in ms]
            )
        return metadata

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        submitted = cleaned.get("etag")
        if self.instance.pk and submitted and submitted != self.instance.etag:
            raise ValidationError(
                "Someone else saved this dictionary after you opened it (now revision "
                f"{self.instance.revision}). Reload the page to see their change, then redo yours."
            )
        return cleaned


class RuleForm(forms.ModelForm):
    """One rule's row; its value input brings the IPA tools on IPA rules."""

    class Meta:
        model = Rule
        fields = ["mode", "position", "match", "value"]
        widgets = {"value": IpaValueInput}


class RulesFormSet(BaseInlineFormSet):
    """All rules validated together by the one validation module; errors land on their rule."""

    def live_forms(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
            if form.has_changed() or form.instance.pk
        ]

    def ordered(self) -> dict[str, list[forms.Form]]:
        by_mode: dict[str, list[forms.Form]] = {mode: [] for mode in Mode.values}
        for form in self.live_forms():
            by_mode.setdefault(form.cleaned_data.get("mode") or "", []).append(form)
        for forms_of_mode in by_mode.values():
            forms_of_mode.sort(key=lambda f: f.cleaned_data.get("position") or 0)
        return by_mode

    def wire_modes(self) -> dict[str, Any]:
        modes: dict[str, Any] = {}
        for mode, forms_of_mode in self.ordered().items():
            if mode in Mode.values and (forms_of_mode or mode == Mode.REWRITE):
                field = VALUE_FIELD[Mode(mode)]
                modes[mode] = {
                    "rules": [
                        {
                            "match": f.cleaned_data.get("match", ""),
                            field: f.cleaned_data.get("value", ""),
                        }
                        for f in forms_of_mode
                    ]
                }
        return modes

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        by_mode = self.ordered()
        try:
            validation.validate_modes(self.wire_modes())
        except ValidationError as exc:
            for path, messages in exc.message_dict.items():
                self._place(path, messages, by_mode)

    def _place(self, path: str, messages: list[str], by_mode: dict[str, list[forms.Form]]) -> None:
        parts = path.split(".")
        if len(parts) == 4 and parts[2].startswith("rules["):
            form = by_mode[parts[1]][int(parts[2][6:-1])]
            form.add_error("match" if parts[3] == "match" else "value", messages)
        else:
            raise ValidationError([f"{path}: {message}" for message in messages])


MERGE_HELP = (
    "Merge: the file's rules are added, and a rule with the same match is updated; every other "
    "rule stays as it is."
)
REPLACE_HELP = (
    "Replace: each dictionary named in the file gets exactly the file's rules; its rules that "
    "are not in the file are removed. Dictionaries not in the file are left alone."
)


class OrganizationImportForm(ImportForm):
    """django-import-export's import form plus where and how to import, each explained."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        help_text="The dictionaries of the file are looked up, and created, in this organization.",
    )
    mode = forms.ChoiceField(
        choices=[("merge", MERGE_HELP), ("replace", REPLACE_HELP)],
        initial="merge",
        widget=forms.RadioSelect,
    )
    create_missing = forms.BooleanField(
        required=False,
        initial=True,
        label="Create missing dictionaries",
        help_text="A dictionary the file names that does not exist yet is created; unticked, "
        "its rows are errors.",
    )

    def __init__(
        self, *args: Any, organizations: Any = None, keeps_file: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations
        # With a kept file the browser may submit without choosing one again.
        self.use_required_attribute = not keeps_file


class OrganizationConfirmImportForm(ConfirmImportForm):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), widget=forms.HiddenInput
    )
    mode = forms.CharField(widget=forms.HiddenInput)
    create_missing = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations


class PlsImportForm(forms.Form):
    file = forms.FileField(label="PLS file")
    mode = forms.ChoiceField(
        choices=[
            ("replace", "replace: the file becomes the content"),
            ("merge", "merge: add or update rules by match"),
        ],
    )
    on_conflict = forms.ChoiceField(
        required=False,
        initial="first",
        label="Case variants that differ",
        choices=[
            ("first", "keep the first in the file and report the others"),
            ("refuse", "refuse the file"),
        ],
        help_text="SLNG matches case-insensitively: 'Pozde' and 'pozde' are one rule.",
    )
    dry_run = forms.BooleanField(required=False, initial=True, label="Dry run (write nothing)")

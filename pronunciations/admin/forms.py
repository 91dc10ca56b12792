"""Admin forms: the dictionary form (metadata as fields, the rules editor) and the import forms.

Everything is checked by pronunciations.validation; pronunciations.admin.wording words what it
found for a linguist, on the field or rule row it concerns.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput, JSONString
from import_export.forms import ConfirmImportForm, ImportForm

from orgs.models import Organization
from pronunciations import validation
from pronunciations.admin import wording
from pronunciations.admin.checks import posted_rows, problems_of, to_checks
from pronunciations.admin.editor import RulesEditor, from_wire
from pronunciations.content import current_wire, without_disabled
from pronunciations.models import Dictionary
from pronunciations.validation import COMMENT_MAX_LENGTH
from pronunciations.validation.language import LANGUAGE_TAG_MAX_LENGTH


class BoundedJSONField(forms.JSONField):
    """Django's JSONField parsed by validation.parse_json: depth-bounded, never RecursionError.

    A bound form shows back exactly the text that was typed, so a refused value (too deep, or
    with characters that cannot be stored) is never serialized again to render the page. A
    refusal is worded plainly, the place of a syntax error marked in an excerpt.
    """

    def to_python(self, value: Any) -> Any:
        if self.disabled or not isinstance(value, str) or value in self.empty_values:
            return super().to_python(value)
        try:
            converted = validation.parse_json(value, field="metadata")
        except ValidationError as exc:
            [error] = exc.error_dict["metadata"]
            if error.code == "malformed":
                raise ValidationError(wording.json_error(error, value), code="invalid") from None
            raise ValidationError(
                wording.metadata_error(error, "metadata"), code="invalid"
            ) from None
        return JSONString(converted) if isinstance(converted, str) else converted

    def bound_data(self, data: Any, initial: Any) -> Any:
        if self.disabled or not isinstance(data, str):
            return super().bound_data(data, initial)
        return InvalidJSONInput(data)


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_text_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


# Metadata keys with a field of their own, and the shape a stored value needs to be shown in
# it; any other value (or key) stays in the "Other metadata" JSON box.
METADATA_FIELDS = {"language": _is_text, "use_case": _is_text, "providers": _is_text_list}


class DictionaryForm(forms.ModelForm):
    """Name, metadata (language, use case, providers, and JSON for anything else), the rules
    editor's rows (``self.rules``), and the ETag the editor loaded (to refuse overwriting
    newer work)."""

    language = forms.CharField(
        required=False,
        max_length=LANGUAGE_TAG_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"list": "language-tags", "autocomplete": "off", "placeholder": "en-US"}
        ),
        help_text="Type to search, e.g. en-US, hi-IN or pt-BR (a BCP 47 language tag).",
    )
    use_case = forms.CharField(
        required=False,
        max_length=200,
        label="Use case",
        help_text="What these rules are for, e.g. support or marketing.",
    )
    providers = forms.CharField(
        required=False,
        max_length=1000,
        help_text="TTS providers these rules are tuned for, separated by commas, e.g. sarvam, "
        "cartesia.",
    )
    etag = forms.CharField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="What you changed and why: saved with the revision, shown in the history and "
        "to the reviewer.",
    )

    class Meta:
        model = Dictionary
        fields = ["organization", "name", "metadata"]
        field_classes = {"metadata": BoundedJSONField}
        labels = {"metadata": "Other metadata (JSON)"}
        widgets = {"metadata": forms.Textarea(attrs={"rows": 3, "cols": 60})}
        help_texts = {
            "metadata": 'Anything else, as a JSON object, e.g. {"team": "support"}. '
            "Leave it empty for nothing else."
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["etag"].initial = self.instance.etag
        self._split_metadata(self.instance.metadata or {})
        if self.is_bound:
            self.rules = RulesEditor.from_post(self.data)
        elif self.instance.pk:
            # Disabled rules stay out of the editor (the layers panel shows them): a save keeps
            # them, and never switches one back on by accident.
            self.rules = RulesEditor(from_wire(without_disabled(current_wire(self.instance))))
            self.rules.check(organization_id=self.instance.organization_id)
        else:
            self.rules = RulesEditor({})

    def _split_metadata(self, metadata: dict[str, Any]) -> None:
        other = dict(metadata)
        for key, fits in METADATA_FIELDS.items():
            if key in other and fits(other[key]):
                value = other.pop(key)
                self.initial[key] = ", ".join(value) if isinstance(value, list) else value
        # An empty box for no other metadata (JSON's null would show as "null").
        self.initial["metadata"] = other or InvalidJSONInput("")

    def clean_name(self) -> str:
        name = self.cleaned_data.get("name")
        if problems := validation.name_errors(name):
            raise ValidationError(problems)
        return str(name)

    def clean_language(self) -> str:
        language = str(self.cleaned_data.get("language") or "").strip()
        if language and validation.language_tag_problems(language):
            raise ValidationError(
                f"{wording.quoted(language)} is not a language tag: pick one from the list, or "
                "type one like en-US or hi-IN."
            )
        return language

    def clean_use_case(self) -> str:
        return str(self.cleaned_data.get("use_case") or "").strip()

    def clean_comment(self) -> str:
        try:
            return validation.validate_comment(self.cleaned_data.get("comment") or "")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["comment"]) from None

    def clean_providers(self) -> list[str]:
        text = str(self.cleaned_data.get("providers") or "")
        return [part.strip() for part in text.split(",") if part.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        submitted = cleaned.get("etag")
        if self.instance.pk and submitted and submitted != self.instance.etag:
            raise ValidationError(
                "Someone else saved this dictionary after you opened it (now revision "
                f"{self.instance.revision}). Reload the page to see their change, then redo yours."
            )
        if "metadata" in cleaned:
            cleaned["metadata"] = self._metadata(cleaned)
        organization = self.instance.organization_id or getattr(
            cleaned.get("organization"), "pk", None
        )
        if not self.rules.check(organization_id=organization):
            count = self.rules.count("error")
            if count == 1:
                self.add_error(None, "1 rule needs fixing: see the row marked in red.")
            elif count:
                self.add_error(None, f"{count} rules need fixing: see the rows marked in red.")
            for problem in self.rules.general:
                self.add_error(None, problem)
        self._checks(cleaned)
        return cleaned

    def _checks(self, cleaned: dict[str, Any]) -> None:
        """The checks editor's rows (``cleaned["checks"]``, absent when the editor was not on
        the page), each problem worded on the form."""
        rows = posted_rows(self.data)
        if rows is None:
            return
        problems, general = problems_of(rows)
        if problems:
            count = len(problems)
            self.add_error(
                None,
                f"{count} check{' needs' if count == 1 else 's need'} fixing: see the "
                f"check{'' if count == 1 else 's'} marked in red.",
            )
        for problem in general:
            self.add_error(None, problem)
        cleaned["checks"] = to_checks(rows)

    def _metadata(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        """The fields and the JSON box as one metadata object, checked by validation."""
        other = cleaned.get("metadata")
        if other is None:
            other = {}
        if not isinstance(other, dict):
            self.add_error("metadata", wording.metadata_error(_not_object(), "metadata"))
            return {}
        metadata: dict[str, Any] = {}
        for key in METADATA_FIELDS:
            value = cleaned.get(key)
            if value and key in other:
                label = str(self.fields[key].label or key.capitalize())
                self.add_error(
                    "metadata",
                    f"{wording.quoted(key)} is set both here and in the {label} field: keep one.",
                )
            elif value:
                metadata[key] = value
        metadata |= other
        problems: validation.Problems = {}
        validation.clean_metadata(metadata, problems)
        for path, errors in problems.items():
            key = path.removeprefix("metadata.").split(".")[0].split("[")[0]
            where = key if key in METADATA_FIELDS and key not in other else "metadata"
            for error in errors:
                self.add_error(where, wording.metadata_error(error, path))
        return metadata


def _not_object() -> ValidationError:
    return ValidationError("must be an object", code="not_object")


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

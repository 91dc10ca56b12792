"""The transfer benchmark's baseline: a plain django-import-export ModelResource for rules,
as a project without Lexicon's import would write it. Imported after Django is set up."""

from typing import Any

from import_export.fields import Field
from import_export.resources import ModelResource
from import_export.widgets import ForeignKeyWidget

from orgs.models import Organization
from pronunciations.models import Dictionary, Rule
from pronunciations.validation import match_key


def rule_resource(organization: Organization) -> Any:
    """A plain ModelResource for Rule. Only the dictionary lookup is scoped to the organization:
    every organization here has dictionaries of the same names, so ``name`` alone is ambiguous."""

    class ScopedDictionaryWidget(ForeignKeyWidget):
        def get_queryset(self, value: object, row: object, *args: Any, **kwargs: Any) -> Any:
            return Dictionary.objects.filter(organization=organization)

    class RuleResource(ModelResource):
        dictionary = Field(
            attribute="dictionary",
            column_name="dictionary",
            widget=ScopedDictionaryWidget(Dictionary, field="name"),
        )
        value = Field(attribute="value", column_name="replace")

        class Meta:
            model = Rule
            fields = ("id", "dictionary", "mode", "match", "value", "position")

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            instance.key = match_key(instance.match)  # the column the rule's constraint is on

    return RuleResource()

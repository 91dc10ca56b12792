"""The django-import-export resource goes through the same import service and layout."""

import pytest
from import_export.formats.base_formats import CSV

from orgs.models import Organization
from pronunciations.models import Dictionary
from pronunciations.transfer.resource import DictionaryRulesResource
from tests.factories import make_dictionary

pytestmark = pytest.mark.django_db


def test_resource_export_re_imports_unchanged_into_another_org(
    organization: Organization, other_organization: Organization
) -> None:
    make_dictionary(
        organization,
        "brand",
        metadata={"language": "en-US"},
        modes={"rewrite": {"rules": [{"match": "=x", "replace": "@y"}]}},
    )
    exported = CSV().export_data(DictionaryRulesResource(organization=organization).export())

    resource = DictionaryRulesResource(organization=other_organization, mode="replace")
    result = resource.import_data(CSV().create_dataset(exported), dry_run=False)

    assert not result.has_errors()
    assert result.totals["new"] == 1
    copy = Dictionary.objects.get(organization=other_organization)
    original = Dictionary.objects.get(organization=organization)
    assert (copy.content_hash, copy.metadata) == (original.content_hash, original.metadata)


def test_resource_import_errors_name_rows_and_write_nothing(organization: Organization) -> None:
    dataset = CSV().create_dataset("dictionary,mode,match,replace\nd,rewrite,,x\n")

    result = DictionaryRulesResource(organization=organization).import_data(dataset)

    assert result.has_errors()
    [row] = result.rows
    assert [error.error for error in row.errors] == [
        "row 2, match: must not be empty or whitespace only"
    ]
    assert not Dictionary.objects.exists()

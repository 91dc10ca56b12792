"""Issue 12: every import report carries a rule-level plan of each dictionary (the wire contract
for ``lexicon plan``): create, change or unchanged, with the rules added, changed and removed."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations import services
from pronunciations.models import Dictionary, Revision
from pronunciations.transfer import import_file

pytestmark = pytest.mark.django_db

IMPORT = "/v1/pronunciation/import"
HEADER = "dictionary,mode,match,replace,ipa\n"


@pytest.fixture
def stored(organization: Organization) -> Dictionary:
    return services.dictionary_create(
        organization=organization,
        name="Brand",
        modes={
            "rewrite": {
                "rules": [{"match": "one", "replace": "1"}, {"match": "two", "replace": "2"}]
            },
            "ipa": {"rules": [{"match": "tomato", "ipa": "təˈmɑːtəʊ"}]},
        },
        metadata={"team": "a"},
    )


def _import(organization: Organization, data: str, **options: Any) -> dict[str, Any]:
    report = import_file(
        organization=organization,
        data=data.encode(),
        file_format="csv",
        mode=options.pop("mode", "replace"),
        create_missing=True,
        **options,
    )
    return report.to_wire()


def test_a_change_lists_each_added_changed_and_removed_rule(
    organization: Organization, stored: Dictionary
) -> None:
    data = HEADER + "brand,rewrite,three,3,\nbrand,rewrite,one,uno,\nbrand,ipa,tomato,,təˈmɑːtəʊ\n"

    report = _import(organization, data, dry_run=True)

    assert report["plan"] == [
        {
            "dictionary": "Brand",
            "action": "change",
            "rules": {
                "added": [{"mode": "rewrite", "match": "three", "value": "3"}],
                "changed": [{"mode": "rewrite", "match": "one", "from": "1", "to": "uno"}],
                "removed": [{"mode": "rewrite", "match": "two", "value": "2"}],
            },
            "metadata_changed": False,
        }
    ]
    assert report["rules"] == {"added": 1, "changed": 1, "removed": 1}


def test_unchanged_and_created_dictionaries_ordered_by_name(
    organization: Organization, stored: Dictionary
) -> None:
    data = (
        HEADER
        + "zeta,rewrite,z,zed,\n"
        + "brand,rewrite,one,1,\nbrand,rewrite,two,2,\nbrand,ipa,tomato,,təˈmɑːtəʊ\n"
        + "alpha,ipa,a,,eɪ\n"
    )

    report = _import(organization, data)

    assert [(e["dictionary"], e["action"]) for e in report["plan"]] == [
        ("alpha", "create"),
        ("Brand", "unchanged"),
        ("zeta", "create"),
    ]
    unchanged = report["plan"][1]
    assert unchanged["rules"] == {"added": [], "changed": [], "removed": []}
    assert report["plan"][0]["rules"]["added"] == [{"mode": "ipa", "match": "a", "value": "eɪ"}]
    assert Revision.objects.filter(dictionary=stored).count() == 1


def test_a_reordering_alone_is_a_change_with_empty_lists(
    organization: Organization, stored: Dictionary
) -> None:
    data = HEADER + "brand,rewrite,two,2,\nbrand,rewrite,one,1,\nbrand,ipa,tomato,,təˈmɑːtəʊ\n"

    report = _import(organization, data)

    assert report["plan"] == [
        {
            "dictionary": "Brand",
            "action": "change",
            "rules": {"added": [], "changed": [], "removed": []},
            "metadata_changed": False,
            "reordered": True,
        }
    ]
    assert report["dictionaries"]["changed"] == ["Brand"]


def test_metadata_alone_is_a_change(organization: Organization, stored: Dictionary) -> None:
    data = (
        "dictionary,mode,match,replace,ipa,metadata.team\n"
        "brand,rewrite,one,1,,b\nbrand,rewrite,two,2,,b\nbrand,ipa,tomato,,təˈmɑːtəʊ,b\n"
    )

    entry = _import(organization, data)["plan"][0]

    assert (entry["action"], entry["metadata_changed"]) == ("change", True)
    assert entry["rules"] == {"added": [], "changed": [], "removed": []}


@override_settings(LEXICON_MAX_REPORT_ITEMS=3)
def test_rule_entries_are_bounded_across_the_plan(organization: Organization) -> None:
    data = HEADER + "".join(f"{name},rewrite,w{i},v{i},\n" for name in "ab" for i in range(2))

    report = _import(organization, data)

    assert [len(e["rules"]["added"]) for e in report["plan"]] == [2, 1]
    assert [e["action"] for e in report["plan"]] == ["create", "create"]
    assert report["plan_rules_not_listed"] == 1
    assert report["rules"]["added"] == 4


def test_the_api_report_carries_the_plan(api: APIClient, stored: Dictionary) -> None:
    upload = SimpleUploadedFile("x.csv", (HEADER + "brand,rewrite,four,4,\n").encode())

    response = api.post(IMPORT, {"file": upload}, format="multipart")

    assert response.status_code == 200, response.content
    assert response.json()["plan"] == [
        {
            "dictionary": "Brand",
            "action": "change",
            "rules": {
                "added": [{"mode": "rewrite", "match": "four", "value": "4"}],
                "changed": [],
                "removed": [],
            },
            "metadata_changed": False,
        }
    ]


@override_settings(LEXICON_MAX_REPORT_ITEMS=3)
def test_the_bound_follows_the_plan_order_not_the_file_order(organization: Organization) -> None:
    data = HEADER + "".join(f"{name},rewrite,w{i},v{i},\n" for name in "ba" for i in range(2))

    report = _import(organization, data)

    assert [(e["dictionary"], len(e["rules"]["added"])) for e in report["plan"]] == [
        ("a", 2),
        ("b", 1),
    ]
    assert report["dictionaries"]["created"] == ["b", "a"]  # the name lists keep file order
    assert report["plan_rules_not_listed"] == 1

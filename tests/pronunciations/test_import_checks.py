"""Checks in import and export: rows with mode ``check``, round trips in every tabular format,
their place in the plan, and PLS, which cannot carry them."""

import csv
import io
import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations import services
from pronunciations.models import Dictionary, Revision
from tests.factories import make_dictionary
from tests.pronunciations.test_import_export import _import

URL = "/v1/pronunciation/dictionaries"
IMPORT = "/v1/pronunciation/import"
RULES = {"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}}
CHECKS = [
    {"text": "SLNG rocks", "expect": "slang rocks"},
    {"text": '=SUM, "SLNG"\nline two', "expect": '=SUM, "slang"\nline two', "note": "-tricky"},
    {"text": "Hello", "expect": "Hello"},
    {"text": "hello", "expect": "hello", "note": "differs only by case"},
]
# Formula escaping applies to check cells like any other (see the README's tabular layout).
TRICKY_CELLS = ['\'=SUM, "SLNG"\nline two', '\'=SUM, "slang"\nline two', "", "1", "'-tricky"]
HEADER = "dictionary,mode,match,replace,ipa,position,note\n"

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand(organization: Organization) -> Dictionary:
    make_dictionary(organization, "plain", modes=RULES)
    return make_dictionary(organization, "brand", modes=RULES, checks=CHECKS)


def _export(api: APIClient, file_format: str, path: str = "/v1/pronunciation/export") -> bytes:
    response: Any = api.get(f"{path}?format={file_format}")
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _checks(api: APIClient, name: str = "brand") -> list[dict[str, str]]:
    return list(api.get(f"{URL}/{name}/checks").json()["checks"])


def test_checks_are_exported_as_check_rows_after_the_rules(
    api: APIClient, brand: Dictionary
) -> None:
    text = _export(api, "csv").decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["dictionary", "mode", "match", "replace", "ipa", "position", "note"],
        ["brand", "rewrite", "SLNG", "slang", "", "0", ""],
        ["brand", "check", "SLNG rocks", "slang rocks", "", "0", ""],
        [
            "brand",
            "check",
            '\'=SUM, "SLNG"\nline two',
            '\'=SUM, "slang"\nline two',
            "",
            "1",
            "'-tricky",
        ],
        ["brand", "check", "Hello", "Hello", "", "2", ""],
        ["brand", "check", "hello", "hello", "", "3", "differs only by case"],
        ["plain", "rewrite", "SLNG", "slang", "", "0", ""],
    ]


def test_an_export_without_checks_has_no_note_column(api: APIClient, brand: Dictionary) -> None:
    services.dictionary_update(
        organization=brand.organization, name="brand", partial=True, checks=[]
    )

    header = _export(api, "csv").decode("utf-8-sig").splitlines()[0]

    assert header == "dictionary,mode,match,replace,ipa,position"


@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
def test_an_export_re_imported_with_replace_changes_nothing(
    api: APIClient, brand: Dictionary, file_format: str
) -> None:
    response = _import(api, _export(api, file_format), f"x.{file_format}", mode="replace")

    assert response.status_code == 200
    report = response.json()
    assert report["dictionaries"]["unchanged"] == ["brand", "plain"]
    assert report["checks"] == {"added": 0, "changed": 0, "removed": 0}
    assert Revision.objects.filter(source="import").count() == 0


@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
def test_an_export_restores_the_checks_into_an_empty_organization(
    api: APIClient, other_api: APIClient, brand: Dictionary, file_format: str
) -> None:
    data = _export(api, file_format)

    response = _import(other_api, data, f"x.{file_format}", mode="replace", create_missing="true")

    assert response.status_code == 200
    assert _checks(other_api) == CHECKS
    assert other_api.get(f"{URL}/brand/checks").json()["failed"] == 0
    assert _checks(other_api, "plain") == []
    revision = Revision.objects.get(
        dictionary__organization__slug="globex", dictionary__name="brand"
    )
    assert (revision.source, len(revision.check_results)) == ("import", 4)


def test_the_one_dictionary_json_export_carries_its_checks(
    api: APIClient, brand: Dictionary
) -> None:
    rows = json.loads(_export(api, "json", f"{URL}/brand/export"))

    assert [row for row in rows if row["mode"] == "check"][-1] == {
        "dictionary": "brand",
        "mode": "check",
        "match": "hello",
        "replace": "hello",
        "position": 3,
        "note": "differs only by case",
    }


def test_merge_updates_checks_by_exact_text_and_keeps_the_others(
    api: APIClient, brand: Dictionary
) -> None:
    data = (
        HEADER
        + "brand,check,Hello,Hello!,,,now with a bang\n"
        + "brand,check,SLNG is new,slang is new,,,\n"
    ).encode()

    response = _import(api, data)

    assert response.status_code == 200
    assert _checks(api) == [
        CHECKS[0],
        CHECKS[1],
        {"text": "Hello", "expect": "Hello!", "note": "now with a bang"},
        CHECKS[3],
        {"text": "SLNG is new", "expect": "slang is new"},
    ]
    [entry] = [e for e in response.json()["plan"] if e["dictionary"] == "brand"]
    assert entry["action"] == "change"
    assert entry["checks"] == {
        "added": [{"text": "SLNG is new", "expect": "slang is new"}],
        "changed": [
            {
                "text": "Hello",
                "from": CHECKS[2],
                "to": {"text": "Hello", "expect": "Hello!", "note": "now with a bang"},
            }
        ],
        "removed": [],
    }
    assert response.json()["checks"] == {"added": 1, "changed": 1, "removed": 0}
    assert api.get(f"{URL}/brand/checks").json()["failed"] == 1  # "Hello!" is not what it says


def test_replace_sets_exactly_the_files_checks_where_the_file_has_checks(
    api: APIClient, brand: Dictionary
) -> None:
    data = (
        HEADER
        + "brand,rewrite,SLNG,slang,,,\nbrand,check,SLNG,slang,,,\nplain,rewrite,SLNG,slang,,,\n"
    ).encode()

    response = _import(api, data, mode="replace", dry_run="true")

    [entry] = [e for e in response.json()["plan"] if e["dictionary"] == "brand"]
    assert entry["checks"]["removed"] == CHECKS
    assert entry["checks"]["added"] == [{"text": "SLNG", "expect": "slang"}]
    assert _checks(api) == CHECKS  # a dry run writes nothing
    _import(api, data, mode="replace")
    assert _checks(api) == [{"text": "SLNG", "expect": "slang"}]


def test_a_file_without_check_rows_keeps_every_dictionarys_checks(
    api: APIClient, brand: Dictionary
) -> None:
    data = b"dictionary,mode,match,replace\nbrand,rewrite,SLNG,S L N G\n"

    response = _import(api, data, mode="replace")

    assert response.status_code == 200
    assert "checks" not in response.json()
    assert "checks" not in response.json()["plan"][0]
    assert _checks(api) == CHECKS
    assert api.get(f"{URL}/brand/checks").json()["failed"] == 2  # run against the new rules


def test_a_change_of_checks_alone_is_a_change(api: APIClient, brand: Dictionary) -> None:
    data = (HEADER + "plain,rewrite,SLNG,slang,,,\nplain,check,SLNG,slang,,,\n").encode()

    response = _import(api, data, mode="replace")

    assert response.json()["dictionaries"]["changed"] == ["plain"]
    assert response.json()["rules"] == {"added": 0, "changed": 0, "removed": 0}
    assert _checks(api, "plain") == [{"text": "SLNG", "expect": "slang"}]


@pytest.mark.parametrize(
    ("rows", "errors"),
    [
        (
            "brand,check,a,b,,,\nbrand,check,a,c,,,\n",
            [{"row": 3, "column": "match", "message": "duplicates the text of the check in row 2"}],
        ),
        (
            "brand,check,a," + "b" * 1001 + ",,,\n",
            [{"row": 2, "column": "replace", "message": "must be at most 1000 characters"}],
        ),
        (
            "brand,check,,b,,,\n",
            [{"row": 2, "column": "match", "message": "must not be empty or whitespace only"}],
        ),
        (
            "brand,rewrite,x,y,,,a note\n",
            [{"row": 2, "column": "note", "message": "only a check row has a note"}],
        ),
        (
            "brand,check,a,,b,,\n",
            [{"row": 2, "column": "ipa", "message": "a check has no ipa"}],
        ),
    ],
)
def test_bad_check_rows_are_reported_by_row_and_column(
    api: APIClient, brand: Dictionary, rows: str, errors: list[dict[str, Any]]
) -> None:
    response = _import(api, (HEADER + rows).encode())

    assert response.status_code == 400
    assert response.json()["report"]["errors"] == errors
    assert _checks(api) == CHECKS


def test_too_many_checks_in_a_file_are_refused(api: APIClient, brand: Dictionary) -> None:
    rows = "".join(f"brand,check,t{i},e,,,\n" for i in range(257))

    response = _import(api, (HEADER + rows).encode(), mode="replace")

    assert response.status_code == 400
    assert response.json()["report"]["errors"] == [
        {"row": 2, "column": "mode", "message": "must have at most 256 checks, got 257"}
    ]


def test_pls_export_says_it_left_the_checks_out_and_pls_import_keeps_them(
    api: APIClient, brand: Dictionary
) -> None:
    pls = _export(api, "pls", f"{URL}/brand/export")

    assert b"<!-- 4 checks (test sentences) are not in this file" in pls
    assert b"SLNG rocks" not in pls
    response = _import(api, pls, "brand.pls", dictionary="brand", mode="replace")
    assert response.status_code == 200
    assert response.json()["dictionaries"]["unchanged"] == ["brand"]
    assert _checks(api) == CHECKS
    assert b"<!--" not in _export(api, "pls", f"{URL}/plain/export")


def test_the_plan_lists_the_checks_that_fail_against_the_new_content(
    api: APIClient, brand: Dictionary
) -> None:
    """Issue 27: a dry run says which checks the planned content fails (``lexicon plan`` fails
    on them), whether the file sets the checks or the dictionary keeps its own."""
    kept = b"dictionary,mode,match,replace\nbrand,rewrite,SLNG,S L N G\n"
    own = (HEADER + "plain,rewrite,SLNG,slang,,,\nplain,check,SLNG!,slang?,,,\n").encode()

    keeping = _import(api, kept, mode="replace", dry_run="true").json()["plan"]
    setting = _import(api, own, mode="replace", dry_run="true").json()["plan"]

    assert keeping[0]["checks_failed"] == [
        {"text": "SLNG rocks", "expect": "slang rocks", "got": "S L N G rocks", "passed": False},
        {
            "text": '=SUM, "SLNG"\nline two',
            "expect": '=SUM, "slang"\nline two',
            "got": '=SUM, "S L N G"\nline two',
            "passed": False,
        },
    ]
    assert setting[0] == {
        "dictionary": "plain",
        "action": "change",
        "rules": {"added": [], "changed": [], "removed": []},
        "metadata_changed": False,
        "checks": {
            "added": [{"text": "SLNG!", "expect": "slang?"}],
            "changed": [],
            "removed": [],
        },
        "checks_failed": [{"text": "SLNG!", "expect": "slang?", "got": "slang!", "passed": False}],
    }


def test_an_imports_comment_is_kept_with_each_revision_it_makes(
    api: APIClient, brand: Dictionary
) -> None:
    """Issue 27: ``lexicon apply --comment`` reaches the history."""
    data = b"dictionary,mode,match,replace\nbrand,rewrite,SLNG,slng\nnew,rewrite,QP,cue pee\n"

    response = _import(api, data, mode="merge", create_missing="true", comment="PR #12")

    assert response.status_code == 200, response.json()
    latest = Revision.objects.filter(dictionary__name__in=["brand", "new"]).order_by("-pk")[:2]
    assert sorted((r.dictionary.name, r.comment) for r in latest) == [
        ("brand", "PR #12"),
        ("new", "PR #12"),
    ]

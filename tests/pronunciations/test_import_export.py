"""Import and export through the API: exact round trips, row-level errors, all or nothing."""

import csv
import io
import json
import re
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.models import Dictionary, Revision, Rule
from pronunciations.signals import dictionaries_changed, dictionary_changed
from pronunciations.transfer.formats import CONTENT_TYPES
from tests.factories import make_dictionary

LIST = "/v1/pronunciation/dictionaries"
IMPORT = "/v1/pronunciation/import"
TRICKY = {
    "rewrite": {
        "rules": [
            {"match": "=SUM(A1)", "replace": 'line one\nline two, "quoted"'},
            {"match": "नमस्ते", "replace": "नमस्कार 🙏"},
            {"match": "@handle", "replace": "-minus +plus"},
            {"match": "'=quoted", "replace": "'plain"},
        ]
    },
    "ipa": {"rules": [{"match": "SLNG", "ipa": "slɪŋ"}]},
}
METADATA = {"language": "hi-IN", "count": 5, "digits": "123", "list": ["a", "b"], "empty": ""}

pytestmark = pytest.mark.django_db


@pytest.fixture
def tricky(organization: Organization) -> Dictionary:
    make_dictionary(organization, "empty", modes={"rewrite": {"rules": []}})
    return make_dictionary(organization, "brand", modes=TRICKY, metadata=METADATA)


def _export(api: APIClient, file_format: str, query: str = "") -> bytes:
    response: Any = api.get(f"/v1/pronunciation/export?format={file_format}{query}")
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _import(api: APIClient, data: bytes, name: str = "x.csv", **fields: Any) -> Any:
    upload = SimpleUploadedFile(name, data)
    return api.post(IMPORT, {"file": upload, **fields}, format="multipart")


def _contents(api: APIClient) -> list[dict[str, Any]]:
    return [
        {k: d[k] for k in ("name", "modes", "metadata", "content_hash")}
        for d in api.get(LIST).json()["dictionaries"]
    ]


@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
def test_an_export_re_imported_with_replace_changes_nothing(
    api: APIClient, tricky: Dictionary, file_format: str
) -> None:
    before = _contents(api)

    response = _import(api, _export(api, file_format), f"x.{file_format}", mode="replace")

    assert response.status_code == 200
    assert response.json()["dictionaries"] == {
        "created": [],
        "changed": [],
        "unchanged": ["brand", "empty"],
    }
    assert _contents(api) == before
    assert Revision.objects.filter(source="import").count() == 0


@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
def test_an_export_restores_everything_into_an_empty_organization(
    api: APIClient, other_api: APIClient, tricky: Dictionary, file_format: str
) -> None:
    before = _contents(api)

    response = _import(
        other_api,
        _export(api, file_format),
        f"x.{file_format}",
        mode="replace",
        create_missing="true",
    )

    assert response.json()["dictionaries"]["created"] == ["brand", "empty"]
    assert _contents(other_api) == before


def test_csv_export_escapes_formulas_and_keeps_everything_else(
    api: APIClient, tricky: Dictionary
) -> None:
    text = _export(api, "csv").decode("utf-8")

    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    brand = [row for row in rows if row["dictionary"] == "brand"]
    assert [row["match"] for row in brand] == ["'=SUM(A1)", "नमस्ते", "'@handle", "''=quoted", "SLNG"]
    assert brand[2]["replace"] == "'-minus +plus"
    assert brand[3]["replace"] == "'plain"
    assert brand[0]["replace"] == 'line one\nline two, "quoted"'
    assert (brand[0]["metadata.count"], brand[0]["metadata.digits"]) == ("5", '"123"')
    assert brand[0]["metadata.list"] == '["a","b"]'
    assert rows[-1] == {**{k: "" for k in rows[-1]}, "dictionary": "empty"}


def test_xlsx_export_holds_text_cells_never_formulas(api: APIClient, tricky: Dictionary) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(_export(api, "xlsx"))).active
    assert sheet is not None

    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]

    assert all(cell.data_type == "s" for cell in cells)
    assert "'=SUM(A1)" in [cell.value for cell in cells]


@pytest.mark.parametrize(
    ("path", "file_format", "filename"),
    [
        ("/v1/pronunciation/export", "csv", r"acme-dictionaries-\d{8}-\d{6}\.csv"),
        ("/v1/pronunciation/export", "xlsx", r"acme-dictionaries-\d{8}-\d{6}\.xlsx"),
        ("/v1/pronunciation/export", "json", r"acme-dictionaries-\d{8}-\d{6}\.json"),
        (f"{LIST}/brand/export", "csv", r"brand\.csv"),
        (f"{LIST}/brand/export", "xlsx", r"brand\.xlsx"),
        (f"{LIST}/brand/export", "json", r"brand\.json"),
        (f"{LIST}/brand/export", "pls", r"brand\.pls"),
    ],
)
def test_every_export_is_an_attachment(
    api: APIClient, tricky: Dictionary, path: str, file_format: str, filename: str
) -> None:
    """Issue 16 item 4: XLSX answered ``inline`` while CSV and JSON were attachments."""
    response = api.get(f"{path}?format={file_format}")

    assert response.status_code == 200
    assert re.fullmatch(f'attachment; filename="{filename}"', response["Content-Disposition"])
    assert response["Content-Type"] == CONTENT_TYPES[file_format]


def test_json_export_rows_carry_typed_values(api: APIClient, tricky: Dictionary) -> None:
    """Issue 16 item 4: ``"position": "0"`` was a string, metadata numbers JSON text."""
    rows = json.loads(_export(api, "json"))

    brand = [row for row in rows if row["dictionary"] == "brand"]
    assert brand[0] == {
        "dictionary": "brand",
        "mode": "rewrite",
        "match": "=SUM(A1)",
        "replace": 'line one\nline two, "quoted"',
        "position": 0,
        "metadata.count": 5,
        "metadata.digits": "123",
        "metadata.empty": "",
        "metadata.language": "hi-IN",
        "metadata.list": ["a", "b"],
    }
    assert [row["position"] for row in brand] == [0, 1, 2, 3, 0]
    assert brand[-1] == {
        "dictionary": "brand",
        "mode": "ipa",
        "match": "SLNG",
        "ipa": "slɪŋ",
        "position": 0,
    }
    assert rows[-1] == {"dictionary": "empty"}


def test_json_import_takes_metadata_values_as_typed(
    api: APIClient, organization: Organization
) -> None:
    """A string stays text (``"1"`` is not the number 1), null is a value, an absent key none."""
    rows = [
        {
            "dictionary": "d",
            "mode": "rewrite",
            "match": "a",
            "replace": "b",
            "position": 0,
            "metadata.n": 1,
            "metadata.s": "1",
            "metadata.none": None,
            "metadata.off": False,
        },
        {"dictionary": "d", "mode": "rewrite", "match": "c", "replace": "d", "position": "1"},
    ]

    response = _import(api, json.dumps(rows).encode(), "d.json", create_missing="true")

    assert response.status_code == 200, response.json()
    body = api.get(f"{LIST}/d").json()
    assert body["metadata"] == {"n": 1, "s": "1", "none": None, "off": False}
    assert [rule["match"] for rule in body["modes"]["rewrite"]["rules"]] == ["a", "c"]


@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
def test_null_false_and_zero_metadata_round_trip(
    api: APIClient, organization: Organization, file_format: str
) -> None:
    make_dictionary(organization, "odd", metadata={"none": None, "off": False, "zero": 0})
    before = _contents(api)

    response = _import(api, _export(api, file_format), f"x.{file_format}", mode="replace")

    assert response.json()["dictionaries"]["unchanged"] == ["odd"]
    assert _contents(api) == before


def test_export_of_chosen_names_and_of_a_missing_name(api: APIClient, tricky: Dictionary) -> None:
    rows = list(csv.DictReader(io.StringIO(_export(api, "csv", "&names=EMPTY").decode()[1:])))

    assert [row["dictionary"] for row in rows] == ["empty"]
    assert api.get("/v1/pronunciation/export?names=nope").status_code == 404


def test_dry_run_reports_and_writes_nothing(api: APIClient, tricky: Dictionary) -> None:
    data = "dictionary,mode,match,replace\nbrand,rewrite,NAIC,en ay\nnew,rewrite,B2B,bee\n"

    response = _import(api, data.encode(), dry_run="true", create_missing="true")

    assert response.json() == {
        "dry_run": True,
        "mode": "merge",
        "dictionaries": {"created": ["new"], "changed": ["brand"], "unchanged": []},
        "rules": {"added": 2, "changed": 0, "removed": 0},
        "errors": [],
        "warnings": [],
        "plan": [
            {
                "dictionary": "brand",
                "action": "change",
                "rules": {
                    "added": [{"mode": "rewrite", "match": "NAIC", "value": "en ay"}],
                    "changed": [],
                    "removed": [],
                },
                "metadata_changed": False,
            },
            {
                "dictionary": "new",
                "action": "create",
                "rules": {
                    "added": [{"mode": "rewrite", "match": "B2B", "value": "bee"}],
                    "changed": [],
                    "removed": [],
                },
                "metadata_changed": False,
            },
        ],
    }
    assert not Dictionary.objects.filter(name="new").exists()
    assert Rule.objects.filter(match="NAIC").count() == 0


def test_merge_adds_and_updates_rules_by_match_and_keeps_the_rest(
    api: APIClient, tricky: Dictionary
) -> None:
    data = (
        "dictionary,mode,match,replace,metadata.use\nbrand,rewrite,NAMASTE,hi,support\n"
        "brand,rewrite,@HANDLE,at handle,\n"
    )

    report = _import(api, data.encode()).json()

    assert report["rules"] == {"added": 1, "changed": 1, "removed": 0}
    body = api.get(f"{LIST}/brand").json()
    rules = body["modes"]["rewrite"]["rules"]
    assert [r["match"] for r in rules] == ["=SUM(A1)", "नमस्ते", "@HANDLE", "'=quoted", "NAMASTE"]
    assert body["modes"]["ipa"] == TRICKY["ipa"]
    assert body["metadata"] == {**METADATA, "use": "support"}


def test_replace_makes_the_file_the_content_and_keeps_metadata_without_its_columns(
    api: APIClient, tricky: Dictionary
) -> None:
    data = "dictionary,mode,match,replace\nbrand,rewrite,SLNG,slang\n"

    report = _import(api, data.encode(), mode="replace").json()

    assert report["rules"] == {"added": 1, "changed": 0, "removed": 5}
    body = api.get(f"{LIST}/brand").json()
    assert body["modes"] == {"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}}
    assert body["metadata"] == METADATA


def test_position_orders_rules_within_a_mode(api: APIClient, organization: Organization) -> None:
    data = "dictionary,mode,match,replace,position\nd,rewrite,b,B,1\nd,rewrite,a,A,0\n"

    _import(api, data.encode(), create_missing="true")

    assert [r["match"] for r in api.get(f"{LIST}/d").json()["modes"]["rewrite"]["rules"]] == [
        "a",
        "b",
    ]


def test_one_revision_and_one_change_announcement_for_all_changed_dictionaries(
    api: APIClient, tricky: Dictionary, django_capture_on_commit_callbacks: Any
) -> None:
    """Issue 28: an import announces all its changes in one ``dictionaries_changed``."""
    single: list[int] = []
    received: list[tuple[int, str]] = []

    def one(dictionary_id: int, **_: Any) -> None:
        single.append(dictionary_id)

    def many(changes: tuple[tuple[int, str], ...], **_: Any) -> None:
        received.extend(changes)

    dictionary_changed.connect(one)
    dictionaries_changed.connect(many)
    data = "dictionary,mode,match,replace\n" + "".join(
        f"brand,rewrite,w{i},r{i}\nnew,rewrite,w{i},r{i}\n" for i in range(50)
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _import(api, data.encode(), create_missing="true")
    finally:
        dictionary_changed.disconnect(one)
        dictionaries_changed.disconnect(many)

    new = Dictionary.objects.get(name="new")
    assert single == []
    assert sorted(received) == sorted([(tricky.pk, "updated"), (new.pk, "created")])
    assert list(
        Revision.objects.filter(source="import").values_list("number", flat=True).order_by("number")
    ) == [1, 2]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            b"dictionary,mode,match\n",
            [(1, "replace", "a 'replace' or an 'ipa' column is required")],
        ),
        (b"dictionary,mode,match,replace,colour\n", [(1, "colour", "unknown column 'colour'")]),
        (
            b"dictionary,mode,match,replace\nbrand,ssml,a,b\n,rewrite,a,b\n",
            [
                (2, "mode", "mode must be rewrite, ipa or check, got 'ssml'"),
                (3, "dictionary", "the dictionary name is empty"),
            ],
        ),
        (
            b"dictionary,mode,match,replace,position\nbrand,rewrite,a,b,first\n",
            [(2, "position", "position must be a whole number")],
        ),
        (
            b"dictionary,mode,match,replace,ipa\nbrand,rewrite,a,b,x\n",
            [(2, "ipa", "a rewrite rule has no ipa")],
        ),
        (
            b"dictionary,mode,match,replace\nbrand,rewrite,ok,fine\nbrand,rewrite,"
            + b"m" * 129
            + b",r\nbrand,rewrite,OK,again\n",
            [
                (3, "match", "must be at most 128 characters"),
                (4, "match", "duplicates the match of row 2 (matches compare case-insensitively)"),
            ],
        ),
        (
            b"dictionary,mode,match,replace\nghost,rewrite,a,b\n",
            [(2, "dictionary", "no dictionary named 'ghost' (set create_missing to create it)")],
        ),
        (
            b"dictionary,mode,match,replace,metadata.lang\nbrand,rewrite,a,b,en\n"
            b"brand,rewrite,c,d,fr\n",
            [(3, "metadata.lang", "metadata 'lang' differs from an earlier row of brand")],
        ),
        (
            # The name is checked before it is looked up (issue 11).
            b"dictionary,mode,match,replace\nbad name!,rewrite,a,b\n",
            [(2, "dictionary", "may contain only letters, digits, '.', '_' and '-'")],
        ),
    ],
)
def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(
    api: APIClient, tricky: Dictionary, data: bytes, errors: list[tuple[int, str, str]]
) -> None:
    before = _contents(api)

    response = _import(api, data)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_pronunciation"
    assert [(e["row"], e["column"], e["message"]) for e in body["report"]["errors"]] == errors
    assert body["fieldErrors"][f"rows[{errors[0][0]}].{errors[0][1]}"] == [errors[0][2]]
    assert _contents(api) == before


def test_an_invalid_name_is_reported_when_creating(
    api: APIClient, organization: Organization
) -> None:
    response = _import(
        api, b"dictionary,mode,match,replace\nbad name!,rewrite,a,b\n", create_missing="true"
    )

    assert response.json()["report"]["errors"] == [
        {
            "row": 2,
            "column": "dictionary",
            "message": "may contain only letters, digits, '.', '_' and '-'",
        }
    ]


def test_a_failure_in_the_middle_of_a_large_file_writes_nothing(
    api: APIClient, organization: Organization
) -> None:
    lines = ["dictionary,mode,match,replace"]
    for d in range(200):
        lines += [f"dict-{d},rewrite,word{r},say {r}" for r in range(20)]
    lines[2000] = "dict-99,rewrite,,empty match"
    data = ("\n".join(lines) + "\n").encode()

    response = _import(api, data, create_missing="true")

    assert response.status_code == 400
    assert response.json()["report"]["errors"] == [
        {"row": 2001, "column": "match", "message": "must not be empty or whitespace only"}
    ]
    assert not Dictionary.objects.exists()
    assert not Rule.objects.exists()


def test_an_import_into_one_org_never_touches_another(
    api: APIClient, other_api: APIClient, other_organization: Organization
) -> None:
    make_dictionary(other_organization, "brand")
    theirs = _contents(other_api)

    _import(
        api,
        b"dictionary,mode,match,replace\nbrand,rewrite,x,y\n",
        create_missing="true",
        mode="replace",
    )

    assert _contents(other_api) == theirs
    assert Dictionary.objects.filter(name="brand").count() == 2


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_with_or_without_bom_is_accepted(
    api: APIClient, organization: Organization, bom: bytes
) -> None:
    data = bom + "dictionary,mode,match,replace\nd,rewrite,café,ka fay\n".encode()

    assert _import(api, data, create_missing="true").status_code == 200
    assert api.get(f"{LIST}/d").json()["modes"]["rewrite"]["rules"][0]["match"] == "café"


def test_other_encodings_are_refused_clearly(api: APIClient, organization: Organization) -> None:
    data = "dictionary,mode,match,replace\nd,rewrite,café,ka fay\n".encode("latin-1")

    response = _import(api, data, create_missing="true")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {
        "file": ["the file is not UTF-8 (byte 0xe9 at offset 43); save it as UTF-8 and try again"]
    }


@pytest.mark.parametrize(
    ("fields", "name", "message"),
    [
        ({}, "x.txt", {"format": ["format must be one of csv, xlsx, json, pls"]}),
        ({"mode": "overwrite"}, "x.csv", {"mode": ["mode must be replace or merge"]}),
        ({}, "x.json", {"file": ["a JSON import is an array of row objects"]}),
        ({}, "x.xlsx", None),
    ],
)
def test_bad_parameters_and_unreadable_files_are_refused(
    api: APIClient,
    organization: Organization,
    fields: dict[str, str],
    name: str,
    message: dict[str, list[str]] | None,
) -> None:
    response = _import(api, b'{"not": "rows"}', name, **fields)

    assert response.status_code == 400
    if message is not None:
        assert response.json()["fieldErrors"] == message
    else:
        assert response.json()["fieldErrors"]["file"][0].startswith("the file cannot be read")


def test_a_request_without_a_file_is_refused(api: APIClient, organization: Organization) -> None:
    response = api.post(IMPORT, {"mode": "merge"}, format="multipart")

    assert response.json()["fieldErrors"] == {"file": ["upload the file in the 'file' field"]}


def test_an_oversized_upload_gets_413(
    api: APIClient, organization: Organization, settings: Any
) -> None:
    settings.LEXICON_MAX_UPLOAD_BYTES = 100

    response = _import(api, b"dictionary,mode,match,replace\n" + b"d,rewrite,a,b\n" * 20)

    assert response.status_code == 413
    assert response.json()["error"] == "The file is too large: the limit is 100 bytes."


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            b"dictionary,mode,match,replace\nbrand,rewrite,OTP,\nbrand,rewrite,otp,one time\n",
            [
                (2, "replace", "must not be empty or whitespace only"),
                (3, "match", "duplicates the match of row 2 (matches compare case-insensitively)"),
            ],
        ),
        (
            b"dictionary,mode,match,ipa\nbrand,ipa,SLNG,\nbrand,ipa,slng,sl\xc9\xaa\xc5\x8b\n",
            [
                (2, "ipa", "must not be empty or whitespace only"),
                (3, "match", "duplicates the match of row 2 (matches compare case-insensitively)"),
            ],
        ),
        (
            b"dictionary,mode,match,replace\nbrand,check,Say OTP,\nbrand,check,Say OTP,x\n",
            [
                (2, "replace", "must not be empty or whitespace only"),
                (3, "match", "duplicates the text of the check in row 2"),
            ],
        ),
    ],
)
def test_a_later_duplicate_never_hides_an_earlier_rows_own_error(
    api: APIClient, tricky: Dictionary, data: bytes, errors: list[tuple[int, str, str]]
) -> None:
    """Issue 23: each row's own error is reported, whatever later rows do."""
    before = _contents(api)

    response = _import(api, data, mode="merge")

    assert response.status_code == 400
    found = [(e["row"], e["column"], e["message"]) for e in response.json()["report"]["errors"]]
    assert found == errors
    assert _contents(api) == before


LEADING_CONTROLS = {
    "rewrite": {
        "rules": [
            {"match": "tab", "replace": "\t=cmd|' /C calc'!A0"},
            {"match": "cr", "replace": "\r+1+1"},
            {"match": "lf", "replace": "\n@SUM(1)"},
            {"match": "plain", "replace": "\tjust a tab"},
        ]
    }
}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exports_escape_cells_starting_with_a_tab_cr_or_lf_and_round_trip(
    api: APIClient, other_api: APIClient, organization: Organization, file_format: str
) -> None:
    """Issue 22: a spreadsheet skips a leading tab, CR or LF and runs the formula after it."""
    make_dictionary(organization, "controls", modes=LEADING_CONTROLS)
    data = _export(api, file_format)
    if file_format == "csv":
        rows = csv.DictReader(io.StringIO(data.decode("utf-8").removeprefix("\ufeff")))
        replaces = [row["replace"] for row in rows]
    else:
        sheet: Any = openpyxl.load_workbook(io.BytesIO(data)).active
        header = [cell.value for cell in sheet[1]]
        replaces = [row[header.index("replace")] for row in sheet.iter_rows(2, values_only=True)]

    expected = ["'" + rule["replace"] for rule in LEADING_CONTROLS["rewrite"]["rules"]]
    if file_format == "xlsx":  # XML stores a CR as a line feed
        expected = [value.replace("\r", "\n") for value in expected]
    assert replaces == expected
    restored = _import(other_api, data, f"x.{file_format}", create_missing="true")
    assert restored.status_code == 200, restored.content
    if file_format == "csv":
        assert _contents(other_api) == _contents(api)

"""Issue 11: every import file is bounded before it is parsed, and hostile bytes get a clean 4xx.

The bombs are generated here (tests/pronunciations/bombs.py), never committed. The gunicorn
tests run the compose web command with production settings and one worker, and read that
worker's resident memory from /proc: a refused file may not raise its peak by 64 MiB.
"""

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from orgs.models import Organization
from orgs.services import api_key_create
from pronunciations import selectors
from pronunciations.models import Dictionary, ImportJob, Rule
from pronunciations.transfer import formats, reading, rows
from tests.factories import make_dictionary
from tests.processes import Gunicorn, production_env
from tests.pronunciations import bombs

IMPORT = "/v1/pronunciation/import"
WEB = ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application", "--bind", "x"]
MIB = 1024 * 1024
BOUND = 64 * MIB


def _import(api: APIClient, data: bytes, name: str = "x.csv", **fields: Any) -> Any:
    upload = SimpleUploadedFile(name, data)
    return api.post(IMPORT, {"file": upload, **fields}, format="multipart")


def _xlsx(path: Path, rows: list[list[str]]) -> bytes:
    """A small workbook with inline strings, written part by part."""
    body = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{text}</t></is></c>'
            for c, text in enumerate(row)
        )
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    return bombs.write_xlsx(path, [bombs.SHEET_START, body, bombs.SHEET_END]).read_bytes()


# -- in process: the readers' refusals -----------------------------------------------------


@pytest.mark.django_db
def test_json_import_refuses_values_of_the_wrong_type(
    api: APIClient, organization: Organization
) -> None:
    """Issue 11: "dictionary": 5 and "match": {"a": 1} were stored as their text."""
    rows = [
        {"dictionary": 5, "mode": "rewrite", "match": "a", "replace": "b"},
        {"dictionary": "d", "mode": "rewrite", "match": {"a": 1}, "replace": "b"},
        {"dictionary": "d", "mode": "rewrite", "match": "c", "replace": "d", "position": 1.5},
    ]

    response = _import(api, json.dumps(rows).encode(), "x.json", create_missing="true")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {
        "rows[1].dictionary": ["must be a string, got a number"],
        "rows[2].match": ["must be a string, got an object"],
        "rows[3].position": ["must be a whole number, got a number"],
    }
    assert not Dictionary.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name", "field", "message"),
    [
        (b"[" * 100_000, "x.json", "rows[1]", "is nested too deeply"),
        (
            json.dumps(
                [
                    {
                        "dictionary": "d",
                        "metadata.x": [
                            [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
                        ],
                    }
                ]
            ).encode(),
            "x.json",
            "rows[1]",
            "is nested too deeply",
        ),
        (
            b"dictionary,mode,match,replace,metadata.x\nd,,,," + b"[" * 5000 + b"\n",
            "x.csv",
            "rows[2].metadata.x",
            "is nested too deeply",
        ),
    ],
)
def test_deeply_nested_json_is_refused_with_its_place(
    api: APIClient, organization: Organization, data: bytes, name: str, field: str, message: str
) -> None:
    """Issue 11: a deep JSON import or metadata cell raised RecursionError (500)."""
    response = _import(api, data, name, create_missing="true")

    assert response.status_code == 400
    errors = response.json()["fieldErrors"]
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "column"),
    [("dict\x00ionary", "dict\\x00ionary"), ("metadata.\ud800", "metadata.\\ud800")],
)
def test_a_header_with_unstorable_characters_is_refused_by_name(
    api: APIClient, organization: Organization, header: str, column: str
) -> None:
    """Issue 11: NUL or a lone surrogate in a header reached the database and the report."""
    data = json.dumps([{header: "d", "mode": "rewrite", "match": "a", "replace": "b"}]).encode()

    response = _import(api, data, "x.json", create_missing="true")

    assert response.status_code == 400
    problem = response.json()["fieldErrors"][f"rows[1].{column}"][0]
    assert problem.startswith("the column name must not contain control characters")


@pytest.mark.django_db
def test_a_nul_in_a_csv_header_is_refused_and_a_nul_cell_does_not_crash_the_reader(
    api: APIClient, organization: Organization
) -> None:
    """Issue 11: NUL in CSV headers and cells (Python's csv reads them; nothing may crash)."""
    header = _import(api, b"dictionary,mo\x00de,match,replace\nd,rewrite,a,b\n", dry_run="true")
    cell = _import(api, b"dictionary,mode,match,replace\nd\x00,rewrite,a,b\n", dry_run="true")

    assert header.status_code == 400
    assert list(header.json()["fieldErrors"]) == ["rows[1].mo\\x00de"]
    assert cell.status_code == 400
    assert list(cell.json()["fieldErrors"]) == ["rows[2].dictionary"]


@pytest.mark.django_db
def test_invalid_utf8_past_the_first_chunk_names_its_offset(
    api: APIClient, organization: Organization
) -> None:
    """Issue 11: the CSV is decoded as a stream; the refusal still names the byte's offset."""
    rows = b"".join(b"d,rewrite,m%05d,r\n" % i for i in range(5000))
    data = b"\xef\xbb\xbfdictionary,mode,match,replace\n" + rows + b"d,rewrite,caf\xe9,r\n"

    response = _import(api, data, create_missing="true")

    assert response.status_code == 400
    offset = data.index(b"\xe9")
    assert response.json()["fieldErrors"] == {
        "file": [
            f"the file is not UTF-8 (byte 0xe9 at offset {offset}); save it as UTF-8 and try again"
        ]
    }


@pytest.mark.django_db
def test_a_superscript_position_is_a_row_error(api: APIClient, organization: Organization) -> None:
    """Issue 11: '²'.isdigit() is true and int('²') fails: it was a 500."""
    response = _import(api, "dictionary,mode,match,replace,position\nd,rewrite,a,b,²\n".encode())

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {
        "rows[2].position": ["position must be a whole number"]
    }


@pytest.mark.django_db
def test_xlsx_is_read_as_a_stream_with_inline_strings_and_gaps(
    api: APIClient, organization: Organization, tmp_path: Path
) -> None:
    """Issue 11: the streaming XLSX reader reads inline strings, leaves out-of-order gaps blank
    and keeps spreadsheet row numbers."""
    data = _xlsx(
        tmp_path / "x.xlsx",
        [["dictionary", "mode", "match", "replace"], ["d", "rewrite", "a", "b"]],
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace('<row r="2">', '<row r="5">').replace('r="A2"', 'r="A5"')
    sheet = sheet.replace(
        "</sheetData>",
        '<row r="7"><c r="A7" t="inlineStr"><is><t>d</t></is></c>'
        '<c r="B7" t="inlineStr"><is><t>bogus</t></is></c></row></sheetData>',
    )
    gapped = bombs.write_xlsx(tmp_path / "gap.xlsx", [sheet]).read_bytes()

    ok = _import(api, data, "x.xlsx", create_missing="true")
    bad = _import(api, gapped, "gap.xlsx", create_missing="true")

    assert ok.status_code == 200
    assert Rule.objects.get().match == "a"
    assert bad.status_code == 400
    assert bad.json()["fieldErrors"] == {
        "rows[7].mode": ["mode must be rewrite, ipa or check, got 'bogus'"]
    }


@pytest.mark.django_db
def test_an_xlsx_with_a_doctype_is_refused(
    api: APIClient, organization: Organization, tmp_path: Path
) -> None:
    """Issue 11: sheet XML is parsed without DTDs or entities (billion laughs)."""
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet><sheetData/></worksheet>'
    )
    data = bombs.write_xlsx(tmp_path / "dtd.xlsx", [sheet]).read_bytes()

    response = _import(api, data, "dtd.xlsx")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {
        "file": ["the file cannot be read as xlsx: it declares a DTD or entities"]
    }


@pytest.mark.django_db
def test_errors_in_a_report_are_capped_with_a_count(
    api: APIClient, organization: Organization, settings: Any
) -> None:
    """Issue 11: a report lists the first LEXICON_MAX_REPORT_ITEMS errors and counts the rest."""
    settings.LEXICON_MAX_REPORT_ITEMS = 10
    data = b"dictionary,mode,match,replace\n" + b"d,bogus,a,b\n" * 50

    response = _import(api, data, create_missing="true")

    body = response.json()
    assert response.status_code == 400
    assert len(body["fieldErrors"]) == 10
    assert len(body["report"]["errors"]) == 10
    assert body["report"]["errors_not_listed"] == 40
    assert body["error"] == "Import refused: 50 error(s); nothing was written."


def _pls_dry_run(organization: Organization, pls: bytes) -> dict[str, Any]:
    report = reading.import_file(
        organization=organization,
        data=pls,
        file_format="pls",
        mode="replace",
        dry_run=True,
        create_missing=True,
        dictionary="d",
    )
    return report.to_wire()


@pytest.mark.django_db
def test_pls_warnings_are_capped_with_one_line_counting_the_rest(
    organization: Organization, settings: Any
) -> None:
    """Issue 11: a PLS file with 2 M unknown elements answered a 62 MB warnings array. The cap
    does not depend on the count, so 20,000 elements and a cap of 100 show it. Warnings are one
    line per kind (issue 18), so the elements have 20,000 names."""
    settings.LEXICON_MAX_REPORT_ITEMS = 100
    lexemes = "<lexeme><grapheme>a</grapheme><alias>b</alias></lexeme>"
    pls = (
        '<?xml version="1.0"?><lexicon version="1.0" '
        'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en">'
        + lexemes
        + "".join(f"<unknown{i}/>" for i in range(20_000))
        + "</lexicon>"
    ).encode()

    report = _pls_dry_run(organization, pls)

    assert len(report["warnings"]) == 101
    assert report["warnings"][0] == "1 <unknown0> element of the lexicon not imported: line 1"
    assert report["warnings"][-1] == "... and 19900 more warnings, not listed"


@pytest.mark.django_db
def test_pls_warnings_of_one_kind_are_one_line_however_many(
    organization: Organization,
) -> None:
    """Issue 18: 20,000 unknown elements are one warning, counted, with three examples."""
    lexemes = "<lexeme><grapheme>a</grapheme><alias>b</alias></lexeme>"
    pls = (
        '<?xml version="1.0"?><lexicon version="1.0" '
        'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en">\n'
        + lexemes
        + "<unknown/>\n" * 20_000
        + "</lexicon>"
    ).encode()

    report = _pls_dry_run(organization, pls)

    assert report["warnings"] == [
        "20000 <unknown> elements of the lexicon not imported: line 2, line 3, line 4, …"
    ]


@pytest.mark.django_db
def test_an_export_survives_metadata_text_that_looks_like_deep_json(
    organization: Organization,
) -> None:
    """Issue 11: a stored metadata string of 5,000 '[' made the export raise RecursionError."""
    make_dictionary(organization, "d", metadata={"note": "[" * 5000})
    queryset = selectors.dictionaries_for_export(organization=organization)

    text = formats.csv_text(queryset, rows.export_columns(["note"]))

    assert json.dumps("[" * 5000) in text


@pytest.mark.django_db
def test_a_zip_with_too_many_parts_is_refused_before_zipfile_reads_its_directory(
    api: APIClient, organization: Organization
) -> None:
    """Issue 11: zipfile builds an object per entry; a workbook has a few dozen."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(1500):
            archive.writestr(f"p{i}", b"")

    response = _import(api, buffer.getvalue(), "x.xlsx")

    assert response.status_code == 413
    assert response.json()["error"] == (
        "The file is too large: its zip archive has more than 1000 parts."
    )


# -- through gunicorn with production settings: status, body and the worker's memory ---------


def _memory(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024
    return fields


class Web:
    """gunicorn with one worker; ``measure`` resets the worker's peak and reports its growth."""

    def __init__(self, server: Gunicorn, key: str) -> None:
        self.server = server
        self.headers = {"Authorization": f"Bearer {key}"}
        self.client = httpx.Client(base_url=self.server.url, timeout=60)

    @property
    def worker(self) -> int:
        pid = self.server.process.pid
        return int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])

    def post(self, path: Path, **fields: str) -> httpx.Response:
        with path.open("rb") as file:
            return self.client.post(
                IMPORT, headers=self.headers, files={"file": (path.name, file)}, data=fields
            )

    def measure(self, path: Path, **fields: str) -> tuple[httpx.Response, int, int]:
        """The answer, the worker's peak RSS over its idle RSS, and its RSS after over idle."""
        worker = self.worker
        Path(f"/proc/{worker}/clear_refs").write_text("5")  # peak := current
        idle = _memory(worker)["VmRSS"]
        response = self.post(path, **fields)
        after = _memory(worker)
        assert self.worker == worker, "the worker was killed"
        return response, after["VmHWM"] - idle, after["VmRSS"] - idle


@pytest.fixture(scope="module")
def gunicorn() -> Iterator[Gunicorn]:
    """One server for the module (it keeps no state; each test's database rows are its own)."""
    server = Gunicorn(
        WEB, production_env(WEB_CONCURRENCY="1", GUNICORN_ACCESS_LOG="", GUNICORN_TIMEOUT="60")
    )
    yield server
    server.stop()


@pytest.fixture
def web(gunicorn: Gunicorn, organization: Organization, tmp_path: Path) -> Iterator[Web]:
    web = Web(gunicorn, api_key_create(organization=organization, label="bombs").plaintext)
    small = bombs.write_csv(tmp_path / "warm.csv", bombs.rule_rows(10))
    for _ in range(2):  # load every module the import path uses
        assert web.post(small, create_missing="true", dry_run="true").status_code == 200
    yield web
    web.client.close()


@pytest.mark.django_db(transaction=True)
def test_bombs_get_413_through_gunicorn_and_the_worker_keeps_its_memory(
    web: Web, tmp_path: Path
) -> None:
    """Issue 11: a 3 MB XLSX inflating to 3.1 GB took a worker to 3.1 GB; 20 M shared strings
    to 478 MB; 2 M rows past the timeout (gunicorn's HTML 500). Each is now a 413 in SLNG's
    body naming the limit, and the worker's peak stays within 64 MiB of its idle level."""
    cases = [
        (
            bombs.huge_shared_string(tmp_path / "huge.xlsx", 1 << 29),
            "it inflates to more than 268435456 bytes (LEXICON_MAX_INFLATED_BYTES)",
        ),
        (
            bombs.many_shared_strings(tmp_path / "strings.xlsx", 20_000_000),
            "it has more than 8000000 cells (LEXICON_MAX_IMPORT_CELLS)",
        ),
        (
            bombs.many_rows(tmp_path / "rows.xlsx", 2_000_000),
            "it has more than 1000000 rows (LEXICON_MAX_IMPORT_ROWS)",
        ),
        (
            bombs.write_csv(tmp_path / "rows.csv", (("d", "", "", "") for _ in range(1_000_001))),
            "it has more than 1000000 rows (LEXICON_MAX_IMPORT_ROWS)",
        ),
    ]
    for path, problem in cases:
        response, peak, after = web.measure(path)

        assert response.status_code == 413, path.name
        body = response.json()
        assert body == {
            "code": "invalid_pronunciation",
            "error": f"The file is too large: {problem}.",
            "slng_request_id": body["slng_request_id"],
        }
        assert peak < BOUND, f"{path.name}: peak {peak / MIB:.1f} MiB over idle"
        assert after < BOUND, f"{path.name}: {after / MIB:.1f} MiB kept after answering"


@pytest.mark.django_db(transaction=True)
def test_a_zip_that_understates_its_size_and_a_deep_json_are_400s_with_flat_memory(
    web: Web, tmp_path: Path
) -> None:
    """Issue 11: sizes are checked as declared and as actually inflated; a zip that lies about a
    part's size is refused (its CRC cannot match) without inflating it into memory."""
    liar = bombs.understate_size(
        bombs.huge_shared_string(tmp_path / "liar.xlsx", 1 << 29), "xl/sharedStrings.xml", 100
    )
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 100_000)

    for path, field in ((liar, "file"), (deep, "rows[1]")):
        response, peak, _ = web.measure(path)

        assert response.status_code == 400, path.name
        assert list(response.json()["fieldErrors"]) == [field]
        assert peak < BOUND, f"{path.name}: peak {peak / MIB:.1f} MiB over idle"


@pytest.mark.django_db(transaction=True)
def test_the_honest_million_row_csv_becomes_a_job_within_the_memory_bound(
    web: Web, tmp_path: Path, organization: Organization
) -> None:
    """Issue 11: an honest 18 MB CSV of 1 M rows ran past gunicorn's timeout; it is now a
    background job (202 and its URL), and the web worker's memory stays bounded."""
    path = bombs.write_csv(tmp_path / "million.csv", bombs.rule_rows(1_000_000))

    response, peak, after = web.measure(path, create_missing="true")

    assert response.status_code == 202
    job = ImportJob.objects.get(organization=organization)
    url = f"{web.server.url}/v1/pronunciation/imports/{job.public_id}"
    assert response.headers["Location"] == url
    assert response.json()["state"] == "queued"
    assert response.json()["rows_total"] == 1_000_000
    assert peak < BOUND, f"peak {peak / MIB:.1f} MiB over idle"
    assert after < BOUND


@pytest.mark.django_db
def test_the_import_command_is_bounded_like_the_api(
    organization: Organization, tmp_path: Path
) -> None:
    """Issue 11: import_dictionaries read the whole file and parsed 2 M rows; it is refused."""
    path = bombs.many_rows(tmp_path / "rows.xlsx", 2_000_000)

    with pytest.raises(CommandError) as raised:
        call_command("import_dictionaries", str(path), org="acme", stderr=io.StringIO())

    assert str(raised.value) == (
        "The file is too large: it has more than 1000000 rows (LEXICON_MAX_IMPORT_ROWS)."
    )

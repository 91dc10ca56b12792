"""Issue 11: hostile inputs get a clear 4xx in SLNG's body, never a 500 or HTML.

API cases go through real gunicorn with the production settings (the ``server`` fixture);
admin cases through the Django test client, logged in as an organization admin.
"""

import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from openpyxl import load_workbook

from orgs.models import Organization
from pronunciations import services
from pronunciations.errors import parameter_message
from pronunciations.models import Dictionary, Rule
from tests.hostile.conftest import Server

API = "/v1/pronunciation"
LIMIT = 1024 * 1024  # LEXICON_MAX_REQUEST_BYTES's default, which production uses
DEPTH = 32  # LEXICON_MAX_JSON_DEPTH's default
BAD_CHARS = "must not contain control characters or unpaired surrogates"


def refused(
    response: httpx.Response,
    status: int,
    error: str,
    field_errors: dict[str, list[str]] | None = None,
) -> None:
    """The whole SLNG error body, its request id echoing X-Request-Id."""
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = {"code": "invalid_pronunciation", "error": error}
    if field_errors:
        body["fieldErrors"] = field_errors
    body["slng_request_id"] = response.headers["x-request-id"]
    assert response.json() == body


def invalid(response: httpx.Response, field_errors: dict[str, list[str]]) -> None:
    refused(response, 400, "Invalid pronunciation dictionary.", field_errors)


def chars(code: int) -> list[str]:
    return [f"{BAD_CHARS} (U+{code:04X})"]


def dictionary(name: str, *rules: tuple[str, str], **extra: Any) -> dict[str, Any]:
    rewrite = [{"match": match, "replace": replace} for match, replace in rules]
    return {"name": name, "modes": {"rewrite": {"rules": rewrite}}, **extra}


def raw_json(value: Any) -> bytes:
    """JSON text with every non-ASCII character escaped (lone surrogates included)."""
    return json.dumps(value, ensure_ascii=True).encode("ascii")


# -- item 4: bodies over LEXICON_MAX_REQUEST_BYTES -----------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", f"{API}/dictionaries", "application/json"),
        ("PUT", f"{API}/dictionaries/brand", "application/json"),
        ("PATCH", f"{API}/dictionaries/brand", "application/json"),
        ("POST", f"{API}/preview", "application/json"),
        ("POST", f"{API}/dictionaries/brand/revisions/1/restore", "application/json"),
        ("POST", f"{API}/dictionaries", "application/x-www-form-urlencoded"),
        ("POST", f"{API}/dictionaries", "text/plain"),
        ("POST", f"{API}/dictionaries", "multipart/form-data; boundary=b"),
        ("POST", "/admin/login/", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_over_the_limit_is_413_whatever_its_type(
    acme: httpx.Client, method: str, path: str, content_type: str
) -> None:
    """Issue 11 item 4: Django's RequestDataTooBig no longer escapes as a 500 (or HTML 400)."""
    response = acme.request(
        method, path, content=b"[" + b" " * LIMIT + b"]", headers={"Content-Type": content_type}
    )

    refused(response, 413, f"Request body is too large: the limit is {LIMIT} bytes.")


def test_an_upload_over_the_request_limit_but_under_the_upload_limit_is_read(
    acme: httpx.Client,
) -> None:
    """Issue 11 item 4: the import endpoint keeps LEXICON_MAX_UPLOAD_BYTES as its bound (a file
    over LEXICON_IMPORT_SYNC_MAX_BYTES is read and runs as a background job)."""
    rows = "".join(f"big,rewrite,w{i},r\n" for i in range(80_000))
    data = ("dictionary,mode,match,replace\n" + rows).encode()
    assert len(data) > LIMIT

    response = acme.post(f"{API}/import", files={"file": ("big.csv", data)}, data={"mode": "merge"})

    assert response.status_code == 202
    assert response.json()["state"] == "queued"


def test_an_upload_whose_form_fields_pass_the_request_limit_is_413(acme: httpx.Client) -> None:
    """Issue 11 item 4: Django's RequestDataTooBig from the multipart parser was a 500."""
    fields = {"mode": "merge", "dictionary": "d" * (LIMIT + 1)}

    response = acme.post(f"{API}/import", files={"file": ("d.csv", b"x")}, data=fields)

    refused(response, 413, f"Request body is too large: the limit is {LIMIT} bytes.")


def test_a_chunked_body_is_411_not_read_as_empty(acme: httpx.Client) -> None:
    """Issue 11 item 4: without Content-Length Django read the body as empty, so a valid chunked
    create was answered "name is required"."""
    body = json.dumps(dictionary("chunked", ("a", "b"))).encode()

    response = acme.post(
        f"{API}/dictionaries", content=iter([body]), headers={"Content-Type": "application/json"}
    )

    refused(response, 411, "Send the request body with a Content-Length header, not chunked.")


# -- item 5: one notion of "the same match" in validation and in the database ----------------


def test_dotted_capital_i_and_i_are_two_rules_for_validation_and_database(
    acme: httpx.Client,
) -> None:
    """Issue 11 item 5: casefold() keeps İ and i apart, PostgreSQL's lower() did not (500)."""
    body = dictionary("turkish", ("İ", "capital dotted i"), ("i", "small i"))

    created = acme.post(f"{API}/dictionaries", json=body)

    assert created.status_code == 201, created.text
    assert created.json()["modes"] == body["modes"]
    duplicate = acme.post(f"{API}/dictionaries", json=dictionary("german", ("ß", "a"), ("SS", "b")))
    invalid(
        duplicate,
        {
            "modes.rewrite.rules[1].match": [
                "duplicates rules[0].match (matches compare case-insensitively)"
            ]
        },
    )


def test_an_import_with_dotted_capital_i_and_i_is_written(acme: httpx.Client) -> None:
    """Issue 11 item 5: the import's COPY writes the same key the constraint compares."""
    data = "dictionary,mode,match,replace\nturkish,rewrite,İ,a\nturkish,rewrite,i,b\n".encode()

    response = acme.post(
        f"{API}/import", files={"file": ("t.csv", data)}, data={"create_missing": "true"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["dictionaries"]["created"] == ["turkish"]


def test_import_checks_every_rows_name_before_grouping(acme: httpx.Client) -> None:
    """Issue 11 item 5: the Kelvin sign lowers to k, so its row joined dictionary k unchecked."""
    data = "dictionary,mode,match,replace\nk,rewrite,a,b\n\u212a,rewrite,c,d\n".encode()

    response = acme.post(
        f"{API}/import", files={"file": ("k.csv", data)}, data={"create_missing": "true"}
    )

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {
        "rows[3].dictionary": ["may contain only letters, digits, '.', '_' and '-'"]
    }


# -- item 6: characters no store or format can hold ----------------------------------------


@pytest.mark.parametrize(
    ("body", "field_errors"),
    [
        (dictionary("d", ("a\x00b", "x")), {"modes.rewrite.rules[0].match": chars(0)}),
        (dictionary("d", ("a", "\ud800")), {"modes.rewrite.rules[0].replace": chars(0xD800)}),
        (dictionary("d", ("a\x1b", "x")), {"modes.rewrite.rules[0].match": chars(0x1B)}),
        (
            {
                "name": "d",
                "modes": {
                    "rewrite": {"rules": []},
                    "ipa": {"rules": [{"match": "a", "ipa": "ə\x85"}]},
                },
            },
            {"modes.ipa.rules[0].ipa": chars(0x85)},
        ),
        (
            dictionary("d", metadata={"la\x00ng": "en"}),
            {"metadata.la\ufffdng": [f"key {BAD_CHARS} (U+0000)"]},
        ),
        (dictionary("d", metadata={"a": [{"b": "\x01"}]}), {"metadata.a[0].b": chars(1)}),
        (dictionary("d", metadata={"a": "\udfff"}), {"metadata.a": chars(0xDFFF)}),
    ],
)
def test_create_refuses_unstorable_characters_with_the_field_path(
    acme: httpx.Client, body: dict[str, Any], field_errors: dict[str, list[str]]
) -> None:
    """Issue 11 item 6: NUL, lone surrogates and controls are refused, not a DataError."""
    response = acme.post(
        f"{API}/dictionaries", content=raw_json(body), headers={"Content-Type": "application/json"}
    )

    invalid(response, field_errors)


@pytest.mark.parametrize(
    ("path", "body", "field_errors"),
    [
        ("dictionaries/brand", {**dictionary("brand"), "comment": "a\x00"}, {"comment": chars(0)}),
        ("dictionaries/brand/preview", {"text": "nul \x00"}, {"text": chars(0)}),
        (
            "preview",
            {"text": "half \ud83d", "modes": {"rewrite": {"rules": []}}},
            {"text": chars(0xD83D)},
        ),
    ],
)
def test_comments_and_preview_text_refuse_unstorable_characters(
    acme: httpx.Client, brand: str, path: str, body: dict[str, Any], field_errors: Any
) -> None:
    """Issue 11 item 6: a comment with NUL was a DataError, a surrogate a UnicodeEncodeError."""
    method = "PUT" if path == f"dictionaries/{brand}" else "POST"
    headers = {"Content-Type": "application/json"}

    response = acme.request(method, f"{API}/{path}", content=raw_json(body), headers=headers)

    invalid(response, field_errors)


def _store_raw_controls(name: str, organization: Organization) -> None:
    """Content stored before validation refused controls, written as raw SQL would."""
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "pronunciations_rule" SET "match" = %s, "value" = %s '
            'WHERE "dictionary_id" = (SELECT "id" FROM "pronunciations_dictionary" '
            'WHERE "organization_id" = %s AND "name" = %s)',
            ["bell\x07", "esc\x1b", organization.pk, name],
        )
        # The current revision's snapshot is where current content is read from (issue 12).
        cursor.execute(
            'UPDATE "pronunciations_revision" r SET "snapshot" = '
            "jsonb_set(r.snapshot, '{modes}', %s::jsonb) FROM \"pronunciations_dictionary\" d "
            "WHERE r.dictionary_id = d.id AND r.number = d.revision "
            'AND d."organization_id" = %s AND d."name" = %s',
            [
                json.dumps({"rewrite": {"rules": [{"match": "bell\x07", "replace": "esc\x1b"}]}}),
                organization.pk,
                name,
            ],
        )
        cursor.execute(
            'UPDATE "pronunciations_dictionary" SET "metadata" = %s::jsonb '
            'WHERE "organization_id" = %s AND "name" = %s',
            [json.dumps({"language": "en\x01", "note\x02": "x\x03"}), organization.pk, name],
        )


def _xlsx_cells(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    "path",
    [
        "export?format=xlsx",
        "dictionaries/brand/export?format=xlsx",
        "dictionaries/brand/export?format=pls",
    ],
)
def test_exports_never_fail_on_stored_control_characters(
    acme: httpx.Client, server: Server, brand: str, path: str
) -> None:
    """Issue 11 item 6: one stored control character made the org's XLSX export fail for good."""
    _store_raw_controls(brand, server.acme.organization)

    response = acme.get(f"{API}/{path}")

    assert response.status_code == 200, response.text[:300]
    with server.client(server.globex) as globex:  # the other organization sees none of it
        assert _xlsx_cells(globex.get(f"{API}/export?format=xlsx").content)[1:] == []
    if path.endswith("pls"):
        root = ET.fromstring(response.content)  # noqa: S314 - our own output
        assert [el.text for el in root.iter() if el.tag.endswith("grapheme")] == ["bell\ufffd"]
        assert "en\ufffd" in response.text
        return
    header, row = _xlsx_cells(response.content)
    assert dict(zip(header, row, strict=True)) == {
        "dictionary": "brand",
        "mode": "rewrite",
        "match": "bell\ufffd",
        "replace": "esc\ufffd",
        "ipa": None,
        "position": "0",
        "metadata.language": "en\ufffd",
        "metadata.note\ufffd": "x\ufffd",
    }


# -- item 7: nesting depth -----------------------------------------------------------------

TOO_DEEP = [f"is nested too deeply: at most {DEPTH} levels of arrays and objects"]
DEEP_BOX = f"Other metadata is nested too deeply: at most {DEPTH} levels of brackets."


def unstored(code: str) -> str:
    """How the admin words a character that cannot be stored."""
    return f"an invisible character (U+{code}) that cannot be stored"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "dictionaries", b"[" * 100_000),
        ("POST", "dictionaries", b'{"name": "d", "metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        ("PUT", "dictionaries/brand", b'{"metadata": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}"),
        ("POST", "preview", b'{"text": "a", "modes": ' + b'{"a": ' * 50_000),
    ],
)
def test_deeply_nested_bodies_are_a_400_that_says_so(
    acme: httpx.Client, method: str, path: str, body: bytes
) -> None:
    """Issue 11 item 7: 100,000 brackets raised RecursionError in the JSON parser (500)."""
    response = acme.request(
        method, f"{API}/{path}", content=body, headers={"Content-Type": "application/json"}
    )

    invalid(response, {"body": TOO_DEEP})


def test_metadata_deeper_than_the_limit_is_refused_by_validation(
    organization: Organization,
) -> None:
    """Issue 11 item 7: metadata validation checks depth itself (services, admin, import)."""
    deep: Any = "leaf"
    for _ in range(5000):
        deep = [deep]

    with pytest.raises(ValidationError) as caught:
        services.dictionary_create(
            organization=organization,
            name="d",
            modes={"rewrite": {"rules": []}},
            metadata={"a": deep},
        )

    assert caught.value.message_dict == {"metadata": TOO_DEEP}


# -- item 8: path and query parameters -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "field_errors"),
    [
        ("GET", f"{API}/export?names=%00", {"names": chars(0)}),
        (
            "GET",
            f"{API}/export?names=brand,bad!",
            {"names": ["'bad!': may contain only letters, digits, '.', '_' and '-'"]},
        ),
        (
            "GET",
            f"{API}/dictionaries/brand/revisions?before=%C2%B2",
            {"before": ["must be an integer from 1 to 2147483648"]},
        ),
        (
            "GET",
            f"{API}/dictionaries/brand/revisions?limit=%D9%A3",
            {"limit": ["must be an integer from 1 to 200"]},
        ),
        ("POST", f"{API}/deleted-dictionaries/%00/restore", {"dictionary_id": chars(0)}),
        (
            "POST",
            f"{API}/deleted-dictionaries/pd-%E2%80%94/restore",
            {"dictionary_id": ["must be an id of letters, digits and '_' (at most 64)"]},
        ),
        ("GET", "/v1/sync/targets/%00/runs", {"target_id": chars(0)}),
        ("POST", "/v1/sync/targets/%00/run", {"target_id": chars(0)}),
        (
            "GET",
            "/v1/sync/targets/st_%C2%B2/runs",
            {"target_id": ["must be an id of letters, digits and '_' (at most 64)"]},
        ),
    ],
)
def test_path_and_query_parameters_are_checked_before_the_database(
    acme: httpx.Client, brand: str, method: str, path: str, field_errors: dict[str, list[str]]
) -> None:
    """Issue 11 item 8: %00 reached PostgreSQL (DataError) and int("²") raised ValueError.
    Issue 16: the error names the parameter."""
    response = acme.request(method, path)

    refused(response, 400, parameter_message(field_errors), field_errors)


@pytest.mark.parametrize(
    ("path", "match"),
    [
        ("24%2F7", "24/7"),
        ("%E0%A4%A8%E0%A4%AE%E0%A4%B8%E0%A5%8D%E0%A4%A4%E0%A5%87", "नमस्ते"),
        ("50%25%20off%3F", "50% off?"),
    ],
)
def test_a_rules_percent_encoded_match_reaches_the_view_through_gunicorn(
    acme: httpx.Client, brand: str, path: str, match: str
) -> None:
    """Issue 16 item 4: gunicorn decodes the path (a %2F too) before Django routes it."""
    rule = f"{API}/dictionaries/{brand}/rules/rewrite/{path}"

    created = acme.put(rule, json={"replace": "x"})

    assert (created.status_code, created.json()["match"]) == (201, match), created.text
    assert acme.get(created.headers["location"]).json()["match"] == match
    assert acme.delete(rule).status_code == 204
    refused(
        acme.get(f"{API}/dictionaries/{brand}/rules/rewrite/a%00b"),
        400,
        "match: must not contain control characters or unpaired surrogates (U+0000)",
        {"match": chars(0)},
    )


# -- item 10: types of the update bodies -----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "field_errors"),
    [
        (
            "PUT",
            "dictionaries/brand",
            {**dictionary("brand"), "comment": {"a": 1}},
            {"comment": ["must be a string"]},
        ),
        ("PATCH", "dictionaries/brand", {"comment": 5}, {"comment": ["must be a string"]}),
        (
            "PUT",
            "dictionaries/brand",
            {**dictionary("brand"), "comment": "c" * 501},
            {"comment": ["must be at most 500 characters"]},
        ),
        (
            "PUT",
            "dictionaries/brand",
            {**dictionary("brand"), "name": 5},
            {"name": ["must be a string"]},
        ),
        (
            "POST",
            "dictionaries/brand/revisions/1/restore",
            {"comment": ["x"]},
            {"comment": ["must be a string"]},
        ),
    ],
)
def test_update_bodies_check_the_types_of_comment_and_name(
    acme: httpx.Client, brand: str, method: str, path: str, body: Any, field_errors: Any
) -> None:
    """Issue 11 item 10: a comment {"a": 1} was stored as the text "{'a': 1}"."""
    response = acme.request(method, f"{API}/{path}", json=body)

    invalid(response, field_errors)
    history = acme.get(f"{API}/dictionaries/{brand}/revisions").json()["revisions"]
    assert [revision["number"] for revision in history] == [1]


# -- item 12: request line and headers -------------------------------------------------------


def test_a_long_request_line_is_414_in_slngs_body(acme: httpx.Client) -> None:
    """Issue 11 item 12: gunicorn answered 414 in HTML past 4094 bytes."""
    target = f"{API}/dictionaries/{'a' * 5000}"

    response = acme.get(target)

    length = len(f"GET {target} HTTP/1.1")
    refused(response, 414, f"Request line is too long: {length} bytes, the limit is 4096.")


def test_a_large_header_is_431_in_slngs_body(acme: httpx.Client) -> None:
    """Issue 11 item 12: gunicorn answered 431 in HTML past 8190 bytes per header."""
    response = acme.get(f"{API}/dictionaries", headers={"X-Filler": "f" * 9000})

    refused(response, 431, "Header field X-Filler is too large: 9010 bytes, the limit is 8190.")


def test_many_headers_are_431_in_slngs_body(acme: httpx.Client) -> None:
    """Issue 11 item 12: gunicorn answered 431 in HTML past 100 header fields."""
    headers = {f"X-Filler-{i}": "f" for i in range(150)}

    response = acme.get(f"{API}/dictionaries", headers=headers)

    assert response.status_code == 431
    body = response.json()
    assert body["error"].startswith("Too many header fields: ")
    assert body["error"].endswith(", the limit is 100.")
    assert set(body) == {"code", "error", "slng_request_id"}


# -- item 9: the admin ---------------------------------------------------------------------


def _add_form(organization: Organization, metadata: str, *rules: tuple[str, str]) -> dict[str, Any]:
    return {
        "organization": str(organization.pk),
        "name": "admin-made",
        "metadata": metadata,
        "etag": "",
        "rewrite_match": [match for match, _ in rules],
        "rewrite_value": [value for _, value in rules],
    }


@pytest.mark.django_db
def test_the_admin_saves_dotted_capital_i_next_to_i(
    admin_client: Client, organization: Organization
) -> None:
    """Issue 11 item 5: the admin's save hit the lower(match) index (IntegrityError, 500)."""
    form = _add_form(organization, "{}", ("İ", "a"), ("i", "b"))

    response = admin_client.post("/admin/pronunciations/dictionary/add/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    keys = Rule.objects.filter(dictionary__name="admin-made").order_by("position")
    assert [(rule.match, rule.key) for rule in keys] == [("İ", "i̇"), ("i", "i")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ('{"a": "\\u0000"}', f"The value at “a” contains {unstored('0000')}."),
        ('{"a": "\\ud800"}', f"The value at “a” contains {unstored('D800')}."),
        ('{"a\\u0007": 1}', f"The key “a\ufffd” contains {unstored('0007')}."),
        ("[" * 5000 + "]" * 5000, DEEP_BOX),
        ('{"a": ' + "[" * 5000 + "]" * 5000 + "}", DEEP_BOX),
    ],
)
def test_the_admin_form_refuses_hostile_metadata(
    admin_client: Client, organization: Organization, metadata: str, message: str
) -> None:
    """Issue 11 item 9: NUL was a DataError, deep JSON a RecursionError (HTML 500)."""
    form = _add_form(organization, metadata, ("a", "b"))

    response = admin_client.post("/admin/pronunciations/dictionary/add/", form)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"metadata": [message]}
    assert not Dictionary.objects.filter(name="admin-made").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (b'["modes", "text"]', {"body": ["must be a JSON object with modes and text"]}),
        (b"[" * 100_000, {"body": TOO_DEEP}),
        (b'{"modes": {"rewrite": {"rules": []}}, "text": "\\ud800"}', {"text": chars(0xD800)}),
        (b'{"modes": {"rewrite": {"rules": []}}, "text": "\\u0000"}', {"text": chars(0)}),
    ],
)
def test_the_admin_preview_refuses_hostile_bodies_with_400(
    admin_client: Client, body: bytes, errors: dict[str, list[str]]
) -> None:
    """Issue 11 item 9: a JSON array or a deep body made the preview endpoint answer 500."""
    response = admin_client.generic(
        "POST", "/admin/pronunciations/dictionary/preview/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"errors": errors}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("post", "revisions/", 405),  # restoring asks first: the list no longer restores
        ("get", "revisions/abc/restore/", 302),  # not a restore URL: the admin's catch-all
        ("get", "revisions/0/restore/", 404),
        ("get", "revisions/99999999999999999999/restore/", 404),
        ("post", "revisions/99999999999999999999/restore/", 404),
    ],
)
def test_the_admin_restore_with_a_bad_number_is_refused_not_an_error(
    admin_client: Client, organization: Organization, method: str, path: str, status: int
) -> None:
    """Issue 11 item 9: number=abc raised ValueError in the revision restore (HTML 500);
    issue 15: the number is in the confirmation's path."""
    created = services.dictionary_create(
        organization=organization, name="d", modes={"rewrite": {"rules": []}}
    )
    url = f"/admin/pronunciations/dictionary/{created.pk}/{path}"

    response = getattr(admin_client, method)(url, {"number": "abc"})

    assert response.status_code == status
    assert created.revisions.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status"),
    [("org=abc", 400), ("org=%C2%B2", 400), ("q=%00", 400), ("language=%00", 400)],
)
def test_the_admin_list_refuses_bad_filters_with_400(
    admin_client: Client, organization: Organization, query: str, status: int
) -> None:
    """Issue 11 item 9: ?org=abc raised ValueError and ?q=%00 a DataError (HTML 500)."""
    response = admin_client.get(f"/admin/pronunciations/dictionary/?{query}")

    assert response.status_code == status


def test_an_error_quoting_a_lone_surrogate_is_still_written(acme: httpx.Client) -> None:
    """Issue 11 item 6: a JSON import's unknown column "\\ud800" made the error body itself fail
    to encode (UnicodeEncodeError, 500)."""
    data = b'[{"dictionary": "d", "\\ud800": "x", "mode": "rewrite", "match": "a", "replace": "b"}]'

    response = acme.post(
        f"{API}/import", files={"file": ("d.json", data)}, data={"create_missing": "true"}
    )

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {
        "rows[1].\\ud800": [
            "the column name must not contain control characters or unpaired surrogates (U+D800)"
        ]
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changelist", "action"),
    [
        ("pronunciations/dictionary", "export_csv"),
        ("orgs/apikey", "revoke"),
        ("sync/synctarget", "run_now"),
        ("django_celery_beat/periodictask", "enable_tasks"),
    ],
)
@pytest.mark.parametrize("selected", ["abc", "1\x00", "²"])
def test_admin_actions_refuse_a_selection_that_is_not_ids(
    admin_client: Client, changelist: str, action: str, selected: str
) -> None:
    """Issue 11 item 9: a posted _selected_action of "abc" raised ValueError (HTML 500)."""
    form = {"action": action, "_selected_action": selected, "index": "0"}

    response = admin_client.post(f"/admin/{changelist}/", form)

    assert response.status_code == 400


@pytest.mark.django_db
def test_the_admin_change_form_adds_dotted_capital_i_next_to_a_stored_i(
    admin_client: Client, organization: Organization
) -> None:
    """Issue 11 item 5: editing a dictionary that holds "i" to add "İ" hit the lower(match)
    index (IntegrityError, HTML 500) though validation accepts the pair."""
    created = services.dictionary_create(
        organization=organization,
        name="d",
        modes={"rewrite": {"rules": [{"match": "i", "replace": "y"}]}},
    )
    form = {
        "metadata": "{}",
        "etag": created.etag,
        "rewrite_match": ["i", "İ"],
        "rewrite_value": ["y", "z"],
    }

    response = admin_client.post(f"/admin/pronunciations/dictionary/{created.pk}/change/", form)

    assert response.status_code == 302
    saved = Rule.objects.filter(dictionary=created).order_by("position")
    assert [(rule.match, rule.value) for rule in saved] == [("i", "y"), ("İ", "z")]

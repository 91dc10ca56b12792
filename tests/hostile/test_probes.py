"""Hostile probes of the entry points issues 14 to 18 added, each a bug found by probing.

API cases go through real gunicorn with the production settings (the ``server`` fixture);
admin cases through the Django test client, logged in as an organization admin.
"""

from typing import Any

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from orgs.models import APIKey, Organization, Role
from orgs.services import api_key_create, organization_configure
from pronunciations.errors import parameter_message
from pronunciations.models import Dictionary, ReviewState, Rule
from sync.services import target_create, target_update
from sync.validation import INTERVAL_TOO_SHORT, KEY_SHAPE
from tests.factories import make_dictionary, make_target
from tests.hostile.conftest import Server
from tests.hostile.test_inputs import API, dictionary, invalid, refused
from tests.sync.conftest import target_form

NOT_FINITE = ["must be a finite number: JSON has no NaN or Infinity"]
JSON = {"Content-Type": "application/json"}


# -- metadata: NaN and Infinity are not JSON (PostgreSQL's jsonb refused them: 500) ------------


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        (
            "POST",
            "dictionaries",
            b'{"name": "n", "modes": {"rewrite": {"rules": []}}, "metadata": {"n": NaN}}',
            "metadata.n",
        ),
        ("PATCH", "dictionaries/brand", b'{"metadata": {"x": [1, -Infinity]}}', "metadata.x[1]"),
        (
            "PUT",
            "dictionaries/brand",
            b'{"modes": {"rewrite": {"rules": []}}, "metadata": {"a": {"b": Infinity}}}',
            "metadata.a.b",
        ),
    ],
)
def test_metadata_refuses_nan_and_infinity_with_the_field_path(
    acme: httpx.Client, brand: str, method: str, path: str, body: bytes, field: str
) -> None:
    """Python's JSON parser reads NaN and Infinity; jsonb does not (DataError, 500)."""
    response = acme.request(method, f"{API}/{path}", content=body, headers=JSON)

    invalid(response, {field: NOT_FINITE})


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("n.csv", b"dictionary,mode,match,replace,metadata.n\nn,rewrite,a,b,NaN\n", "rows[2]"),
        (
            "n.csv",
            b'dictionary,mode,match,replace,metadata.n\nn,rewrite,a,b,"[1,-Infinity]"\n',
            "rows[2]",
        ),
        (
            "n.json",
            b'[{"dictionary": "n", "mode": "rewrite", "match": "a", "replace": "b", '
            b'"metadata.n": 1e999}]',
            "rows[1]",
        ),
    ],
)
def test_imports_refuse_nan_and_infinity_in_metadata(
    acme: httpx.Client, name: str, data: bytes, field: str
) -> None:
    """A CSV cell NaN or a JSON 1e999 (infinity) became a metadata value jsonb refused (500)."""
    response = acme.post(
        f"{API}/import", files={"file": (name, data)}, data={"create_missing": "true"}
    )

    assert response.status_code == 400, response.text[:300]
    assert response.json()["fieldErrors"] == {f"{field}.metadata": NOT_FINITE}
    assert acme.get(f"{API}/dictionaries/n").status_code == 404


# -- paths and queries whose percent-encoded bytes are not UTF-8 -----------------------------


@pytest.mark.parametrize(
    ("method", "path", "field_errors"),
    [
        (
            "PUT",
            f"{API}/dictionaries/brand/rules/rewrite/a%ED%A0%80",  # a lone surrogate's bytes
            {"path": ["must be UTF-8 once percent-decoded: %ED is not"]},
        ),
        (
            "GET",
            f"{API}/dictionaries/brand/rules/rewrite/a%FF",
            {"path": ["must be UTF-8 once percent-decoded: %FF is not"]},
        ),
        (
            "GET",
            f"{API}/export?names=%C3",
            {"query": ["must be UTF-8 once percent-decoded: %C3 is not"]},
        ),
        (
            "GET",
            "/admin/pronunciations/dictionary/where/?q=%FF",
            {"query": ["must be UTF-8 once percent-decoded: %FF is not"]},
        ),
    ],
)
def test_percent_encoded_bytes_that_are_not_utf8_are_refused(
    acme: httpx.Client, brand: str, method: str, path: str, field_errors: dict[str, list[str]]
) -> None:
    """Issue 16: Django read %ED%A0%80 in a path as the text "%ED%A0%80" (a PUT stored a rule
    with that match) and %FF in a query as U+FFFD; neither is what the client sent."""
    response = acme.request(method, path, json={"replace": "x"} if method == "PUT" else None)

    refused(response, 400, parameter_message(field_errors), field_errors)
    assert [rule.match for rule in Rule.objects.filter(dictionary__name=brand)] == ["SLNG"]


def test_a_match_with_a_line_break_reaches_the_rule_view(acme: httpx.Client, brand: str) -> None:
    """Issue 16: <path:match> stopped at a line break, so the router answered a bare "Not
    found." for the existing dictionary instead of the view's answer about the rule."""
    rule = f"{API}/dictionaries/{brand}/rules/rewrite/line%0Abreak"

    missing = acme.get(rule)
    created = acme.put(rule, json={"replace": "x"})

    assert missing.status_code == 404
    assert missing.json()["error"] == (
        f"Rule not found in the rewrite mode of pronunciation dictionary {brand}: line\nbreak"
    )
    assert (created.status_code, created.json()["match"]) == (201, "line\nbreak")


# -- review: a body that is not an object ------------------------------------------------------


@pytest.mark.parametrize("body", [b"0", b"false", b"[]", b'""'])
@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_review_refuses_a_body_that_is_not_an_object(
    acme: httpx.Client, server: Server, body: bytes, decision: str
) -> None:
    """Issue 14: an empty-looking body (0, false, [], "") was read as no body at all, so
    ``0`` approved the revision."""
    organization_configure(organization=server.acme.organization, review_required=True)
    assert acme.post(f"{API}/dictionaries", json=dictionary("brand", ("a", "b"))).status_code == 201
    reviewer = api_key_create(organization=server.acme.organization, label="r", role="reviewer")
    headers = {"Authorization": f"Bearer {reviewer.plaintext}", **JSON}

    response = acme.post(
        f"{API}/dictionaries/brand/revisions/1/{decision}", content=body, headers=headers
    )

    invalid(response, {"body": ["request body must be a JSON object"]})
    revision = Dictionary.objects.get(name="brand").revisions.get(number=1)
    assert revision.review_state == ReviewState.PROPOSED


# -- the admin ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_dictionary_list_offers_only_text_languages(
    admin_client: Client, organization: Organization
) -> None:
    """Issue 15: metadata is free-form through the API, and one dictionary whose language was a
    list made the whole dictionary list a 500 (the language filter put it in a set)."""
    for name, language in [("a", ["en"]), ("b", {"tag": "en"}), ("c", 5), ("d", "en-US")]:
        make_dictionary(organization, name, metadata={"language": language})

    listed = admin_client.get("/admin/pronunciations/dictionary/")
    filtered = admin_client.get("/admin/pronunciations/dictionary/?language=en-US")

    assert listed.status_code == 200
    (choices,) = [
        spec.lookup_choices
        for spec in listed.context["cl"].filter_specs
        if spec.title == "language"
    ]
    assert choices == [("en-US", "en-US")]
    assert [d.name for d in filtered.context["cl"].result_list] == ["d"]


@pytest.mark.django_db
def test_the_admin_metadata_box_refuses_nan_in_plain_words(
    admin_client: Client, organization: Organization
) -> None:
    form = {
        "organization": str(organization.pk),
        "name": "admin-made",
        "metadata": '{"weight": NaN}',
        "etag": "",
        "rewrite_match": ["a"],
        "rewrite_value": ["b"],
    }

    response = admin_client.post("/admin/pronunciations/dictionary/add/", form)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "metadata": [
            "The value at “weight” is nan, which JSON cannot hold: write a number, or put it in "
            "quotes."
        ]
    }


@pytest.mark.django_db
def test_an_api_key_with_a_blank_role_is_an_editor(
    admin_client: Client, organization: Organization
) -> None:
    """Issue 14: a role posted blank reached api_key_create as "" (ValueError, 500); on a
    key's change page it was saved, leaving a key no request could use."""
    added = admin_client.post(
        "/admin/orgs/apikey/add/", {"organization": organization.pk, "label": "ci", "role": ""}
    )
    viewer = api_key_create(organization=organization, label="ro", role=Role.VIEWER).api_key
    changed = admin_client.post(
        f"/admin/orgs/apikey/{viewer.pk}/change/", {"label": "ro", "role": ""}
    )

    assert (added.status_code, changed.status_code) == (200, 302)  # the new key's page, issue 22
    roles = dict(APIKey.objects.values_list("label", "role"))
    assert roles == {"ci": Role.EDITOR, "ro": Role.EDITOR}


def _new_target_refusal(organization: Organization, **options: Any) -> dict[str, list[str]]:
    """What target_create refuses in a new target at SLNG's public URLs with ``options``."""
    urls = {"base_url": "https://api.slng.ai", "ws_url": "wss://api.slng.ai"}
    with pytest.raises(ValidationError) as refused:
        target_create(
            organization=organization, name="other", **{"api_key": "k", **urls, **options}
        )
    return refused.value.message_dict


@pytest.mark.django_db
def test_a_target_syncs_at_most_once_a_second(
    admin_client: Client, organization: Organization
) -> None:
    """Issue 14: interval_seconds 0 was saved, and beat sends a 0-second schedule's task
    without pause (a run row each, flooding the queue and the database)."""
    target = make_target(organization)

    created = _new_target_refusal(organization, interval_seconds=0)
    with pytest.raises(ValidationError) as updated:
        target_update(target=target, interval_seconds=0)
    form = target_form(target, interval_seconds="0")
    response = admin_client.post(f"/admin/sync/synctarget/{target.pk}/change/", form)

    expected = {"interval_seconds": [INTERVAL_TOO_SHORT]}
    assert created == updated.value.message_dict == expected
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == expected
    target.refresh_from_db()
    assert target.interval_seconds == 300


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["sk_a\r\nX-Forwarded-For: 1", "sk a", "k" * 513, "sk_\x7f"])
def test_a_target_key_is_what_an_authorization_header_can_carry(
    admin_client: Client, organization: Organization, key: str
) -> None:
    """Issue 14's target form took any text as the SLNG key (100,000 characters, a line break):
    it goes out in an Authorization header, where a line break would start another header."""
    target = make_target(organization)

    created = _new_target_refusal(organization, api_key=key)
    response = admin_client.post(
        f"/admin/sync/synctarget/{target.pk}/change/", target_form(target, api_key=key)
    )

    assert created == {"api_key": [KEY_SHAPE]}
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"api_key": [KEY_SHAPE]}

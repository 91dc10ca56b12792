"""Issue 27 item 3: ETag and 304 on get and list, and the list's updated_since."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from orgs.actors import Actor
from orgs.models import Organization
from pronunciations import services
from pronunciations.api import bodies
from pronunciations.models import Dictionary
from tests.factories import make_dictionary

URL = "/v1/pronunciation/dictionaries"

PROBLEM = "must be an RFC 3339 date-time with its offset, e.g. 2026-12-01T09:00:00Z"

pytestmark = pytest.mark.django_db


def _edit(organization: Organization, name: str) -> None:
    """A write through another path than the list's API: the service the admin calls."""
    services.dictionary_update(
        organization=organization,
        name=name,
        modes={"rewrite": {"rules": [{"match": "X", "replace": "ex"}]}},
        metadata=services.UNSET,
        partial=True,
        if_match=None,
        author=Actor.for_command("test"),
    )


def test_get_answers_304_with_no_body_on_a_matching_if_none_match(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "brand")
    first = api.get(f"{URL}/brand")
    etag = first["ETag"]

    again = api.get(f"{URL}/brand", HTTP_IF_NONE_MATCH=etag)

    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert api.get(f"{URL}/brand", HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert api.get(f"{URL}/brand", HTTP_IF_NONE_MATCH="*").status_code == 304
    stale = api.get(f"{URL}/brand", HTTP_IF_NONE_MATCH='"r0-nothing"')
    assert (stale.status_code, stale.content, stale["ETag"]) == (200, first.content, etag)


def test_get_after_a_change_answers_the_new_body_and_etag(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "brand")
    etag = api.get(f"{URL}/brand")["ETag"]
    _edit(organization, "brand")

    changed = api.get(f"{URL}/brand", HTTP_IF_NONE_MATCH=etag)

    current = Dictionary.objects.get(organization=organization, name="brand")
    assert changed.status_code == 200
    assert changed["ETag"] == current.etag != etag
    assert changed.json()["revision"] == 2


def test_the_lists_etag_changes_when_any_listed_dictionary_changes(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "alpha")
    make_dictionary(organization, "beta")
    first = api.get(URL)
    etag = first["ETag"]
    assert etag.startswith('W/"l-')

    unchanged = api.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert (unchanged.status_code, unchanged.content, unchanged["ETag"]) == (304, b"", etag)

    _edit(organization, "beta")
    changed = api.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert [d["revision"] for d in changed.json()["dictionaries"]] == [1, 2]

    api.delete(f"{URL}/alpha")
    assert api.get(URL, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200


def test_a_streamed_list_has_an_etag_and_answers_304(
    api: APIClient, organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bodies, "STREAM_AFTER", 1)
    make_dictionary(organization, "alpha")
    make_dictionary(organization, "beta")
    streamed = api.get(URL)
    assert streamed.streaming
    body = b"".join(streamed.streaming_content)  # type: ignore[attr-defined]

    assert [d["name"] for d in json.loads(body)["dictionaries"]] == ["alpha", "beta"]
    assert api.get(URL, HTTP_IF_NONE_MATCH=streamed["ETag"]).status_code == 304


def test_a_page_has_its_own_etag(api: APIClient, organization: Organization) -> None:
    make_dictionary(organization, "alpha")
    make_dictionary(organization, "beta")
    page = api.get(URL, {"limit": 1})
    whole = api.get(URL)

    assert page["ETag"] != whole["ETag"]
    assert api.get(URL, {"limit": 1}, HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304
    _edit(organization, "beta")  # not on the page, but the page's ETag is over its own rows
    assert api.get(URL, {"limit": 1}, HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304
    _edit(organization, "alpha")
    assert api.get(URL, {"limit": 1}, HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 200


def test_updated_since_lists_only_dictionaries_changed_since(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "alpha")
    make_dictionary(organization, "beta")
    Dictionary.objects.filter(name="alpha").update(updated_at=datetime(2026, 1, 1, tzinfo=UTC))
    since = datetime(2026, 6, 1, tzinfo=UTC)

    listed = api.get(URL, {"updated_since": "2026-06-01T00:00:00Z"})
    offset = api.get(URL, {"updated_since": "2026-06-01T02:00:00+02:00"})
    paged = api.get(URL, {"updated_since": "2026-06-01T00:00:00Z", "limit": "10"})

    beta = api.get(f"{URL}/beta").json()
    assert listed.json() == offset.json() == {"dictionaries": [beta]}
    assert paged.json() == {"dictionaries": [beta], "next_cursor": None}
    assert datetime.fromisoformat(beta["updated_at"]) >= since
    later = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert api.get(URL, {"updated_since": later}).json() == {"dictionaries": []}
    everything = api.get(URL).json()
    assert set(everything) == {"dictionaries"}  # SLNG's shape without the extension
    assert [d["name"] for d in everything["dictionaries"]] == ["alpha", "beta"]


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-06-01", "2026-06-01T00:00:00", "2026-13-01T00:00:00Z"]
)
def test_an_invalid_updated_since_is_refused_naming_it(api: APIClient, value: str) -> None:
    response = api.get(URL, {"updated_since": value})

    body = response.json()
    assert response.status_code == 400
    assert body == {
        "error": f"updated_since: {PROBLEM}",
        "code": "invalid_pronunciation",
        "fieldErrors": {"updated_since": [PROBLEM]},
        "slng_request_id": response["X-Request-Id"],
    }

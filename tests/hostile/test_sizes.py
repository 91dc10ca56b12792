"""Issue 22 item 6: size that cannot hurt anyone. A cap on dictionaries per organization in the
one write path; the list streams (and pages, opt-in); an export of any size is never a
truncated 200. The list and the export go through real gunicorn with the production settings
and a two-second worker timeout."""

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from orgs.models import Organization
from orgs.services import api_key_create
from pronunciations import services, validation
from pronunciations.models import Action, Dictionary, Source
from pronunciations.store import Write, store
from tests.factories import make_dictionary, rewrite_rules
from tests.hostile.test_inputs import _add_form
from tests.processes import Gunicorn, production_env, web_command

LIST = "/v1/pronunciation/dictionaries"
LIMIT_ERROR = (
    "Too many pronunciation dictionaries: the limit is 3 per organization "
    "(LEXICON_MAX_DICTIONARIES); delete one first."
)
LIMIT_FIELD = {"name": ["the organization has 3 dictionaries, the most it may have"]}


@pytest.fixture
def capped(settings: Any, organization: Organization) -> Organization:
    settings.LEXICON_MAX_DICTIONARIES = 3
    for name in ("one", "two", "three"):
        make_dictionary(organization, name)
    return organization


def _body(name: str) -> dict[str, Any]:
    return {"name": name, "modes": {"rewrite": {"rules": [{"match": "a", "replace": "b"}]}}}


@pytest.mark.django_db
def test_a_create_past_the_cap_is_slngs_400_naming_the_limit(
    capped: Organization, api: APIClient, other_api: APIClient
) -> None:
    """Issue 22: no cap; 3,000 dictionaries made a 47 MB list and a 512 MB worker."""
    refused = api.post(LIST, _body("four"), format="json")

    assert refused.status_code == 400
    assert refused.json() == {
        "code": "invalid_pronunciation",
        "error": LIMIT_ERROR,
        "fieldErrors": LIMIT_FIELD,
        "slng_request_id": refused["X-Request-Id"],
    }
    assert other_api.post(LIST, _body("four"), format="json").status_code == 201
    assert api.delete(f"{LIST}/one").status_code in (200, 204)
    assert api.post(LIST, _body("four"), format="json").status_code == 201


@pytest.mark.django_db
def test_an_import_and_an_undelete_past_the_cap_are_refused(
    capped: Organization, api: APIClient
) -> None:
    data = b"dictionary,mode,match,replace\nfour,rewrite,a,b\n"
    upload = SimpleUploadedFile("d.csv", data)

    imported = api.post(
        "/v1/pronunciation/import", {"file": upload, "create_missing": "true"}, format="multipart"
    )
    deleted = services.dictionary_delete(organization=capped, name="one")
    make_dictionary(capped, "four")

    assert imported.status_code == 400
    assert imported.json()["error"] == LIMIT_ERROR
    with pytest.raises(Exception, match="the limit is 3"):
        services.dictionary_undelete(organization=capped, dictionary_id=deleted.public_id)
    assert Dictionary.objects.filter(organization=capped, deleted_at__isnull=True).count() == 3


@pytest.mark.django_db
def test_the_admin_refuses_a_dictionary_past_the_cap(
    capped: Organization, admin_client: Client
) -> None:
    response = admin_client.post(
        "/admin/pronunciations/dictionary/add/", _add_form(capped, "{}", ("a", "b"))
    )

    assert LIMIT_ERROR in response.content.decode() or response.status_code == 302
    assert not Dictionary.objects.filter(name="admin-made").exists()


def _seed(organization: Organization, count: int, rules: int) -> list[str]:
    """``count`` dictionaries of ``rules`` long rules, written in one batch."""
    names = [f"dict-{i:04}" for i in range(count)]
    modes = {"rewrite": {"rules": rewrite_rules(rules, prefix="w" * 40)}}
    content = [validation.validate_dictionary({"name": n, "modes": modes}) for n in names]
    store(
        [
            Write(Dictionary(organization=organization, name=n), c, Action.CREATE, Source.API)
            for n, c in zip(names, content, strict=True)
        ]
    )
    return names


@pytest.fixture(scope="module")
def slow_server(django_db_setup: None) -> Iterator[str]:
    """gunicorn as compose runs it, with a worker timeout of two seconds."""
    server = Gunicorn(web_command(), production_env(WEB_CONCURRENCY="1", GUNICORN_TIMEOUT="2"))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def big(transactional_db: None) -> tuple[Organization, str, list[str]]:
    organization = Organization.objects.create(slug="big", name="Big")
    names = _seed(organization, 300, 256)
    return organization, api_key_create(organization=organization, label="k").plaintext, names


def test_a_long_list_streams_in_slngs_shape_and_pages_on_request(
    slow_server: str, big: tuple[Organization, str, list[str]]
) -> None:
    """Issue 22: the list was one 47 MB body; now streamed, with an opt-in limit and cursor."""
    _, key, names = big
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=slow_server, headers=headers, timeout=60) as client:
        whole = client.get(LIST)
        pages, cursor = [], ""
        while cursor is not None:
            page = client.get(LIST, params={"limit": 120, "cursor": cursor})
            assert page.status_code == 200, page.text[:300]
            pages.append([d["name"] for d in page.json()["dictionaries"]])
            cursor = page.json()["next_cursor"]

    assert whole.status_code == 200
    assert "content-length" not in whole.headers
    assert list(whole.json()) == ["dictionaries"]
    assert [d["name"] for d in whole.json()["dictionaries"]] == names
    assert [len(page) for page in pages] == [120, 120, 60]
    assert sum(pages, []) == names


def test_a_whole_organization_export_longer_than_the_worker_timeout_is_complete(
    slow_server: str, big: tuple[Organization, str, list[str]]
) -> None:
    """Issue 22: an export past gunicorn's timeout was cut and the client had a 200. 77,000
    rows take longer than the two-second timeout here; every row arrives."""
    _, key, names = big
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=slow_server, headers=headers, timeout=120) as client:
        response = client.get("/v1/pronunciation/export", params={"format": "json"})

    assert response.status_code == 200
    rows = json.loads(response.content)
    assert len(rows) == len(names) * 256
    assert rows[-1]["dictionary"] == names[-1]

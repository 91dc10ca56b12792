"""Issue 14 item 2: an API key's role decides what it may do, on every endpoint.

viewer reads (and previews and listens: they store nothing); editor also writes; reviewer and
admin also approve and reject. The endpoints are enumerated from the URL configuration, so an
endpoint added later is covered without being listed here.
"""

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.test import APIClient

from orgs.authentication import minimum_role
from orgs.models import Organization, Role
from orgs.services import api_key_create
from pronunciations import services
from pronunciations.models import Dictionary
from tests.conftest import client_with_key

pytestmark = pytest.mark.django_db

MODES = {"rewrite": {"rules": [{"match": "QP", "replace": "cue pee"}]}}

# Every API endpoint that writes, with the least role that may call it.
WRITES = {
    ("POST", "/v1/pronunciation/dictionaries"): Role.EDITOR,
    ("PUT", "/v1/pronunciation/dictionaries/{name}"): Role.EDITOR,
    ("PATCH", "/v1/pronunciation/dictionaries/{name}"): Role.EDITOR,
    ("DELETE", "/v1/pronunciation/dictionaries/{name}"): Role.EDITOR,
    ("PUT", "/v1/pronunciation/dictionaries/{name}/checks"): Role.EDITOR,
    ("PUT", "/v1/pronunciation/dictionaries/{name}/rules/{mode}/{match}"): Role.EDITOR,
    ("DELETE", "/v1/pronunciation/dictionaries/{name}/rules/{mode}/{match}"): Role.EDITOR,
    ("POST", "/v1/pronunciation/dictionaries/{name}/revisions/{number}/restore"): Role.EDITOR,
    ("POST", "/v1/pronunciation/dictionaries/{name}/revisions/{number}/approve"): Role.REVIEWER,
    ("POST", "/v1/pronunciation/dictionaries/{name}/revisions/{number}/reject"): Role.REVIEWER,
    ("POST", "/v1/pronunciation/dictionaries/{name}/revisions/{number}/withdraw"): Role.EDITOR,
    ("POST", "/v1/pronunciation/deleted-dictionaries/{dictionary_id}/restore"): Role.EDITOR,
    (
        "POST",
        "/v1/pronunciation/deleted-dictionaries/{dictionary_id}/revisions/{number}/approve",
    ): Role.REVIEWER,
    (
        "POST",
        "/v1/pronunciation/deleted-dictionaries/{dictionary_id}/revisions/{number}/reject",
    ): Role.REVIEWER,
    (
        "POST",
        "/v1/pronunciation/deleted-dictionaries/{dictionary_id}/revisions/{number}/withdraw",
    ): Role.EDITOR,
    ("POST", "/v1/pronunciation/import"): Role.EDITOR,
    ("POST", "/v1/pronunciation/dictionaries/{name}/sync"): Role.EDITOR,
    ("POST", "/v1/sync/targets/{target_id}/run"): Role.EDITOR,
    # Webhook endpoints, their logs and redelivery are an organization admin's only.
    ("GET", "/v1/webhooks"): Role.ADMIN,
    ("POST", "/v1/webhooks"): Role.ADMIN,
    ("GET", "/v1/webhooks/{endpoint_id}"): Role.ADMIN,
    ("PATCH", "/v1/webhooks/{endpoint_id}"): Role.ADMIN,
    ("DELETE", "/v1/webhooks/{endpoint_id}"): Role.ADMIN,
    ("POST", "/v1/webhooks/{endpoint_id}/resume"): Role.ADMIN,
    ("GET", "/v1/webhooks/{endpoint_id}/deliveries"): Role.ADMIN,
    ("POST", "/v1/webhooks/{endpoint_id}/deliveries/{message_id}/redeliver"): Role.ADMIN,
}


def _endpoints() -> list[tuple[str, str]]:
    return [
        (method, path)
        for path, _regex, method, _callback in EndpointEnumerator().get_api_endpoints()
        if path.startswith("/v1/")
    ]


def _required() -> dict[tuple[str, str], str]:
    return {
        (method, path): minimum_role(callback.cls, method)
        for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints()
        if path.startswith("/v1/")
    }


@pytest.fixture
def deleted_id(organization: Organization) -> str:
    services.dictionary_create(organization=organization, name="gone", modes=MODES)
    return services.dictionary_delete(organization=organization, name="gone").public_id


def _url(path: str, deleted_id: str) -> str:
    values = {
        "name": "brand",
        "mode": "rewrite",
        "match": "QP",
        "number": "1",
        "other": "1",
        "dictionary_id": deleted_id,
        "target_id": "tgt_01JD4XM2B8Q6R0S4T8V2W6Y0Z4",
        "job_id": "imp_01JD4XM2B8Q6R0S4T8V2W6Y0Z4",
        "run_id": "run_01JD4XM2B8Q6R0S4T8V2W6Y0Z4",
        "endpoint_id": "wh_01JD4XM2B8Q6R0S4T8V2W6Y0Z4",
        "message_id": "msg_01JD4XM2B8Q6R0S4T8V2W6Y0Z4",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m[1]], path)


def _call(client: APIClient, method: str, url: str) -> Any:
    return getattr(client, method.lower())(url, {}, format="json")


def test_every_write_endpoint_is_known_and_needs_editor_or_more() -> None:
    """A new endpoint that writes must be listed here (and documented in the README)."""
    required = _required()

    assert {op: role for op, role in required.items() if role != Role.VIEWER} == WRITES


def test_a_viewer_key_gets_403_on_every_write_and_reads_everything_else(
    organization: Organization, deleted_id: str
) -> None:
    services.dictionary_create(organization=organization, name="brand", modes=MODES)
    viewer = client_with_key(
        api_key_create(organization=organization, label="dashboard", role=Role.VIEWER).plaintext
    )

    refused: dict[tuple[str, str], Any] = {}
    served: dict[tuple[str, str], Any] = {}
    for method, path in _endpoints():
        response = _call(viewer, method, _url(path, deleted_id))
        (refused if response.status_code == 403 else served)[(method, path)] = response

    assert set(refused) == set(WRITES)
    for (method, path), response in refused.items():
        body = response.json()
        assert body == {
            "code": "pronunciation_forbidden",
            "error": f"This API key's role is viewer: this request needs the "
            f"{WRITES[method, path]} role or above. An organization admin can issue a key with "
            "that role.",
            "slng_request_id": body["slng_request_id"],
        }, (method, path)
    assert Dictionary.objects.filter(name="brand", deleted_at=None).exists()
    assert Dictionary.objects.get(name="brand").revision == 1
    assert served[("POST", "/v1/pronunciation/dictionaries/{name}/preview")].status_code == 400


def test_an_editor_key_writes_but_does_not_review(
    organization: Organization, deleted_id: str
) -> None:
    editor = client_with_key(
        api_key_create(organization=organization, label="tools", role=Role.EDITOR).plaintext
    )

    created = editor.post(
        "/v1/pronunciation/dictionaries", {"name": "brand", "modes": MODES}, format="json"
    )

    assert created.status_code == 201
    for (method, path), role in WRITES.items():
        response = _call(editor, method, _url(path, deleted_id))
        assert (response.status_code == 403) == (role != Role.EDITOR), (method, path)


def test_keys_made_without_a_role_are_editors(organization: Organization) -> None:
    issued = api_key_create(organization=organization, label="old-style")

    assert issued.api_key.role == Role.EDITOR


def test_an_unknown_role_is_refused(organization: Organization) -> None:
    with pytest.raises(ValueError, match="unknown role 'owner': choose one of viewer, editor"):
        api_key_create(organization=organization, label="x", role="owner")


def test_a_viewer_key_may_dry_run_an_import_but_not_import(organization: Organization) -> None:
    """Issue 27: a plan (an import's dry run) writes nothing, so a pull request's check needs
    only a viewer key; the same import without dry_run stays an editor's."""
    viewer = client_with_key(
        api_key_create(organization=organization, label="pr-check", role=Role.VIEWER).plaintext
    )

    def post(**fields: str) -> Any:
        upload = SimpleUploadedFile("d.csv", b"dictionary,mode,match,replace\nbrand,rewrite,QP,q\n")
        return viewer.post(
            "/v1/pronunciation/import",
            {"file": upload, "create_missing": "true", **fields},
            format="multipart",
        )

    planned = post(dry_run="true")
    written = post()

    assert planned.status_code == 200, planned.json()
    assert planned.json()["dictionaries"]["created"] == ["brand"]
    assert written.status_code == 403
    assert written.json()["code"] == "pronunciation_forbidden"
    assert not Dictionary.objects.filter(name="brand").exists()

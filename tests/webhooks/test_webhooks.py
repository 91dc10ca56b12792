"""Issue 27: webhooks — signed per Standard Webhooks, delivered by a real worker on their own
queue, retried with backoff, paused after repeated failures, redeliverable, organization-scoped."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from orgs.models import Organization, Role
from orgs.services import api_key_create
from sync.emulator import EmulatorThread
from sync.models import SyncState, SyncStatus
from tests.conftest import client_with_key
from tests.factories import make_dictionary
from tests.processes import Celery, wait_for
from tests.sync.conftest import emulator_target
from tests.webhooks.receiver import Receiver
from webhooks.models import Delivery, DeliveryState, Endpoint

pytestmark = pytest.mark.django_db(transaction=True)
BODY = {"name": "brand", "modes": {"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}}}


def _client(organization: Organization, role: str, label: str) -> APIClient:
    return client_with_key(
        api_key_create(organization=organization, label=label, role=role).plaintext
    )


@pytest.fixture
def admin_api(organization: Organization) -> APIClient:
    return _client(organization, Role.ADMIN, "hooks-admin")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def hook_worker(celery: Celery) -> Celery:
    """A real worker on every queue, the webhooks queue among them."""
    celery.worker()
    return celery


def _register(api: APIClient, url: str, **extra: Any) -> dict[str, Any]:
    response = api.post("/v1/webhooks", {"url": url, **extra}, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def _verified(secret: str, receiver: Receiver) -> list[dict[str, Any]]:
    """Every received body, each verified with the Standard Webhooks reference library."""
    webhook = Webhook(secret)
    return [webhook.verify(item.body, item.headers) for item in receiver.received]


def test_review_events_arrive_signed_in_order(
    organization: Organization, admin_api: APIClient, receiver: Receiver, hook_worker: Celery
) -> None:
    organization.review_required = True
    organization.save()
    created = _register(admin_api, receiver.url, description="ops")
    editor = _client(organization, Role.EDITOR, "editor")
    reviewer = _client(organization, Role.REVIEWER, "reviewer")

    assert editor.post("/v1/pronunciation/dictionaries", BODY, format="json").status_code == 201
    url = "/v1/pronunciation/dictionaries/brand/revisions/1/approve"
    assert reviewer.post(url, {"comment": "ok"}, format="json").status_code == 200

    wait_for(lambda: len(receiver.received) == 2, what="two deliveries")
    bodies = _verified(created["secret"], receiver)
    assert [body["type"] for body in bodies] == ["revision.proposed", "revision.approved"]
    assert bodies[1]["data"] == {
        "organization": organization.public_id,
        "dictionary": "brand",
        "dictionary_id": bodies[0]["data"]["dictionary_id"],
        "revision": 1,
        "action": "create",
        "review_state": "approved",
        "author": "editor",
        "comment": "",
        "content_hash": bodies[0]["data"]["content_hash"],
        "reviewed_by": "reviewer",
    }
    first = {name.lower(): value for name, value in receiver.received[0].headers.items()}
    assert first["webhook-id"].startswith("msg_")
    assert first["content-type"] == "application/json"
    log = admin_api.get(f"/v1/webhooks/{created['id']}/deliveries").json()["deliveries"]
    assert [(d["type"], d["state"], d["response_status"]) for d in log] == [
        ("revision.approved", "succeeded", 200),
        ("revision.proposed", "succeeded", 200),
    ]


def test_a_verified_sync_is_announced(
    organization: Organization,
    admin_api: APIClient,
    receiver: Receiver,
    slng: EmulatorThread,
    hook_worker: Celery,
) -> None:
    emulator_target(organization, "production", slng)
    _register(admin_api, receiver.url, events=["sync.verified"])

    make_dictionary(organization, "brand")

    wait_for(lambda: receiver.received, what="sync.verified")
    assert SyncState.objects.get(dictionary__name="brand").status == SyncStatus.VERIFIED
    (body,) = [json.loads(item.body) for item in receiver.received]
    assert body["type"] == "sync.verified"
    assert body["data"]["target"] == "production"
    assert body["data"]["dictionary"] == "brand"
    assert body["data"]["revision"] == 1


def test_failures_are_retried_with_backoff_until_the_endpoint_answers(
    organization: Organization, admin_api: APIClient, receiver: Receiver, hook_worker: Celery
) -> None:
    receiver.statuses = [500, 503, 200]
    created = _register(admin_api, receiver.url)

    make_dictionary(organization, "brand")

    wait_for(lambda: Delivery.objects.filter(state=DeliveryState.SUCCEEDED).exists(), what="ok")
    delivery = Delivery.objects.get()
    assert delivery.attempts == 3
    assert delivery.response_status == 200
    assert len({item.headers["webhook-id"] for item in receiver.received}) == 1
    assert len(_verified(created["secret"], receiver)) == 3
    assert Endpoint.objects.get().failures_in_a_row == 0


def test_an_endpoint_that_keeps_failing_is_paused_then_resumed_and_redelivered(
    organization: Organization, admin_api: APIClient, receiver: Receiver, hook_worker: Celery
) -> None:
    receiver.statuses = [500]
    created = _register(admin_api, receiver.url)
    for name in ("one", "two"):
        make_dictionary(organization, name)
    # 4 attempts a delivery (test settings), paused at the 6th failure in a row.
    wait_for(lambda: Endpoint.objects.get().paused_at is not None, what="paused")
    wait_for(
        lambda: not Delivery.objects.exclude(state=DeliveryState.FAILED).exists(), what="failed"
    )
    make_dictionary(organization, "three")  # recorded, not sent
    sent = len(receiver.received)
    endpoint = admin_api.get(f"/v1/webhooks/{created['id']}").json()
    assert endpoint["paused_reason"].startswith("paused after 6 failed deliveries in a row")
    wait_for(lambda: Delivery.objects.count() == 3, what="the third event")
    assert Delivery.objects.get(payload__data__dictionary="three").error == (
        "not sent: the endpoint is paused"
    )
    assert len(receiver.received) == sent

    receiver.statuses = [200]
    assert admin_api.post(f"/v1/webhooks/{created['id']}/resume").status_code == 200
    for delivery in Delivery.objects.all():
        url = f"/v1/webhooks/{created['id']}/deliveries/{delivery.message_id}/redeliver"
        assert admin_api.post(url).status_code == 202

    wait_for(
        lambda: Delivery.objects.filter(state=DeliveryState.SUCCEEDED).count() == 3,
        what="redelivered",
    )


def test_redirects_are_not_followed(
    organization: Organization, admin_api: APIClient, hook_worker: Celery
) -> None:
    with Receiver() as elsewhere, Receiver(statuses=[307], location="") as receiver:
        receiver.location = elsewhere.url
        _register(admin_api, receiver.url)
        make_dictionary(organization, "brand")
        wait_for(lambda: Delivery.objects.filter(attempts__gte=2).exists(), what="attempts")
        assert elsewhere.received == []
        assert Delivery.objects.get().error == "redirects are not followed"


def test_endpoints_are_an_organization_admins_and_scoped(
    organization: Organization, other_organization: Organization, admin_api: APIClient
) -> None:
    created = _register(admin_api, "http://127.0.0.1:9/hooks")
    other_admin = _client(other_organization, Role.ADMIN, "other-admin")
    editor = _client(organization, Role.EDITOR, "editor")

    assert other_admin.get(f"/v1/webhooks/{created['id']}").status_code == 404
    assert other_admin.get("/v1/webhooks").json() == {"endpoints": []}
    assert editor.get("/v1/webhooks").status_code == 403
    listed = admin_api.get("/v1/webhooks").json()["endpoints"]
    assert [item["id"] for item in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert created["secret"].startswith("whsec_")
    assert Endpoint.objects.get().secret_encrypted != created["secret"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"url": "ftp://127.0.0.1/x"}, "url", "url must be an absolute http:// or https:// URL"),
        ({"url": "http://u:p@127.0.0.1/x"}, "url", "url must not carry credentials or a #fragment"),
        # Save-time refusals only: nothing ever connects to these.
        ({"url": "http://169.254.169.254/latest"}, "url", "link-local"),
        ({"url": "http://10.1.2.3/hooks"}, "url", "LEXICON_PRIVATE_TARGETS"),
        ({"url": "http://localhost:9/hooks"}, "url", "localhost is a loopback name"),
        ({"url": "https://ex\u200bample.com/hooks"}, "url", "ZERO WIDTH SPACE"),
        (
            {"url": "http://127.0.0.1/x", "events": ["nope"]},
            "events[0]",
            '"nope" is not a valid choice.',
        ),
    ],
)
def test_bad_endpoints_are_refused_naming_the_field(
    admin_api: APIClient, body: dict[str, Any], field: str, message: str
) -> None:
    response = admin_api.post("/v1/webhooks", body, format="json")

    assert response.status_code == 400
    errors = response.json()["fieldErrors"]
    assert any(
        message in problem
        for key, problems in errors.items()
        for problem in problems
        if key.startswith(field.split("[")[0])
    ), errors
    assert not Endpoint.objects.exists()


def test_a_name_that_resolves_inside_is_refused_when_delivering(
    organization: Organization, admin_api: APIClient, hook_worker: Celery, settings: Any
) -> None:
    """Issue 27 (with issue 22's host rules): saved while ``localhost`` was listed, the endpoint
    is refused at connect time once it is not; the loopback listener receives nothing."""
    with Receiver() as receiver:
        url = receiver.url.replace("127.0.0.1", "localhost")
        settings.LEXICON_PRIVATE_TARGETS = ["127.0.0.1", "localhost"]
        _register(admin_api, url)
        settings.LEXICON_PRIVATE_TARGETS = ["127.0.0.1"]

        make_dictionary(organization, "brand")

        wait_for(lambda: Delivery.objects.filter(attempts__gte=1).exists(), what="an attempt")
        assert receiver.received == []
        assert Delivery.objects.get().error.startswith("could not deliver")

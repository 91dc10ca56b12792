"""Issue 23 item 1: review that matches what is live. Every new revision supersedes the older
proposals of its dictionary; only the newest revision can be approved (a restored deletion's
stale approval is refused); an author withdraws a proposal; turning review off decides what
waits; data left in a bad state is reported by ``manage.py check`` and repaired by
``manage.py repair_review``."""

import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from orgs.actors import Actor
from orgs.models import Organization, Role
from orgs.services import api_key_create, organization_configure
from pronunciations import review, review_health, selectors
from pronunciations.models import Dictionary, ReviewState, Revision
from tests.conftest import client_with_key
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

URL = "/v1/pronunciation/dictionaries"
DELETED = "/v1/pronunciation/deleted-dictionaries"
V1 = {"rewrite": {"rules": [{"match": "QP", "replace": "cue pee"}]}}
V2 = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}


@pytest.fixture
def reviewed(organization: Organization) -> Organization:
    return organization_configure(organization=organization, review_required=True)


def _client(organization: Organization, role: str, label: str) -> APIClient:
    return client_with_key(
        api_key_create(organization=organization, label=label, role=role).plaintext
    )


@pytest.fixture
def reviewer(organization: Organization) -> APIClient:
    return _client(organization, Role.REVIEWER, "reviewer")


def _states(dictionary: Dictionary) -> dict[int, str]:
    return dict(dictionary.revisions.values_list("number", "review_state"))


def _served(dictionary: Dictionary) -> tuple[int, str] | None:
    approved = selectors.approved_revision(dictionary)
    return None if approved is None else (approved.number, approved.action)


def _brand(api: APIClient, reviewer: APIClient) -> Dictionary:
    """brand, revision 1 approved."""
    assert api.post(URL, {"name": "brand", "modes": V1}, format="json").status_code == 201
    assert reviewer.post(f"{URL}/brand/revisions/1/approve").status_code == 200
    return Dictionary.objects.get(name="brand")


# -- supersede and newest only ------------------------------------------------------------------


def test_a_restored_deletion_cannot_be_approved_and_production_keeps_the_dictionary(
    api: APIClient, reviewed: Organization, reviewer: APIClient
) -> None:
    """The walk of issue 23: delete, restore from Deleted dictionaries, approve the deletion."""
    dictionary = _brand(api, reviewer)
    assert api.delete(f"{URL}/brand").status_code == 204
    assert api.post(f"{DELETED}/{dictionary.public_id}/restore").status_code == 200
    assert _states(dictionary) == {1: "approved", 2: "superseded", 3: "proposed"}

    by_name = reviewer.post(f"{URL}/brand/revisions/2/approve")
    by_id = reviewer.post(f"{DELETED}/{dictionary.public_id}/revisions/2/approve")

    assert by_name.status_code == 409
    body = by_name.json()
    assert body["code"] == "pronunciation_conflict"
    assert body["error"].startswith(
        "Revision 2 of pronunciation dictionary brand is not its newest: revision 3 is."
    )
    assert by_id.status_code == 404  # brand is live again: it is no deleted dictionary
    assert _served(dictionary) == (1, "create")
    assert reviewer.post(f"{URL}/brand/revisions/3/approve").status_code == 200
    assert _served(dictionary) == (3, "undelete")


def test_a_restore_supersedes_the_bad_change_it_undoes(
    api: APIClient, reviewed: Organization, reviewer: APIClient
) -> None:
    dictionary = _brand(api, reviewer)
    assert api.put(f"{URL}/brand", {"modes": V2}, format="json").status_code == 200
    assert api.post(f"{URL}/brand/revisions/1/restore").status_code == 200

    stale = reviewer.post(f"{URL}/brand/revisions/2/approve")

    assert stale.status_code == 409
    assert "is not its newest: revision 3 is" in stale.json()["error"]
    assert _states(dictionary) == {1: "approved", 2: "superseded", 3: "proposed"}
    assert _served(dictionary) == (1, "create")


def test_rejecting_a_superseded_revision_is_a_conflict_too(
    api: APIClient, reviewed: Organization, reviewer: APIClient
) -> None:
    _brand(api, reviewer)
    assert api.put(f"{URL}/brand", {"modes": V2}, format="json").status_code == 200
    assert api.put(f"{URL}/brand", {"modes": V1}, format="json").status_code == 200

    response = reviewer.post(f"{URL}/brand/revisions/2/reject", {"comment": "no"}, format="json")

    assert response.status_code == 409
    assert "was superseded: a later revision was made or approved" in response.json()["error"]


# -- withdraw -----------------------------------------------------------------------------------


def test_the_author_withdraws_a_proposal_and_nothing_served_changes(
    api: APIClient, reviewed: Organization, reviewer: APIClient
) -> None:
    dictionary = _brand(api, reviewer)
    assert api.put(f"{URL}/brand", {"modes": V2}, format="json").status_code == 200
    other_editor = _client(reviewed, Role.EDITOR, "other-editor")

    by_other = other_editor.post(f"{URL}/brand/revisions/2/withdraw")
    by_reviewer = reviewer.post(f"{URL}/brand/revisions/2/withdraw")
    done = api.post(f"{URL}/brand/revisions/2/withdraw", {"comment": "wrong"}, format="json")
    again = api.post(f"{URL}/brand/revisions/2/withdraw")
    approve = reviewer.post(f"{URL}/brand/revisions/2/approve")

    assert (by_other.status_code, by_other.json()["code"]) == (403, "pronunciation_forbidden")
    assert by_other.json()["error"] == (
        "Only its author (production-key) can withdraw revision 2 of pronunciation dictionary "
        "brand."
    )
    assert by_reviewer.status_code == 403
    assert done.status_code == 200, done.json()
    assert done.json()["review"]["state"] == "withdrawn"
    assert (done.json()["review"]["by"], done.json()["review"]["comment"]) == (
        "production-key",
        "wrong",
    )
    assert (again.status_code, again.json()["code"]) == (409, "pronunciation_conflict")
    assert "was withdrawn by its author" in approve.json()["error"]
    assert _states(dictionary) == {1: "approved", 2: "withdrawn"}
    assert _served(dictionary) == (1, "create")
    assert api.get(f"{URL}/brand").json()["modes"] == V2  # the content stays as written


def test_a_proposed_deletion_is_withdrawn_through_the_deleted_dictionary(
    api: APIClient, reviewed: Organization, reviewer: APIClient
) -> None:
    dictionary = _brand(api, reviewer)
    assert api.delete(f"{URL}/brand").status_code == 204

    done = api.post(f"{DELETED}/{dictionary.public_id}/revisions/2/withdraw")

    assert (done.status_code, done.json()["action"]) == (200, "delete")
    assert _states(dictionary) == {1: "approved", 2: "withdrawn"}
    assert _served(dictionary) == (1, "create")


def test_a_viewer_key_cannot_withdraw(api: APIClient, reviewed: Organization) -> None:
    assert api.post(URL, {"name": "brand", "modes": V1}, format="json").status_code == 201
    viewer = _client(reviewed, Role.VIEWER, "viewer")

    assert viewer.post(f"{URL}/brand/revisions/1/withdraw").status_code == 403


def test_withdraw_is_in_the_openapi_schema() -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]

    live = paths["/v1/pronunciation/dictionaries/{name}/revisions/{number}/withdraw"]["post"]
    deleted = paths[
        "/v1/pronunciation/deleted-dictionaries/{dictionary_id}/revisions/{number}/withdraw"
    ]["post"]
    assert live["operationId"] == "pronunciation-revisions-withdraw"
    assert {"200", "403", "409"} <= set(live["responses"])
    assert deleted["operationId"] == "pronunciation-deleted-revisions-withdraw"
    approve = paths["/v1/pronunciation/dictionaries/{name}/revisions/{number}/approve"]["post"]
    examples = approve["responses"]["409"]["content"]["application/json"]["examples"]
    assert "revision 4 is" in examples["NotNewest"]["value"]["error"]


# -- turning review off -------------------------------------------------------------------------


def test_turning_review_off_approves_each_waiting_proposal_by_policy(
    api: APIClient,
    reviewed: Organization,
    reviewer: APIClient,
    django_capture_on_commit_callbacks: Any,
    announced: list[str],
) -> None:
    brand = _brand(api, reviewer)
    assert api.put(f"{URL}/brand", {"modes": V2}, format="json").status_code == 200
    assert api.post(URL, {"name": "other", "modes": V1}, format="json").status_code == 201
    other = Dictionary.objects.get(name="other")
    announced.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "configure_org",
            "--org",
            "acme",
            "--review-required",
            "off",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    assert _states(brand) == {1: "approved", 2: "auto"}
    assert _states(other) == {1: "auto"}
    decided = brand.revisions.get(number=2)
    assert (decided.reviewed_by, decided.review_comment) == (
        "manage.py configure_org",
        review.POLICY,
    )
    assert decided.reviewed_at is not None
    assert _served(brand) == (2, "update")
    assert announced == ["approved", "approved"]
    assert selectors.revision_proposed(actor=Actor.system("test", reviewed), limit=5)[1] == 0


def test_turning_review_off_in_the_admin_decides_the_same_way(
    api: APIClient, reviewed: Organization
) -> None:
    assert api.post(URL, {"name": "brand", "modes": V1}, format="json").status_code == 201
    admin: User = staff_user("boss", reviewed, Role.ADMIN)
    client = Client()
    client.force_login(admin)

    saved = client.post(
        f"/admin/orgs/organization/{reviewed.pk}/change/",
        {"slug": reviewed.slug, "name": reviewed.name},  # review_required unticked
    )

    assert saved.status_code == 302
    revision = Revision.objects.get(dictionary__name="brand")
    assert (revision.review_state, revision.reviewed_by) == (ReviewState.AUTO, "boss")


# -- data from before: the system check and the repair -------------------------------------------


def _bad_data(api: APIClient, reviewer: APIClient, other_organization: Organization) -> Dictionary:
    """What issue 23 found: a deletion approved after its dictionary was restored (written as the
    old code did), a proposal older than its dictionary's newest, a proposal left waiting with
    review off."""
    dictionary = _brand(api, reviewer)
    assert api.delete(f"{URL}/brand").status_code == 204
    assert api.post(f"{DELETED}/{dictionary.public_id}/restore").status_code == 200
    dictionary.revisions.filter(number=2).update(
        review_state=ReviewState.APPROVED, reviewed_by="reviewer", reviewed_at=timezone.now()
    )
    assert api.post(URL, {"name": "terms", "modes": V1}, format="json").status_code == 201
    assert api.put(f"{URL}/terms", {"modes": V2}, format="json").status_code == 200
    Revision.objects.filter(dictionary__name="terms", number=1).update(review_state="proposed")
    theirs = client_with_key(api_key_create(organization=other_organization, label="g").plaintext)
    assert theirs.post(URL, {"name": "left", "modes": V1}, format="json").status_code == 201
    Revision.objects.filter(dictionary__name="left").update(review_state="proposed")
    return dictionary


def test_the_system_check_reports_bad_review_data_and_repair_review_fixes_it(
    api: APIClient, reviewed: Organization, reviewer: APIClient, other_organization: Organization
) -> None:
    dictionary = _bad_data(api, reviewer, other_organization)
    assert _served(dictionary) == (2, "delete")  # production treats a live dictionary as deleted

    with pytest.raises(SystemCheckError) as reported:
        call_command("check", "--database", "default")
    message = str(reported.value)
    assert "pronunciations.E001" in message
    assert (
        "revision 2 of acme/brand (deleted) was approved after revision 3 existed; it is what "
        "the approved channel serves" in message
    )
    assert "revision 1 of acme/terms is proposed but is not the newest revision (2)" in message
    assert "globex has proposals waiting although its review is off" in message
    assert "Run manage.py repair_review" in message

    out = io.StringIO()
    call_command("repair_review", "--dry-run", stdout=out, stderr=io.StringIO())
    assert len(out.getvalue().splitlines()) == 3
    assert _served(dictionary) == (2, "delete")
    call_command("repair_review", stdout=io.StringIO(), stderr=io.StringIO())

    assert _states(dictionary) == {1: "approved", 2: "superseded", 3: "proposed"}
    assert dictionary.revisions.get(number=2).review_comment == review_health.REPAIRED
    assert _served(dictionary) == (1, "create")
    assert dict(
        Revision.objects.filter(dictionary__name="terms").values_list("number", "review_state")
    ) == {1: "superseded", 2: "proposed"}
    assert Revision.objects.get(dictionary__name="left").review_state == ReviewState.AUTO
    assert not review_health.find()
    call_command("check", "--database", "default", stdout=io.StringIO())

"""Issue 14 item 2: review. Revisions start proposed when an organization requires review; a
reviewer who is not the author approves or rejects them; SLNG clients see no difference."""

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from config.celery import app
from orgs.actors import Actor
from orgs.models import Membership, Organization, Role
from orgs.services import IssuedKey, api_key_create, organization_configure
from pronunciations import review, selectors, services
from pronunciations.errors import (
    DictionaryNotFound,
    Forbidden,
    InvalidDictionary,
    RevisionNotProposed,
)
from pronunciations.models import Dictionary, ReviewState, Revision
from pronunciations.transfer import jobs
from tests.conftest import client_with_key
from tests.factories import decide

URL = "/v1/pronunciation/dictionaries"
V1 = {"rewrite": {"rules": [{"match": "QP", "replace": "cue pee"}]}}
V2 = {"rewrite": {"rules": [{"match": "QubePay", "replace": "cube pay"}]}}
V3 = {"rewrite": {"rules": [{"match": "QubePay", "replace": "queue pay"}]}}

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(organization: Organization) -> Organization:
    return organization_configure(organization=organization, review_required=True)


def _key(organization: Organization, role: str, label: str | None = None) -> IssuedKey:
    return api_key_create(organization=organization, label=label or role, role=role)


@pytest.fixture
def reviewer(organization: Organization) -> APIClient:
    return client_with_key(_key(organization, Role.REVIEWER).plaintext)


def _refusal(response: Any, status: int) -> dict[str, Any]:
    """The error body of a refusal at ``status``, without its (varying) request id."""
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert body.pop("slng_request_id").startswith("req_")
    return body


def _states(dictionary: Dictionary) -> dict[int, str]:
    return dict(dictionary.revisions.values_list("number", "review_state"))


def _edited(api: APIClient, *versions: dict[str, Any]) -> Dictionary:
    """brand: revision 1 made with V1, then one PUT per version."""
    assert api.post(URL, {"name": "brand", "modes": V1}, format="json").status_code == 201
    for modes in versions:
        assert api.put(f"{URL}/brand", {"modes": modes}, format="json").status_code == 200
    return Dictionary.objects.get(name="brand")


# -- the state every write starts in ------------------------------------------------------------


def test_with_review_off_every_revision_is_auto_approved_and_records_its_author(
    api: APIClient, issued_key: IssuedKey
) -> None:
    dictionary = _edited(api, V2)
    assert api.delete(f"{URL}/brand").status_code == 204
    restore = f"/v1/pronunciation/deleted-dictionaries/{dictionary.public_id}/restore"
    assert api.post(restore).status_code == 200

    revisions = Revision.objects.filter(dictionary=dictionary).order_by("number")
    assert [(r.action, r.review_state, r.author, r.author_ref) for r in revisions] == [
        (action, "auto", "production-key", f"key:{issued_key.api_key.prefix}")
        for action in ("create", "update", "delete", "undelete")
    ]


def test_with_review_on_every_kind_of_write_starts_proposed_and_supersedes_older_proposals(
    api: APIClient, reviewed: Organization
) -> None:
    """Issue 23 item 1: an edit, a restore, a delete and an undelete each supersede every older
    proposal of the dictionary, so only the newest revision waits for review."""
    dictionary = _edited(api)
    restore = f"/v1/pronunciation/deleted-dictionaries/{dictionary.public_id}/restore"
    writes = [
        lambda: api.put(f"{URL}/brand", {"modes": V2}, format="json"),
        lambda: api.post(f"{URL}/brand/revisions/1/restore"),
        lambda: api.delete(f"{URL}/brand"),
        lambda: api.post(restore),
    ]
    assert _states(dictionary) == {1: "proposed"}
    for number, write in enumerate(writes, start=2):
        assert write().status_code in (200, 204)
        assert _states(dictionary) == {
            **dict.fromkeys(range(1, number), "superseded"),
            number: "proposed",
        }

    revisions = dictionary.revisions.order_by("number")
    assert [(r.action, r.source) for r in revisions] == [
        ("create", "api"),
        ("update", "api"),
        ("update", "restore"),
        ("delete", "api"),
        ("undelete", "restore"),
    ]


def test_imports_and_commands_record_their_author_and_start_proposed(
    reviewed: Organization, issued_key: IssuedKey, tmp_path: Any
) -> None:
    rows = "dictionary,mode,match,replace\nbrand,rewrite,QP,cue pee\n"
    response = client_with_key(issued_key.plaintext).post(
        "/v1/pronunciation/import",
        {"file": io.BytesIO(rows.encode()), "format": "csv", "create_missing": "true"},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    path = tmp_path / "rows.csv"
    path.write_text(rows.replace("cue pee", "queue pee"))
    call_command("import_dictionaries", str(path), "--org", "acme", stdout=io.StringIO())

    revisions = Revision.objects.filter(dictionary__name="brand").order_by("number")
    assert [(r.source, r.author_ref, r.review_state) for r in revisions] == [
        ("import", f"key:{issued_key.api_key.prefix}", "superseded"),
        ("import", "command:import_dictionaries", "proposed"),
    ]


def test_a_background_import_records_the_key_that_queued_it(
    reviewed: Organization, issued_key: IssuedKey
) -> None:
    """The job runs later, in a worker: it keeps the author's reference with its options."""
    rows = b"dictionary,mode,match,replace\nbrand,rewrite,QP,cue pee\n"
    api = client_with_key(issued_key.plaintext)
    app.control.purge()
    try:
        queued = api.post(
            "/v1/pronunciation/import?async=true",
            {"file": io.BytesIO(rows), "format": "csv", "create_missing": "true"},
            format="multipart",
        )
        assert queued.status_code == 202
        jobs.import_job_run(job_id=queued.json()["id"], organization_id=reviewed.public_id)
    finally:
        app.control.purge()

    [revision] = Revision.objects.filter(dictionary__name="brand")
    assert (revision.author, revision.author_ref) == (
        "production-key",
        f"key:{issued_key.api_key.prefix}",
    )
    assert revision.review_state == ReviewState.PROPOSED


def test_the_admin_records_the_user_as_author(reviewed: Organization) -> None:
    user = get_user_model().objects.create_user("linguist", password="pw-for-tests", is_staff=True)
    Membership.objects.create(user=user, organization=reviewed, role=Role.EDITOR)
    client = Client()
    client.force_login(user)
    form = {
        "organization": str(reviewed.pk),
        "name": "admin-made",
        "metadata": "{}",
        "etag": "",
        "rewrite_match": "QP",
        "rewrite_value": "cue pee",
    }

    response = client.post("/admin/pronunciations/dictionary/add/", form)

    assert response.status_code == 302
    [revision] = Revision.objects.filter(dictionary__name="admin-made")
    assert (revision.author, revision.author_ref) == ("linguist", f"user:{user.pk}")
    assert revision.review_state == ReviewState.PROPOSED


def test_turning_review_on_applies_to_the_next_write_only(
    api: APIClient, organization: Organization
) -> None:
    dictionary = _edited(api)
    organization_configure(organization=organization, review_required=True)
    assert api.put(f"{URL}/brand", {"modes": V2}, format="json").status_code == 200

    assert _states(dictionary) == {1: "auto", 2: "proposed"}


# -- SLNG clients keep working (item 4) -------------------------------------------------------


def test_slng_create_and_delete_answer_as_before_with_review_on(
    api: APIClient, organization: Organization
) -> None:
    before = api.post(URL, {"name": "off", "modes": V1}, format="json")
    organization_configure(organization=organization, review_required=True)

    created = api.post(URL, {"name": "on", "modes": V1}, format="json")

    assert created.status_code == 201
    varying = {"id", "name", "normalized_name", "created_at", "updated_at"}
    assert {k: v for k, v in created.json().items() if k not in varying} == {
        k: v for k, v in before.json().items() if k not in varying
    }
    assert set(created.json()) == set(before.json())
    assert api.get(f"{URL}/on").json()["modes"] == V1
    deleted = api.delete(f"{URL}/on")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert api.get(f"{URL}/on").status_code == 404


# -- approving and rejecting --------------------------------------------------------------------


def test_a_reviewer_key_approves_and_the_revision_carries_its_review(
    api: APIClient, reviewed: Organization, reviewer: APIClient
) -> None:
    _edited(api, V2)

    response = reviewer.post(
        f"{URL}/brand/revisions/2/approve", {"comment": "checked on staging"}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body.pop("created_at").endswith("Z")
    assert body["review"].pop("at").endswith("Z")
    assert body == {
        "number": 2,
        "action": "update",
        "source": "api",
        "author": "production-key",
        "comment": "",
        "content_hash": api.get(f"{URL}/brand").json()["content_hash"],
        "review": {"state": "approved", "by": "reviewer", "comment": "checked on staging"},
        "modes": V2,
        "metadata": {},
        "checks": [],
        "check_results": [],
        "checks_failed": 0,
    }
    listed = api.get(f"{URL}/brand/revisions").json()["revisions"]
    assert [(r["number"], r["review"]["state"], r["review"]["by"]) for r in listed] == [
        (2, "approved", "reviewer"),
        (1, "superseded", None),
    ]
    assert api.get(f"{URL}/brand/revisions/1").json()["review"] == {
        "state": "superseded",
        "by": None,
        "at": None,
        "comment": None,
    }


def test_revisions_made_with_review_off_show_an_auto_review(api: APIClient) -> None:
    _edited(api)

    [revision] = api.get(f"{URL}/brand/revisions").json()["revisions"]

    assert revision["review"] == {"state": "auto", "by": None, "at": None, "comment": None}


def test_the_author_cannot_approve_their_own_change_even_as_a_reviewer(
    reviewed: Organization,
) -> None:
    own = client_with_key(_key(reviewed, Role.REVIEWER, "self-reviewer").plaintext)
    _edited(own)

    response = own.post(f"{URL}/brand/revisions/1/approve", format="json")

    assert _refusal(response, 403) == {
        "code": "pronunciation_forbidden",
        "error": "Revision 1 of pronunciation dictionary brand is your own change: another "
        "reviewer must approve or reject it.",
    }
    reject = own.post(f"{URL}/brand/revisions/1/reject", {"comment": "no"}, format="json")
    assert reject.status_code == 403
    assert _states(Dictionary.objects.get(name="brand")) == {1: "proposed"}


def test_a_member_cannot_approve_their_own_change(reviewed: Organization) -> None:
    user = get_user_model().objects.create_user("lead", is_staff=True)
    author = Actor.for_user(user, Role.ADMIN)
    dictionary = services.dictionary_create(
        organization=reviewed, name="brand", modes=V1, created_by=author
    )

    with pytest.raises(Forbidden, match="your own change"):
        decide(dictionary, author, ReviewState.APPROVED)
    other = get_user_model().objects.create_user("second", is_staff=True)
    approved = decide(dictionary, Actor.for_user(other, Role.REVIEWER), ReviewState.APPROVED)
    assert (approved.review_state, approved.reviewed_by) == ("approved", "second")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_a_viewer_or_editor_key_cannot_approve_or_reject(
    api: APIClient, reviewed: Organization, role: str
) -> None:
    _edited(api)
    other = client_with_key(_key(reviewed, role).plaintext)

    approve = other.post(f"{URL}/brand/revisions/1/approve", format="json")
    reject = other.post(f"{URL}/brand/revisions/1/reject", {"comment": "no"}, format="json")

    assert (approve.status_code, reject.status_code) == (403, 403)
    assert approve.json()["code"] == "pronunciation_forbidden"
    assert approve.json()["error"] == (
        f"This API key's role is {role}: this request needs the reviewer role or above. An "
        "organization admin can issue a key with that role."
    )
    assert _states(Dictionary.objects.get(name="brand")) == {1: "proposed"}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR, ""])
def test_a_member_below_reviewer_cannotdecide(reviewed: Organization, role: str) -> None:
    dictionary = services.dictionary_create(organization=reviewed, name="brand", modes=V1)
    user = get_user_model().objects.create_user("member", is_staff=True)

    with pytest.raises(Forbidden, match="needs the reviewer or admin role"):
        decide(dictionary, Actor.for_user(user, role), ReviewState.APPROVED)


def test_an_admin_key_may_approve(api: APIClient, reviewed: Organization) -> None:
    _edited(api)
    admin = client_with_key(_key(reviewed, Role.ADMIN).plaintext)

    assert admin.post(f"{URL}/brand/revisions/1/approve").status_code == 200


# With V1 (QP -> cue pee) the first check passes and the other two fail.
CHECKS = [
    {"text": "Pay by QP", "expect": "Pay by cue pee"},
    {"text": "QubePay", "expect": "cube pay"},
    {"text": "QP now", "expect": "queue pee now"},
]


def test_a_revision_whose_checks_fail_cannot_be_approved(
    api: APIClient, reviewed: Organization, reviewer: APIClient
) -> None:
    created = api.post(URL, {"name": "brand", "modes": V1, "checks": CHECKS}, format="json")
    assert created.status_code == 201
    dictionary = Dictionary.objects.get(name="brand")

    response = reviewer.post(f"{URL}/brand/revisions/1/approve", format="json")

    assert _refusal(response, 400) == {
        "code": "invalid_pronunciation",
        "error": "Revision 1 of pronunciation dictionary brand cannot be approved: 2 of its "
        "checks fail. Fix the rules or the checks in a new revision and approve that one.",
        "fieldErrors": {
            "checks[1]": ["'QubePay': expected 'cube pay', got 'QubePay'"],
            "checks[2]": ["'QP now': expected 'queue pee now', got 'cue pee now'"],
        },
    }
    assert _states(dictionary) == {1: "proposed"}
    fixed = api.put(f"{URL}/brand/checks", {"checks": CHECKS[:1]}, format="json")
    assert fixed.status_code == 200
    assert reviewer.post(f"{URL}/brand/revisions/2/approve").status_code == 200
    assert _states(dictionary) == {1: "superseded", 2: "approved"}


def test_only_the_newest_revision_can_be_approved_and_the_conflict_names_it(
    api: APIClient, reviewed: Organization, reviewer: APIClient
) -> None:
    """Issue 23 item 1: approving an older revision answers 409 naming the newest."""
    dictionary = _edited(api, V2, V3, V1)

    stale = reviewer.post(f"{URL}/brand/revisions/3/approve")

    assert _refusal(stale, 409) == {
        "code": "pronunciation_conflict",
        "error": "Revision 3 of pronunciation dictionary brand is not its newest: revision 4 "
        "is. Only the newest revision can be approved; review revision 4.",
    }
    assert reviewer.post(f"{URL}/brand/revisions/4/approve").status_code == 200
    assert _states(dictionary) == {1: "superseded", 2: "superseded", 3: "superseded", 4: "approved"}
    approved = selectors.approved_revision(dictionary)
    assert approved is not None
    assert (approved.number, approved.snapshot["modes"]) == (4, V1)


def test_rejecting_leaves_the_approved_revision_as_it_was(
    api: APIClient, reviewed: Organization, reviewer: APIClient
) -> None:
    dictionary = _edited(api, V2)
    assert reviewer.post(f"{URL}/brand/revisions/2/approve").status_code == 200
    assert api.put(f"{URL}/brand", {"modes": V3}, format="json").status_code == 200

    response = reviewer.post(
        f"{URL}/brand/revisions/3/reject", {"comment": "it is cube pay"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["review"]["state"] == "rejected"
    assert response.json()["review"]["comment"] == "it is cube pay"
    assert _states(dictionary) == {1: "superseded", 2: "approved", 3: "rejected"}
    approved = selectors.approved_revision(dictionary)
    assert approved is not None
    assert (approved.number, approved.snapshot["modes"]) == (2, V2)
    # The dictionary itself is as the last write left it (latest-channel targets serve it).
    assert api.get(f"{URL}/brand").json()["modes"] == V3


def test_a_rejection_needs_a_comment_and_comments_are_bounded(
    api: APIClient, reviewed: Organization, reviewer: APIClient
) -> None:
    _edited(api)

    blank = reviewer.post(f"{URL}/brand/revisions/1/reject", {"comment": "  "}, format="json")
    long = reviewer.post(f"{URL}/brand/revisions/1/approve", {"comment": "x" * 501}, format="json")
    typed = reviewer.post(f"{URL}/brand/revisions/1/approve", {"comment": 7}, format="json")

    assert blank.json()["fieldErrors"] == {"comment": ["a rejection needs a comment saying why"]}
    assert long.json()["fieldErrors"] == {"comment": ["must be at most 500 characters"]}
    assert typed.json()["fieldErrors"] == {"comment": ["must be a string"]}
    assert {blank.status_code, long.status_code, typed.status_code} == {400}
    with pytest.raises(ValidationError):
        decide(
            Dictionary.objects.get(name="brand"),
            Actor("r", "key:r", Role.REVIEWER),
            ReviewState.REJECTED,
        )


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        ("approved", "was approved already"),
        ("rejected", "was rejected already"),
        ("superseded", "was superseded: a later revision was made or approved"),
        ("withdrawn", "was withdrawn by its author"),
        ("auto", "needs no review: it was approved automatically (review was off)"),
    ],
)
def test_only_a_proposed_revision_can_be_decided(
    api: APIClient, reviewed: Organization, reviewer: APIClient, state: str, reason: str
) -> None:
    dictionary = _edited(api)
    Revision.objects.filter(dictionary=dictionary).update(review_state=state)

    response = reviewer.post(f"{URL}/brand/revisions/1/approve", format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "pronunciation_conflict"
    assert response.json()["error"] == (
        f"Revision 1 of pronunciation dictionary brand {reason}; only a proposed revision can "
        "be approved, rejected or withdrawn."
    )


def test_a_stale_approval_of_a_superseded_revision_is_a_conflict(
    api: APIClient, reviewed: Organization, reviewer: APIClient
) -> None:
    _edited(api, V2)
    assert reviewer.post(f"{URL}/brand/revisions/2/approve").status_code == 200

    stale = reviewer.post(f"{URL}/brand/revisions/1/approve")

    assert stale.status_code == 409
    assert "is not its newest: revision 2 is" in stale.json()["error"]


def test_unknown_revisions_and_other_organizations_are_not_found(
    api: APIClient, reviewed: Organization, reviewer: APIClient, other_organization: Organization
) -> None:
    _edited(api)
    theirs = client_with_key(_key(other_organization, Role.REVIEWER).plaintext)

    assert reviewer.post(f"{URL}/brand/revisions/9/approve").status_code == 404
    assert theirs.post(f"{URL}/brand/revisions/1/approve").status_code == 404
    assert reviewer.post(f"{URL}/bad name/revisions/1/approve").status_code == 400


# -- deletion and undeletion are reviewed like any other change -----------------------------------


def test_a_deletion_is_approved_through_the_deleted_dictionary_and_an_undeletion_by_name(
    api: APIClient, reviewed: Organization, reviewer: APIClient
) -> None:
    dictionary = _edited(api)
    assert reviewer.post(f"{URL}/brand/revisions/1/approve").status_code == 200
    assert api.delete(f"{URL}/brand").status_code == 204
    deleted = "/v1/pronunciation/deleted-dictionaries"
    [listed] = api.get(deleted).json()["dictionaries"]
    assert (listed["revision"], listed["review_state"]) == (2, "proposed")

    approved = reviewer.post(
        f"{deleted}/{dictionary.public_id}/revisions/2/approve",
        {"comment": "retired"},
        format="json",
    )

    assert approved.status_code == 200
    assert (approved.json()["action"], approved.json()["review"]["state"]) == ("delete", "approved")
    approved_revision = selectors.approved_revision(dictionary)
    assert approved_revision is not None
    assert approved_revision.action == "delete"
    assert api.post(f"{deleted}/{dictionary.public_id}/restore").status_code == 200
    rejected = reviewer.post(
        f"{URL}/brand/revisions/3/reject", {"comment": "keep it deleted"}, format="json"
    )
    assert (rejected.status_code, rejected.json()["action"]) == (200, "undelete")
    assert _states(dictionary) == {1: "approved", 2: "approved", 3: "rejected"}


def test_the_deleted_path_finds_only_the_callers_deleted_dictionaries(
    api: APIClient, reviewed: Organization, reviewer: APIClient
) -> None:
    dictionary = _edited(api)
    deleted = "/v1/pronunciation/deleted-dictionaries"

    live = reviewer.post(f"{deleted}/{dictionary.public_id}/revisions/1/approve")

    assert live.status_code == 404
    assert reviewer.post(f"{deleted}/pd_x!/revisions/1/approve").status_code == 400


# -- the approved revision, for channels ----------------------------------------------------------


def test_approved_revisions_are_the_highest_approved_or_auto_per_dictionary(
    api: APIClient, organization: Organization, reviewer: APIClient
) -> None:
    auto = _edited(api, V2)  # 1, 2 auto
    organization_configure(organization=organization, review_required=True)
    assert api.put(f"{URL}/brand", {"modes": V3}, format="json").status_code == 200  # 3 proposed
    assert api.post(URL, {"name": "new", "modes": V1}, format="json").status_code == 201
    new = Dictionary.objects.get(name="new")

    found = selectors.approved_revisions([auto.pk, new.pk])

    assert {pk: r.number for pk, r in found.items()} == {auto.pk: 2}
    assert selectors.approved_revision(new) is None
    assert reviewer.post(f"{URL}/new/revisions/1/approve").status_code == 200
    found = selectors.approved_revisions([auto.pk, new.pk])
    assert {pk: r.number for pk, r in found.items()} == {auto.pk: 2, new.pk: 1}


def test_approving_announces_the_change_so_approved_targets_are_pushed(
    api: APIClient,
    reviewed: Organization,
    reviewer: APIClient,
    django_capture_on_commit_callbacks: Any,
    announced: list[str],
) -> None:
    _edited(api)
    announced.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert reviewer.post(f"{URL}/brand/revisions/1/approve").status_code == 200

    assert announced == ["approved"]


def test_errors_of_the_services_are_typed(reviewed: Organization) -> None:
    dictionary = services.dictionary_create(organization=reviewed, name="brand", modes=V1)
    someone = Actor("r", "key:r", Role.REVIEWER)
    decide(dictionary, someone, ReviewState.APPROVED)

    with pytest.raises(RevisionNotProposed):
        decide(dictionary, someone, ReviewState.REJECTED, comment="x")
    services.dictionary_update(organization=reviewed, name="brand", modes=V1, checks=CHECKS)
    with pytest.raises(InvalidDictionary) as failing:
        decide(dictionary, someone, ReviewState.APPROVED, number=2)
    assert set(failing.value.field_errors) == {"checks[1]", "checks[2]"}
    with pytest.raises(ValueError, match="a decision is approved or rejected"):
        decide(dictionary, someone, ReviewState.SUPERSEDED, number=2)


def test_the_service_finds_the_dictionary_only_in_the_organization_given(
    reviewed: Organization, other_organization: Organization
) -> None:
    dictionary = services.dictionary_create(organization=reviewed, name="brand", modes=V1)

    with pytest.raises(DictionaryNotFound):
        review.revision_decide(
            organization=other_organization,
            dictionary=dictionary,
            number=1,
            reviewer=Actor("r", "key:r", Role.REVIEWER),
            decision=ReviewState.APPROVED,
        )
    assert _states(dictionary) == {1: "proposed"}

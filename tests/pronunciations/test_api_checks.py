"""Checks through the API: GET/PUT …/checks, results stored per revision, every write runs them,
and SLNG's clients see SLNG's bodies when a dictionary has none."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from orgs.models import Membership, Organization, Role
from pronunciations.models import Revision
from tests.factories import DICTIONARY_BODY_FIELDS, make_dictionary

URL = "/v1/pronunciation/dictionaries"
RULES = {
    "rewrite": {
        "rules": [
            {"match": "ACH transfer", "replace": "ay see aitch transfer"},
            {"match": "ACH", "replace": "ay see aitch"},
        ]
    }
}
CHECKS = [
    {"text": "Pay by ACH transfer", "expect": "Pay by ay see aitch transfer"},
    {"text": "pay by ach", "expect": "pay by ay see aitch", "note": "case-insensitive"},
    {"text": "ACHs", "expect": "ACHs", "note": "whole words only"},
]
PASSED = [{**check, "got": check["expect"], "passed": True} for check in CHECKS]
RESULTS = [{key: value for key, value in r.items() if key != "note"} for r in PASSED]

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand(organization: Organization) -> Any:
    return make_dictionary(organization, "brand", modes=RULES)


def _put(api: APIClient, checks: object, **headers: Any) -> Any:
    return api.put(f"{URL}/brand/checks", {"checks": checks}, format="json", **headers)


def _revision(number: int) -> Revision:
    return Revision.objects.get(dictionary__name="brand", number=number)


def test_a_dictionary_without_checks_has_none(api: APIClient, brand: Any) -> None:
    response = api.get(f"{URL}/brand/checks")

    assert response.status_code == 200
    assert response.json() == {"checks": [], "results": [], "passed": 0, "failed": 0}
    assert response["ETag"] == brand.etag


def test_put_stores_the_checks_as_a_new_revision_with_their_results(
    api: APIClient, brand: Any
) -> None:
    response = _put(api, CHECKS)

    assert response.status_code == 200
    assert response.json() == {"checks": CHECKS, "results": RESULTS, "passed": 3, "failed": 0}
    assert response["ETag"].startswith('"r2-')
    assert api.get(f"{URL}/brand/checks").json() == response.json()
    stored = _revision(2)
    assert (stored.snapshot["checks"], stored.checks_failed) == (CHECKS, 0)
    assert stored.content_hash == _revision(1).content_hash
    assert "checks" not in _revision(1).snapshot


def test_failing_checks_are_stored_and_reported_not_refused(api: APIClient, brand: Any) -> None:
    wrong = [{"text": "ACH", "expect": "A C H"}]

    response = _put(api, wrong)

    assert response.status_code == 200
    assert response.json() == {
        "checks": wrong,
        "results": [{"text": "ACH", "expect": "A C H", "got": "ay see aitch", "passed": False}],
        "passed": 0,
        "failed": 1,
    }
    assert _revision(2).checks_failed == 1


def test_the_same_checks_again_record_nothing_and_keep_the_etag(api: APIClient, brand: Any) -> None:
    etag = _put(api, CHECKS)["ETag"]

    again = _put(api, CHECKS, HTTP_IF_MATCH=etag)

    assert again.status_code == 200
    assert again["ETag"] == etag
    assert brand.revisions.count() == 2


def test_checks_in_another_order_are_a_change(api: APIClient, brand: Any) -> None:
    _put(api, CHECKS)

    response = _put(api, CHECKS[::-1])

    assert response["ETag"].startswith('"r3-')
    assert response.json()["checks"] == CHECKS[::-1]


def test_put_honours_if_match_like_the_dictionary_put(api: APIClient, brand: Any) -> None:
    stale = brand.etag
    fresh = _put(api, CHECKS[:1], HTTP_IF_MATCH=stale)["ETag"]

    refused = _put(api, CHECKS, HTTP_IF_MATCH=stale)

    assert refused.status_code == 412
    assert refused.json()["code"] == "pronunciation_precondition_failed"
    assert _put(api, CHECKS, HTTP_IF_MATCH=f'"r9-x", {fresh}').status_code == 200
    assert _put(api, [], HTTP_IF_MATCH="*").json()["checks"] == []
    # The dictionary's own ETag is the same: a change of checks alone makes it stale too.
    assert api.get(f"{URL}/brand")["ETag"] == api.get(f"{URL}/brand/checks")["ETag"]
    modes = api.put(f"{URL}/brand", {"modes": RULES}, format="json", HTTP_IF_MATCH=fresh)
    assert modes.status_code == 412


@pytest.mark.parametrize(
    ("checks", "field_errors"),
    [
        (
            [{"text": f"t{i}", "expect": "e"} for i in range(257)],
            {"checks": ["must have at most 256 checks, got 257"]},
        ),
        (
            [{"text": "a" * 1001, "expect": "b"}],
            {"checks[0].text": ["must be at most 1000 characters"]},
        ),
        (
            [{"text": "a", "expect": "b"}, {"text": "c", "expect": "d" * 1001}],
            {"checks[1].expect": ["must be at most 1000 characters"]},
        ),
        ({"text": "a"}, {"checks": ["must be an array of checks"]}),
    ],
)
def test_bounds_are_a_400_naming_the_field_and_nothing_is_written(
    api: APIClient, brand: Any, checks: object, field_errors: dict[str, list[str]]
) -> None:
    response = _put(api, checks)

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["fieldErrors"]) == ("invalid_pronunciation", field_errors)
    assert brand.revisions.count() == 1


def test_put_requires_checks(api: APIClient, brand: Any) -> None:
    response = api.put(f"{URL}/brand/checks", {"check": []}, format="json")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {"checks": ["checks is required (null or []: none)"]}


def test_checks_of_a_missing_or_deleted_dictionary_are_404(api: APIClient, brand: Any) -> None:
    assert api.get(f"{URL}/nope/checks").status_code == 404
    api.delete(f"{URL}/brand")
    assert api.get(f"{URL}/brand/checks").status_code == 404
    assert _put(api, CHECKS).status_code == 404


def test_another_organization_cannot_read_or_write_them(
    api: APIClient, other_api: APIClient, brand: Any
) -> None:
    _put(api, CHECKS)

    assert other_api.get(f"{URL}/brand/checks").status_code == 404
    assert _put(other_api, []).status_code == 404
    assert api.get(f"{URL}/brand/checks").json()["checks"] == CHECKS


# -- every write runs the checks of its new content ------------------------------------------


def test_a_change_of_rules_keeps_the_checks_and_runs_them_again(api: APIClient, brand: Any) -> None:
    _put(api, CHECKS)
    spelled = {
        "rewrite": {
            "rules": [
                {"match": "ACH transfer", "replace": "ay see aitch transfer"},
                {"match": "ACH", "replace": "A C H"},
            ]
        }
    }

    response = api.put(f"{URL}/brand", {"modes": spelled}, format="json")

    assert response.json()["checks"] == {"passed": 2, "failed": 1}
    assert api.get(f"{URL}/brand/checks").json()["results"][1] == {
        "text": "pay by ach",
        "expect": "pay by ay see aitch",
        "got": "pay by A C H",
        "passed": False,
    }
    third = {"rewrite": {"rules": [{"match": "transfer", "replace": "wire"}]}}
    patched = api.patch(f"{URL}/brand", {"modes": third}, format="json").json()
    assert patched["checks"] == {"passed": 1, "failed": 2}
    assert [r.checks_failed for r in Revision.objects.order_by("number")] == [0, 0, 1, 2]
    assert _revision(4).snapshot["checks"] == CHECKS


def test_create_and_update_take_checks_and_answer_their_summary(api: APIClient) -> None:
    body = {"name": "brand", "modes": RULES, "checks": CHECKS[:2]}

    created = api.post(URL, body, format="json")

    assert created.status_code == 201
    assert created.json()["checks"] == {"passed": 2, "failed": 0}
    assert api.get(f"{URL}/brand/checks").json()["checks"] == CHECKS[:2]
    replaced = api.put(f"{URL}/brand", {"modes": RULES, "checks": CHECKS}, format="json")
    assert replaced.json()["checks"] == {"passed": 3, "failed": 0}
    cleared = api.patch(f"{URL}/brand", {"checks": None}, format="json")
    assert "checks" not in cleared.json()
    assert api.get(f"{URL}/brand/checks").json()["checks"] == []


def test_create_refuses_bad_checks_and_writes_nothing(api: APIClient) -> None:
    body = {"name": "brand", "modes": RULES, "checks": [{"text": "x" * 1001, "expect": "y"}]}

    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["fieldErrors"] == {"checks[0].text": ["must be at most 1000 characters"]}
    assert api.get(f"{URL}/brand").status_code == 404


def test_without_checks_create_update_and_get_answer_slngs_body(api: APIClient, brand: Any) -> None:
    fields = set(DICTIONARY_BODY_FIELDS)  # Lexicon's two extras present with or without checks
    created = api.post(URL, {"name": "plain", "modes": RULES}, format="json").json()
    updated = api.put(f"{URL}/plain", {"modes": RULES, "metadata": {"a": 1}}, format="json")

    assert set(created) == fields
    assert set(updated.json()) == fields
    _put(api, CHECKS)
    # GET and list stay SLNG's, checks or not (brand was made without a key label).
    assert set(api.get(f"{URL}/brand").json()) == fields - {"created_by_key_label"}
    assert set(api.get(URL).json()["dictionaries"][0]) == fields - {"created_by_key_label"}


def test_restore_brings_back_that_revisions_checks(api: APIClient, brand: Any) -> None:
    _put(api, CHECKS)
    _put(api, CHECKS[:1])

    restored = api.post(f"{URL}/brand/revisions/2/restore")

    assert restored.json()["checks"] == {"passed": 3, "failed": 0}
    assert api.get(f"{URL}/brand/checks").json()["checks"] == CHECKS
    assert _revision(4).source == "restore"
    api.post(f"{URL}/brand/revisions/1/restore")
    assert api.get(f"{URL}/brand/checks").json()["checks"] == []


def test_delete_and_undelete_record_the_checks_and_their_results(
    api: APIClient, brand: Any
) -> None:
    _put(api, CHECKS[:1] + [{"text": "ACH", "expect": "no"}])
    api.delete(f"{URL}/brand")

    restored = api.post(f"/v1/pronunciation/deleted-dictionaries/{brand.public_id}/restore")

    assert restored.json()["checks"] == {"passed": 1, "failed": 1}
    deleted, undeleted = _revision(3), _revision(4)
    assert (deleted.action, undeleted.action) == ("delete", "undelete")
    for revision in (deleted, undeleted):
        assert revision.snapshot["checks"] == CHECKS[:1] + [{"text": "ACH", "expect": "no"}]
        assert (len(revision.check_results), revision.checks_failed) == (2, 1)


def test_saving_through_the_admin_keeps_the_checks(
    api: APIClient, organization: Organization, brand: Any
) -> None:
    _put(api, CHECKS)
    brand.refresh_from_db()
    user = User.objects.create_user("editor", password="pw-for-tests", is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=Role.EDITOR)
    admin = Client()
    admin.force_login(user)
    form: dict[str, Any] = {"metadata": '{"team": "voice"}', "etag": brand.etag}
    for rule in brand.rules.order_by("mode", "position"):
        form.setdefault(f"{rule.mode}_match", []).append(rule.match)
        form.setdefault(f"{rule.mode}_value", []).append(rule.value)

    response = admin.post(f"/admin/pronunciations/dictionary/{brand.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = _revision(3)
    assert (saved.source, saved.snapshot["checks"], saved.checks_failed) == ("admin", CHECKS, 0)


# -- history --------------------------------------------------------------------------------


def test_a_revision_shows_its_checks_and_their_results(api: APIClient, brand: Any) -> None:
    _put(api, CHECKS)

    first = api.get(f"{URL}/brand/revisions/1").json()
    second = api.get(f"{URL}/brand/revisions/2").json()

    assert (first["checks"], first["check_results"], first["checks_failed"]) == ([], [], 0)
    assert (second["checks"], second["check_results"], second["checks_failed"]) == (
        CHECKS,
        RESULTS,
        0,
    )


def test_the_diff_shows_checks_added_removed_changed_and_reordered(
    api: APIClient, brand: Any
) -> None:
    _put(api, CHECKS)
    changed = {"text": "ACHs", "expect": "ACHs", "note": "no match inside a word"}
    added = {"text": "ACH", "expect": "ay see aitch"}
    _put(api, [changed, CHECKS[0], added])

    diff = api.get(f"{URL}/brand/revisions/2/diff/3").json()

    assert diff["checks"] == {
        "added": [added],
        "removed": [CHECKS[1]],
        "changed": [{"text": "ACHs", "from": CHECKS[2], "to": changed}],
        "reordered": True,
    }
    assert api.get(f"{URL}/brand/revisions/1/diff/2").json()["checks"] == {
        "added": CHECKS,
        "removed": [],
        "changed": [],
        "reordered": False,
    }
    rules = api.get(f"{URL}/brand/revisions/2/diff/3").json()["modes"]["rewrite"]
    assert rules == {"added": [], "removed": [], "changed": [], "reordered": False}

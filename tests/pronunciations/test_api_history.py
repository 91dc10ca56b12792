"""Revisions, diffs, restore, and deletion that loses nothing (undelete)."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations.models import Dictionary, Revision
from tests.factories import make_dictionary

URL = "/v1/pronunciation/dictionaries"
V1 = {"rewrite": {"rules": [{"match": "ACH", "replace": "ay see aitch"}]}}
V2 = {
    "rewrite": {
        "rules": [
            {"match": "ACH", "replace": "A C H"},
            {"match": "SLNG", "replace": "slang"},
        ]
    }
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(api: APIClient) -> None:
    """Revisions: 1 create, 2 put V2 + metadata, 3 patch metadata."""
    api.post(URL, {"name": "brand", "modes": V1, "metadata": {"a": 1}}, format="json")
    api.put(
        f"{URL}/brand",
        {"modes": V2, "metadata": {"a": 1, "b": 2}, "comment": "add SLNG"},
        format="json",
    )
    api.patch(f"{URL}/brand", {"metadata": {"a": 3, "b": 2}}, format="json")


def _strip_times(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for item in items:
        assert item.pop("created_at").endswith("Z")
    return items


def test_revisions_are_listed_newest_first(api: APIClient, edited: None) -> None:
    body = api.get(f"{URL}/brand/revisions").json()

    assert [r["number"] for r in body["revisions"]] == [3, 2, 1]
    assert [r["action"] for r in body["revisions"]] == ["update", "update", "create"]
    assert body["revisions"][1]["comment"] == "add SLNG"
    assert {r["author"] for r in body["revisions"]} == {"production-key"}
    assert {r["source"] for r in body["revisions"]} == {"api"}
    assert body["next_before"] is None


def test_revisions_are_paginated_by_number(api: APIClient, edited: None) -> None:
    first = api.get(f"{URL}/brand/revisions?limit=2").json()
    second = api.get(f"{URL}/brand/revisions?limit=2&before={first['next_before']}").json()

    assert [r["number"] for r in first["revisions"]] == [3, 2]
    assert [r["number"] for r in second["revisions"]] == [1]
    assert second["next_before"] is None
    assert api.get(f"{URL}/brand/revisions?limit=0").status_code == 400


def test_a_revision_holds_the_full_snapshot(api: APIClient, edited: None) -> None:
    body = api.get(f"{URL}/brand/revisions/2").json()

    assert body["modes"] == V2
    assert body["metadata"] == {"a": 1, "b": 2}
    assert body["content_hash"] == api.get(f"{URL}/brand").json()["content_hash"]
    assert api.get(f"{URL}/brand/revisions/9").status_code == 404


def test_diff_lists_rules_and_metadata_changes(api: APIClient, edited: None) -> None:
    body = api.get(f"{URL}/brand/revisions/1/diff/3").json()

    assert body == {
        "from": 1,
        "to": 3,
        "modes": {
            "rewrite": {
                "added": [{"match": "SLNG", "replace": "slang"}],
                "removed": [],
                "changed": [
                    {
                        "match": "ACH",
                        "from": {"match": "ACH", "replace": "ay see aitch"},
                        "to": {"match": "ACH", "replace": "A C H"},
                    }
                ],
                "reordered": False,
            },
            "ipa": {"added": [], "removed": [], "changed": [], "reordered": False},
        },
        "metadata": {
            "added": {"b": 2},
            "removed": {},
            "changed": {"a": {"from": 1, "to": 3}},
        },
        "checks": {"added": [], "removed": [], "changed": [], "reordered": False},
    }


def test_restore_makes_a_new_revision_equal_to_the_old_one(api: APIClient, edited: None) -> None:
    etag = api.get(f"{URL}/brand")["ETag"]

    response = api.post(f"{URL}/brand/revisions/1/restore", HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["modes"] == V1
    assert response.json()["metadata"] == {"a": 1}
    latest = api.get(f"{URL}/brand/revisions/4").json()
    assert (latest["source"], latest["comment"]) == ("restore", "restored revision 1")
    assert latest["content_hash"] == api.get(f"{URL}/brand/revisions/1").json()["content_hash"]


def test_restore_with_a_stale_etag_is_refused(api: APIClient, edited: None) -> None:
    response = api.post(f"{URL}/brand/revisions/1/restore", HTTP_IF_MATCH='"r2-x"')

    assert response.status_code == 412
    assert api.get(f"{URL}/brand").json()["modes"] == V2


def test_delete_keeps_history_and_undelete_brings_everything_back(
    api: APIClient, edited: None
) -> None:
    before = api.get(f"{URL}/brand").json()

    assert api.delete(f"{URL}/brand").status_code == 204
    assert api.get(f"{URL}/brand").status_code == 404
    deleted = api.get("/v1/pronunciation/deleted-dictionaries").json()["dictionaries"]
    assert [(d["id"], d["name"], d["deleted_by"], d["revision"]) for d in deleted] == [
        (before["id"], "brand", "production-key", 4)
    ]

    response = api.post(f"/v1/pronunciation/deleted-dictionaries/{before['id']}/restore")

    assert response.status_code == 200
    restored = response.json()
    # Everything is back; delete and undelete were revisions 4 and 5 (issue 16: in the body).
    assert (restored.pop("revision"), before.pop("revision")) == (5, 3)
    assert restored.pop("updated_at") > before.pop("updated_at")
    assert restored == before
    assert api.get("/v1/pronunciation/deleted-dictionaries").json() == {"dictionaries": []}
    actions = [r["action"] for r in api.get(f"{URL}/brand/revisions").json()["revisions"]]
    assert actions == ["undelete", "delete", "update", "update", "create"]


def test_undelete_conflicts_when_the_name_was_taken_meanwhile(api: APIClient, edited: None) -> None:
    dictionary_id = api.get(f"{URL}/brand").json()["id"]
    api.delete(f"{URL}/brand")
    api.post(URL, {"name": "BRAND", "modes": V1}, format="json")

    response = api.post(f"/v1/pronunciation/deleted-dictionaries/{dictionary_id}/restore")

    assert response.status_code == 409
    assert response.json()["code"] == "pronunciation_conflict"


def test_undelete_of_an_unknown_id_is_404(api: APIClient) -> None:
    response = api.post("/v1/pronunciation/deleted-dictionaries/pd_nope/restore")

    assert response.status_code == 404


def test_a_name_can_be_reused_after_delete(api: APIClient, edited: None) -> None:
    old_id = api.get(f"{URL}/brand").json()["id"]
    api.delete(f"{URL}/brand")

    response = api.post(URL, {"name": "brand", "modes": V1}, format="json")

    assert response.status_code == 201
    assert response.json()["id"] != old_id


def test_purge_removes_only_dictionaries_deleted_before_the_retention(
    organization: Organization,
) -> None:
    old, recent, live = (make_dictionary(organization, n) for n in ("old", "recent", "live"))
    Dictionary.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    Dictionary.objects.filter(pk=recent.pk).update(deleted_at=timezone.now() - timedelta(days=29))
    out = io.StringIO()

    call_command("purge_deleted_dictionaries", "--dry-run", stdout=out)
    call_command("purge_deleted_dictionaries", stdout=out)

    assert out.getvalue().splitlines() == [
        "1 deleted dictionaries would be purged (older than 30 days)",
        "purged 1 deleted dictionaries (older than 30 days)",
    ]
    assert set(Dictionary.objects.values_list("name", flat=True)) == {"recent", "live"}
    assert not Revision.objects.filter(dictionary_id=old.pk).exists()

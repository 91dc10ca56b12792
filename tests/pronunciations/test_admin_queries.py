"""Issue 15: the dictionary change page, its save and its sync status cost a bounded number of
queries, the same for 2 rules as for 256 of each mode."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from orgs.models import Organization, Role
from pronunciations.models import Dictionary
from sync.models import SyncRun
from sync.services import target_create
from tests.factories import make_dictionary, rewrite_rules, staff_client

pytestmark = pytest.mark.django_db
# save: 23 since its message reads the new revision (issue 23: "proposed — waits for review").
# Issue 25 added one query to each: lint reads the organization's targets (what their models
# can speak), the sync panel the current rules (what each model cannot speak), and the page's
# Listen its targets to choose from.
# page and save: +1 each for layers (the page's layers panel reads the organization's includes;
# a save reads the dictionary's current includes to keep them)
BUDGET = {"page": 20, "save": 25, "status": 9}


@pytest.fixture
def linguist(organization: Organization) -> Client:
    client = staff_client(organization, Role.EDITOR)
    for name in ("production", "staging"):
        target = target_create(
            organization=organization,
            name=name,
            base_url=f"https://{name}.slng.invalid",
            ws_url=f"wss://{name}.slng.invalid",
            api_key="sk_unused",
        )
        SyncRun.objects.create(target=target, trigger="manual")
    return client


def _dictionary(organization: Organization, name: str, size: int) -> Dictionary:
    ipa = [{"match": f"word{i}", "ipa": "wɜːd"} for i in range(size)]
    modes = {"rewrite": {"rules": rewrite_rules(size)}, "ipa": {"rules": ipa}}
    return make_dictionary(organization, name, modes=modes, metadata={"language": "en-US"})


def _form(dictionary: Dictionary, size: int) -> dict[str, Any]:
    rules = rewrite_rules(size)
    return {
        "etag": dictionary.etag,
        "language": "en-GB",
        "metadata": "",
        "rewrite_match": [r["match"] for r in reversed(rules)],
        "rewrite_value": [r["replace"] for r in reversed(rules)],
        "ipa_match": [f"word{i}" for i in range(size)],
        "ipa_value": ["wɜːd"] * size,
    }


def _queries(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code in (200, 302), response.content.decode()[:500]
    return len(queries)


def test_the_change_page_costs_the_same_queries_for_2_and_256_rules(
    linguist: Client, organization: Organization
) -> None:
    small, big = _dictionary(organization, "small", 2), _dictionary(organization, "big", 256)
    page = "/admin/pronunciations/dictionary/{}/change/"
    status = "/admin/pronunciations/dictionary/{}/sync/status/"
    linguist.get(page.format(small.pk))  # warm the session and the matcher cache

    counts: dict[str, list[int]] = {"page": [], "status": [], "save": []}
    for dictionary, size in ((small, 2), (big, 256)):
        change, sync = page.format(dictionary.pk), status.format(dictionary.pk)
        form = _form(dictionary, size)
        counts["page"].append(_queries(lambda: linguist.get(change)))  # noqa: B023
        counts["status"].append(_queries(lambda: linguist.get(sync)))  # noqa: B023
        counts["save"].append(_queries(lambda: linguist.post(change, form)))  # noqa: B023

    assert {kind: len(set(pair)) for kind, pair in counts.items()} == dict.fromkeys(counts, 1)
    assert {kind: pair[0] <= BUDGET[kind] for kind, pair in counts.items()} == dict.fromkeys(
        counts, True
    ), counts
    big.refresh_from_db()
    assert (big.revision, big.metadata) == (2, {"language": "en-GB"})
    first = big.rules.filter(mode="rewrite").order_by("position").values_list("match", flat=True)
    assert first[0] == "word255"

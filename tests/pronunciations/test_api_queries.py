"""List and get cost a constant number of queries however many dictionaries and rules exist."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from orgs.key_cache import resolved_keys
from orgs.models import Organization
from tests.factories import make_dictionary

URL = "/v1/pronunciation/dictionaries"

pytestmark = pytest.mark.django_db


def _queries(api: APIClient, path: str) -> int:
    api.get(path)  # the first request may record last_used_at
    with CaptureQueriesContext(connection) as captured:
        assert api.get(path).status_code == 200
    return len(captured)


def test_list_query_count_does_not_grow_with_dictionaries_or_rules(
    api: APIClient, organization: Organization, django_assert_max_num_queries: Any
) -> None:
    make_dictionary(organization, "one", rules=1)
    small = _queries(api, URL)
    for i in range(20):
        make_dictionary(organization, f"d{i}", rules=50)

    assert _queries(api, URL) == small
    with django_assert_max_num_queries(3):
        api.get(URL)


def test_get_query_count_does_not_grow_with_rules(
    api: APIClient, organization: Organization, django_assert_max_num_queries: Any
) -> None:
    make_dictionary(organization, "small", rules=1)
    make_dictionary(
        organization,
        "large",
        modes={
            "rewrite": {"rules": [{"match": f"w{i}", "replace": "r"} for i in range(256)]},
            "ipa": {"rules": [{"match": f"w{i}", "ipa": "r"} for i in range(256)]},
        },
    )

    assert _queries(api, f"{URL}/large") == _queries(api, f"{URL}/small")
    with django_assert_max_num_queries(3):
        api.get(f"{URL}/large")


def test_a_warm_list_and_get_cost_one_query_each_while_the_key_is_fresh(
    api: APIClient,
    organization: Organization,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    """Issue 17: the key comes from the process's key cache (orgs.key_cache), the bodies from
    the body cache; what is left is the one version check that keeps them from going stale."""
    monkeypatch.setattr(resolved_keys, "clock", lambda: 1000.0)  # stopped: the key stays fresh
    for i in range(3):
        make_dictionary(organization, f"d{i}", rules=50)
    api.get(URL)
    api.get(f"{URL}/d0")

    with django_assert_num_queries(1):
        assert api.get(URL).status_code == 200
    with django_assert_num_queries(1):
        assert api.get(f"{URL}/d0").status_code == 200

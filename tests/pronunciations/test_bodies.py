"""GET and list answer from cached bodies that are never stale, read from the current revision."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from orgs.key_cache import resolved_keys
from orgs.models import Organization
from pronunciations import selectors, services
from pronunciations.api import bodies
from pronunciations.api.serializers import DictionaryOutput
from pronunciations.content import modes_from_rules, modes_to_wire
from pronunciations.models import Dictionary
from pronunciations.transfer.reading import import_file
from tests.factories import make_dictionary, rewrite_rules

URL = "/v1/pronunciation/dictionaries"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    bodies.cache.clear()
    yield
    bodies.cache.clear()


def _fresh(organization: Organization, name: str) -> bytes:
    """The body rendered from the database with no cache involved."""
    dictionary = selectors.dictionary_get_for_response(organization=organization, name=name)
    return JSONRenderer().render(DictionaryOutput(dictionary).data)


def test_cache_keeps_the_most_recently_used_bodies_within_its_byte_bound() -> None:
    cache = bodies.BodyCache(max_bytes=10)
    cache.put(("a", 1), b"aaaa", '"a"')
    cache.put(("b", 1), b"bbbb", '"b"')
    assert cache.get(("a", 1)) == (b"aaaa", '"a"')  # now the most recently used
    cache.put(("c", 1), b"cccc", '"c"')  # 12 bytes > 10: the least recently used goes

    assert cache.get(("b", 1)) is None
    assert cache.get(("a", 1)) is not None
    assert cache.get(("c", 1)) is not None
    cache.put(("big", 1), b"x" * 11, '"x"')  # larger than the whole cache: not kept
    assert cache.get(("big", 1)) is None
    assert len(cache) == 2


def test_cached_get_is_byte_for_byte_the_fresh_rendering(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "brand", rules=256, metadata={"team": "voice"})
    cold = api.get(f"{URL}/brand")
    warm = api.get(f"{URL}/brand")

    assert cold.content == warm.content == _fresh(organization, "brand")
    assert cold["ETag"] == warm["ETag"]
    assert cold["Content-Type"] == "application/json"
    assert len(json.loads(warm.content)["modes"]["rewrite"]["rules"]) == 256


def test_modes_keep_the_api_key_order_whatever_order_the_database_keeps(
    api: APIClient, organization: Organization
) -> None:
    both = {"ipa": {"rules": [{"ipa": "d", "match": "c"}]}, "rewrite": {"rules": rewrite_rules(1)}}
    make_dictionary(organization, "both", modes=both)

    for path in (f"{URL}/both", f"{URL}/both/revisions/1"):
        body = api.get(path).content.decode()
        assert '"modes":{"rewrite":{"rules":[{"match":"word0","replace":"replacement 0"}]},' in body
        assert '"ipa":{"rules":[{"match":"c","ipa":"d"}]}}' in body


def _get_queries(api: APIClient) -> tuple[int, int]:
    """Queries of a get with the body not cached (cold), then cached (warm)."""
    bodies.cache.clear()
    with CaptureQueriesContext(connection) as cold:
        api.get(f"{URL}/brand")
    with CaptureQueriesContext(connection) as warm:
        api.get(f"{URL}/brand")
    return len(cold), len(warm)


def test_a_warm_get_costs_one_query_and_a_cold_one_two(
    api: APIClient, organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: with its key read less than LEXICON_KEY_CACHE_SECONDS ago (orgs.key_cache),
    a warm get's one query is the version check; a cold one adds the body's."""
    monkeypatch.setattr(resolved_keys, "clock", lambda: 1000.0)  # stopped: the key stays fresh
    make_dictionary(organization, "brand", rules=256)
    api.get(URL)  # reads the key and records its last use, outside what is counted

    assert _get_queries(api) == (2, 1)  # version (, body on a miss)


def test_a_get_reads_its_key_again_once_the_key_cache_expired(
    api: APIClient, organization: Organization, settings: Any
) -> None:
    settings.LEXICON_KEY_CACHE_SECONDS = 0  # every entry is already too old
    make_dictionary(organization, "brand", rules=256)
    api.get(URL)

    assert _get_queries(api) == (3, 2)  # key, version (, body on a miss)


def test_writes_made_elsewhere_are_seen_at_once_by_get_and_list(
    api: APIClient, organization: Organization
) -> None:
    """Writes through the services (another worker, the admin, an import) bypass this cache."""
    make_dictionary(organization, "brand", rules=2)
    make_dictionary(organization, "other", rules=1)
    before = api.get(f"{URL}/brand")
    api.get(URL)

    services.dictionary_update(
        organization=organization,
        name="brand",
        modes={"rewrite": {"rules": rewrite_rules(3, prefix="new")}},
        metadata={"v": 2},
    )
    after = api.get(f"{URL}/brand")
    assert after["ETag"] != before["ETag"]
    assert after.content == _fresh(organization, "brand")
    listed = {d["name"]: d for d in api.get(URL).json()["dictionaries"]}
    assert listed["brand"]["metadata"] == {"v": 2}
    assert listed["brand"]["modes"]["rewrite"]["rules"][0]["match"] == "new0"

    services.dictionary_delete(organization=organization, name="brand")
    assert api.get(f"{URL}/brand").status_code == 404
    assert [d["name"] for d in api.get(URL).json()["dictionaries"]] == ["other"]

    deleted = Dictionary.objects.get(organization=organization, name="brand")
    services.dictionary_undelete(organization=organization, dictionary_id=deleted.public_id)
    assert api.get(f"{URL}/brand").content == _fresh(organization, "brand")
    assert [d["name"] for d in api.get(URL).json()["dictionaries"]] == ["brand", "other"]


def test_list_mixes_cached_and_new_bodies_in_name_order(
    api: APIClient, organization: Organization
) -> None:
    make_dictionary(organization, "b-second", rules=1)
    api.get(URL)
    make_dictionary(organization, "a-first", rules=1)
    make_dictionary(organization, "C-third", rules=1)

    body = api.get(URL).content
    names = [d["name"] for d in json.loads(body)["dictionaries"]]
    assert names == ["a-first", "b-second", "C-third"]
    parts = b",".join(_fresh(organization, name) for name in names)
    assert body == b'{"dictionaries":[' + parts + b"]}"


def _rows_and_snapshot_agree(organization: Organization) -> None:
    for dictionary in selectors.dictionary_list(organization=organization):
        current = selectors.dictionary_get_for_response(
            organization=organization, name=dictionary.name
        )
        rebuilt: dict[str, Any] = modes_to_wire(modes_from_rules(dictionary.rules.all()))
        assert current.current_modes == rebuilt, dictionary.name  # type: ignore[attr-defined]


def test_every_write_path_keeps_the_current_snapshot_equal_to_the_rule_rows(
    api: APIClient, organization: Organization
) -> None:
    """Responses read the current revision's snapshot; the rule rows must say the same."""
    rules = {"rewrite": {"rules": rewrite_rules(3)}, "ipa": {"rules": [{"match": "x", "ipa": "y"}]}}
    ipa = {"ipa": {"rules": [{"match": "z", "ipa": "q"}]}}
    statuses = [
        api.post(URL, {"name": "api", "modes": rules}, format="json").status_code,
        api.put(f"{URL}/api", {"modes": {"rewrite": {"rules": []}}}, format="json").status_code,
        api.patch(f"{URL}/api", {"modes": ipa}, format="json").status_code,
        api.post(f"{URL}/api/revisions/1/restore").status_code,
    ]
    make_dictionary(organization, "gone", rules=2)
    statuses.append(api.delete(f"{URL}/gone").status_code)
    gone = Dictionary.objects.get(organization=organization, name="gone")
    restore = f"/v1/pronunciation/deleted-dictionaries/{gone.public_id}/restore"
    statuses.append(api.post(restore).status_code)
    assert statuses == [201, 200, 200, 200, 204, 200]
    csv = b"dictionary,mode,match,replace\napi,rewrite,added,new\nfresh,rewrite,a,b\n"
    import_file(
        organization=organization, data=csv, file_format="csv", mode="merge", create_missing=True
    )
    import_file(organization=organization, data=csv, file_format="csv", mode="replace")

    assert Dictionary.objects.filter(organization=organization).count() == 3
    _rows_and_snapshot_agree(organization)


def _prepared_version_queries() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"revision" FROM "pronunciations_dictionary"%'],
        )
        (count,) = cursor.fetchone()
    return int(count)


@pytest.mark.django_db(transaction=True)  # so that the connection may be closed
@pytest.mark.parametrize("prepared", [True, False])
def test_the_version_checks_are_prepared_statements_unless_turned_off(
    organization: Organization, settings: Any, prepared: bool
) -> None:
    """Issue 17: PostgreSQL parses and plans each version check once per connection."""
    settings.LEXICON_PREPARED_READS = prepared
    make_dictionary(organization, "brand", rules=1)
    connection.close()  # a fresh connection: no statement prepared by an earlier test

    for _ in range(3):  # what get and list run (a request closes the tests' connection after)
        bodies.dictionary_body(organization=organization, name="brand")
        bodies.dictionary_list_body(organization=organization)

    assert _prepared_version_queries() == (2 if prepared else 0)  # the get's and the list's


def test_an_unchanged_list_is_one_cached_body(api: APIClient, organization: Organization) -> None:
    """Issue 17: the whole list is kept under its versions, not joined again per request."""
    for name in ("a", "b"):
        make_dictionary(organization, name, rules=2)
    first = api.get(URL).content
    entries = len(bodies.cache)

    assert api.get(URL).content == first
    assert len(bodies.cache) == entries == 3  # two dictionaries and the list
    services.dictionary_update(
        organization=organization, name="a", modes={"rewrite": {"rules": rewrite_rules(1)}}
    )
    assert api.get(URL).content != first
    assert len(bodies.cache) == 5  # a's new body, the new list; the old ones until evicted

"""Issue 22: a key check costs the same whether or not the presented prefix exists."""

from typing import Any

import pytest

from orgs.services import IssuedKey
from tests.conftest import client_with_key

LIST = "/v1/pronunciation/dictionaries"


@pytest.mark.django_db
def test_a_wrong_secret_costs_the_same_reads_whether_or_not_the_prefix_exists(
    issued_key: IssuedKey, django_assert_num_queries: Any
) -> None:
    """Issue 22: a wrong secret for a cached prefix was answered without a read, measurably
    faster than an unknown prefix; both now cost one read (and one hash)."""
    good = issued_key.plaintext
    prefix = good.split("_")[1]
    assert client_with_key(good).get(LIST).status_code == 200
    wrong_secret = f"lex_{prefix}_{'x' * 43}"
    unknown_prefix = f"lex_zzzzzzzz_{'x' * 43}"

    with django_assert_num_queries(1) as known:
        assert client_with_key(wrong_secret).get(LIST).status_code == 401
    with django_assert_num_queries(1) as unknown:
        assert client_with_key(unknown_prefix).get(LIST).status_code == 401

    assert [q["sql"].replace(prefix, "?") for q in known.captured_queries] == [
        q["sql"].replace("zzzzzzzz", "?") for q in unknown.captured_queries
    ]

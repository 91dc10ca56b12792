"""A date-time query parameter with an offset RFC 3339 allows but PostgreSQL does not.

Found by the schema fuzz (``tests/fuzz/test_schema_fuzz.py``) while probing issue 29's entry
points: ``?updated_since=0077-08-02T00:57:19.4+18:19`` reached the database with its offset and
failed there (DataError "time zone displacement out of range", a 500).
"""

import pytest
from rest_framework.test import APIClient

from orgs.models import Organization
from pronunciations import services

pytestmark = pytest.mark.django_db

URL = "/v1/pronunciation/dictionaries"


@pytest.mark.parametrize(
    ("since", "listed"),
    [
        ("0077-08-02T00:57:19.4+18:19", ["brand"]),  # offsets past PostgreSQL's 15:59
        ("2000-01-01T00:00:00-23:59", ["brand"]),
        ("0001-01-01T00:00:00+05:00", ["brand"]),  # before year 1 in UTC: the first moment
        ("9999-12-31T23:00:00-05:00", []),  # after 9999 in UTC: the last moment
    ],
)
def test_updated_since_takes_any_rfc_3339_offset(
    api: APIClient, organization: Organization, since: str, listed: list[str]
) -> None:
    services.dictionary_create(
        organization=organization, name="brand", modes={"rewrite": {"rules": []}}
    )

    response = api.get(URL, {"updated_since": since})

    assert response.status_code == 200, response.content
    assert [d["name"] for d in response.json()["dictionaries"]] == listed

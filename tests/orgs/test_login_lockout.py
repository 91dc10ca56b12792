"""Issue 22: the admin login locks a username from one address after repeated failures."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from orgs.models import Organization
from orgs.services import api_key_create

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct-horse-battery"
HERE, ELSEWHERE = "127.0.0.1", "127.0.0.2"


@pytest.fixture(autouse=True)
def users() -> None:
    for name in ("alice", "bob"):
        User.objects.create_user(name, password=PASSWORD, is_staff=True, is_superuser=True)


def sign_in(username: str, password: str, address: str = HERE) -> Any:
    """Post the admin's real login form, as a browser would, from ``address``."""
    client = Client(REMOTE_ADDR=address)
    client.get(LOGIN)
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def signed_in(response: Any) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def fail(username: str, times: int, address: str = HERE) -> list[int]:
    return [sign_in(username, "wrong", address).status_code for _ in range(times)]


def test_repeated_failures_lock_the_user_at_that_address_even_with_the_right_password(
    settings: Any,
) -> None:
    """Issue 22: after LEXICON_LOGIN_FAILURE_LIMIT wrong passwords the right one is refused too."""
    failures = fail("alice", settings.AXES_FAILURE_LIMIT)

    locked = sign_in("alice", PASSWORD)

    assert failures == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert locked.status_code == 429
    assert b"Sign-in locked" in locked.content
    assert b"Too many failed sign-ins for alice from this address" in locked.content


def test_a_lockout_leaves_other_users_and_other_addresses_alone(settings: Any) -> None:
    """Issue 22: the lock is the pair (username, address): bob at the same address and alice
    elsewhere sign in."""
    fail("alice", settings.AXES_FAILURE_LIMIT)

    assert signed_in(sign_in("bob", PASSWORD))
    assert signed_in(sign_in("alice", PASSWORD, ELSEWHERE))
    assert sign_in("alice", PASSWORD).status_code == 429


def test_the_lock_ends_after_the_cooldown(settings: Any) -> None:
    """Issue 22: after LEXICON_LOGIN_COOLOFF_SECONDS the user signs in again."""
    from axes.models import AccessAttempt  # django-axes' own record of the failures

    fail("alice", settings.AXES_FAILURE_LIMIT)
    cooloff = settings.AXES_COOLOFF_TIME
    # Raw ORM: the failures are moved back by the cooldown instead of waiting it out.
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= cooloff + timedelta(seconds=1)
        attempt.save(update_fields=["attempt_time"])

    assert signed_in(sign_in("alice", PASSWORD))


def test_an_administrator_unlocks_a_user_with_a_command(settings: Any) -> None:
    """Issue 22: ``manage.py axes_reset_username`` ends the lock at once."""
    fail("alice", settings.AXES_FAILURE_LIMIT)

    call_command("axes_reset_username", "alice")

    assert signed_in(sign_in("alice", PASSWORD))


def test_a_success_resets_the_count(settings: Any) -> None:
    """Issue 22: failures are counted in a row; a success starts again from zero."""
    fail("alice", settings.AXES_FAILURE_LIMIT - 1)
    assert signed_in(sign_in("alice", PASSWORD))

    assert fail("alice", settings.AXES_FAILURE_LIMIT - 1) == [200] * (
        settings.AXES_FAILURE_LIMIT - 1
    )
    assert signed_in(sign_in("alice", PASSWORD))


def test_behind_a_trusted_proxy_the_forwarded_address_is_locked(settings: Any) -> None:
    """Issue 22: the address is the API's (LEXICON_TRUSTED_PROXIES): clients behind one proxy
    are told apart by the hop it appended."""
    settings.LEXICON_TRUSTED_PROXIES = 1

    def through_proxy(password: str, client_address: str) -> Any:
        client = Client(REMOTE_ADDR=HERE, HTTP_X_FORWARDED_FOR=client_address)
        return client.post(LOGIN, {"username": "alice", "password": password, "next": "/admin/"})

    for _ in range(settings.AXES_FAILURE_LIMIT):
        through_proxy("wrong", "198.51.100.7")

    assert through_proxy(PASSWORD, "198.51.100.7").status_code == 429
    assert signed_in(through_proxy(PASSWORD, "198.51.100.8"))


def test_the_api_key_authentication_is_not_locked(
    settings: Any, organization: Organization
) -> None:
    """Issue 22: the login lockout is the admin's; Bearer keys are served as before."""
    fail("alice", settings.AXES_FAILURE_LIMIT)
    key = api_key_create(organization=organization, label="k").plaintext

    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/v1/pronunciation/dictionaries")

    assert response.status_code == 200

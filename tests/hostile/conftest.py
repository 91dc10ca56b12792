"""The hostile-input suite: real gunicorn with the production settings and two organizations.

The server is started once per module with the compose file's web command, so body limits,
header limits and timeouts are the real ones. Each test gets two organizations with a key each,
committed to the test database (the server is another process) and flushed after the test.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client

from orgs.models import Membership, Organization, Role
from orgs.services import api_key_create, organization_create
from tests.processes import Gunicorn, production_env, web_command


@dataclass(frozen=True)
class Tenant:
    organization: Organization
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass(frozen=True)
class Server:
    url: str
    acme: Tenant
    globex: Tenant

    def client(self, tenant: Tenant | None = None) -> httpx.Client:
        headers = tenant.headers if tenant is not None else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def gunicorn(django_db_setup: None) -> Iterator[str]:
    """The compose web command on loopback with the production settings, one per module."""
    process = Gunicorn(web_command(), production_env(WEB_CONCURRENCY="1"))
    try:
        yield process.url
    finally:
        process.stop()


@pytest.fixture
def server(gunicorn: str, transactional_db: None) -> Server:
    """Two organizations with a key each, committed so the server sees them (flushed after)."""
    acme, globex = (
        organization_create(slug=slug, name=slug.title()) for slug in ("acme", "globex")
    )
    tenants = [
        Tenant(org, api_key_create(organization=org, label=f"{org.slug}-key").plaintext)
        for org in (acme, globex)
    ]
    return Server(gunicorn, *tenants)


@pytest.fixture
def acme(server: Server) -> Iterator[httpx.Client]:
    with server.client(server.acme) as client:
        yield client


@pytest.fixture
def brand(acme: httpx.Client) -> str:
    """A dictionary of acme with one rule, SLNG → slang (the database is flushed after each
    test)."""
    body = {
        "name": "brand",
        "modes": {"rewrite": {"rules": [{"match": "SLNG", "replace": "slang"}]}},
    }
    created = acme.post("/v1/pronunciation/dictionaries", json=body)
    assert created.status_code == 201, created.text
    return "brand"


@pytest.fixture
def admin_client(organization: Organization) -> Client:
    """The Django test client logged in as an admin of organization ``acme``."""
    user = User.objects.create_user("org-admin", password="pw-for-tests", is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=Role.ADMIN)
    client = Client()
    client.force_login(user)
    return client

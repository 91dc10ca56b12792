"""Shared fixtures: organizations, API keys and authenticated API clients."""

import os
import uuid
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from config.celery import app
from orgs.models import Organization
from orgs.services import IssuedKey, api_key_create, organization_create
from pronunciations.signals import dictionaries_changed, dictionary_changed
from sync.emulator import ApiKey, EmulatorState, EmulatorThread
from tests import alone
from tests.processes import Celery

ClientFactory = Callable[[str], APIClient]
# Where every test marked ``alone`` lives: .ci/run's first pytest run (LEXICON_TESTS_ALONE_ONLY)
# collects only this folder, not the whole suite, to run them.
ALONE_HOME = Path(__file__).resolve().parent / "faults"


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, name the run so its workers share the ``alone`` lock (tests/alone.py)."""
    config.addinivalue_line(
        "markers", "long: a file of tests that take minutes, started first (tests/conftest.py)"
    )
    if getattr(config.option, "numprocesses", None) and not config.getoption("testrunuid"):
        config.option.testrunuid = uuid.uuid4().hex


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    """With LEXICON_TESTS_ALONE_ONLY set, collect nothing outside ALONE_HOME."""
    if not os.environ.get("LEXICON_TESTS_ALONE_ONLY"):
        return None
    path = collection_path.resolve()
    if path == ALONE_HOME or ALONE_HOME in path.parents or path in ALONE_HOME.parents:
        return None
    return True


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files marked ``long`` first, each file's tests in their own order. pytest-xdist
    (``--dist loadfile --no-loadscope-reorder`` in .ci/run) then starts them while the other
    workers take the short files; started last, one of them kept a worker minutes after the
    others had finished."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
    misplaced = [
        item.nodeid
        for item in items
        if item.get_closest_marker("alone") and ALONE_HOME not in item.path.resolve().parents
    ]
    if misplaced:
        raise pytest.UsageError(f"a test marked alone must live under {ALONE_HOME}: {misplaced}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    """A test marked ``alone`` runs while no other worker runs a test (tests/alone.py)."""
    with alone.turn(item.get_closest_marker("alone") is not None):
        return (yield)


def pytest_sessionfinish(session: pytest.Session) -> None:
    run = session.config.getoption("testrunuid", None)
    if run and not hasattr(session.config, "workerinput"):
        alone.forget(run)


@pytest.fixture
def organization(db: None) -> Organization:
    return organization_create(slug="acme", name="Acme")


@pytest.fixture
def other_organization(db: None) -> Organization:
    return organization_create(slug="globex", name="Globex")


@pytest.fixture
def issued_key(organization: Organization) -> IssuedKey:
    return api_key_create(organization=organization, label="production-key")


def client_with_key(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.fixture
def api(issued_key: IssuedKey) -> APIClient:
    """A client authenticated as org ``acme`` with the key labelled ``production-key``."""
    return client_with_key(issued_key.plaintext)


@pytest.fixture
def other_api(other_organization: Organization) -> APIClient:
    """A client of org ``globex``."""
    return client_with_key(api_key_create(organization=other_organization, label="g").plaintext)


@pytest.fixture
def announced() -> Iterator[list[str]]:
    """The ``change`` of every ``dictionary_changed`` sent during the test, in order, and of
    each dictionary a ``dictionaries_changed`` announces."""
    changes: list[str] = []

    def receiver(**kwargs: object) -> None:
        changes.append(str(kwargs["change"]))

    def many(changes: tuple[tuple[int, str], ...], **_: object) -> None:
        received.extend(change for _, change in changes)

    received = changes
    dictionary_changed.connect(receiver)
    dictionaries_changed.connect(many)
    yield changes
    dictionary_changed.disconnect(receiver)
    dictionaries_changed.disconnect(many)


SLNG_KEY_ACME = "sk_test_acme_upstream"
SLNG_KEY_GLOBEX = "sk_test_globex_upstream"
UPSTREAM_ORG_ACME = "org_upstream_acme"
UPSTREAM_ORG_GLOBEX = "org_upstream_globex"


@pytest.fixture
def slng() -> Iterator[EmulatorThread]:
    """A fresh SLNG emulator with one upstream org per local org."""
    state = EmulatorState(
        [
            ApiKey(SLNG_KEY_ACME, UPSTREAM_ORG_ACME, "lexicon-sync"),
            ApiKey(SLNG_KEY_GLOBEX, UPSTREAM_ORG_GLOBEX, "lexicon-sync"),
        ]
    )
    with EmulatorThread(state) as emulator:
        yield emulator


@pytest.fixture
def celery(tmp_path: Path) -> Iterator[Celery]:
    """Real Celery processes on the test broker (start one with ``celery.worker()``)."""
    app.control.purge()
    runner = Celery(tmp_path)
    yield runner
    runner.stop_all()
    app.control.purge()


@pytest.fixture
def worker(celery: Celery) -> Celery:
    """A real Celery worker on the test database, already started, for the tests that ask for
    one (the others check work no worker may touch)."""
    celery.worker()
    return celery

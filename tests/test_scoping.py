"""Every read of organization-owned data goes through the one scoping home (``orgs.scoping``).

Read from the source: a manager of an organization-owned model (``Dictionary.objects``,
``_default_manager``, a raw query) used anywhere else is a read that no actor narrowed.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from orgs.actors import Actor
from orgs.models import Organization, Role
from orgs.scoping import get_or_raise, organization_path, owned_models, restrict
from pronunciations.models import Dictionary, Rule
from sync.models import SyncRun, SyncState
from webhooks.models import Delivery

ROOT = Path(__file__).resolve().parents[1]
APPS = ("config", "core", "orgs", "pronunciations", "sync", "webhooks")
MANAGERS = {"objects", "_default_manager", "_base_manager"}
# Calls that read nothing: inserting (``create``, ``bulk_create``: the row names its
# organization) and the empty queryset a form field starts with (``none``).
INSERTS = {"create", "bulk_create", "none"}
# Where a manager may be used, and why.
ALLOWED = {
    # The home itself: the one place a manager is turned into a scoped queryset.
    "orgs/scoping.py": "the scoping home",
    # Finding the API key that is the caller: before it, there is no actor to scope by.
    "orgs/authentication.py": "reads the key that becomes the actor",
}


def _owned_names() -> set[str]:
    return {model.__name__ for model in owned_models()}


def _bypasses(source: str, owned: set[str]) -> Iterator[tuple[int, str]]:
    """(line, what) for each use of a manager of an owned model, an insert aside."""
    tree = ast.parse(source)
    inserts = {
        id(node.func.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in INSERTS
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or node.attr not in MANAGERS:
            continue
        owner = node.value.id if isinstance(node.value, ast.Name) else ""
        if id(node) in inserts or (node.attr == "objects" and owner not in owned):
            continue
        yield node.lineno, f"{owner or '…'}.{node.attr}"


def _sources() -> Iterator[tuple[str, str]]:
    for top in APPS:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def test_organization_owned_data_is_read_only_through_the_scoping_home() -> None:
    owned = _owned_names()
    found = [
        f"{name}:{line} {what}"
        for name, source in _sources()
        if name not in ALLOWED
        for line, what in _bypasses(source, owned)
    ]

    assert found == []


def test_the_guard_sees_a_bypass() -> None:
    source = (
        "Dictionary.objects.filter(name='x')\n"
        "Dictionary.objects.create(name='y')\n"
        "model._default_manager.all()\n"
        "User.objects.all()\n"
    )

    assert list(_bypasses(source, _owned_names())) == [
        (1, "Dictionary.objects"),
        (3, "model._default_manager"),
    ]


def test_the_models_an_organization_owns_are_found_through_their_keys() -> None:
    assert organization_path(Organization) == "pk"
    assert organization_path(Dictionary) == "organization_id"
    assert organization_path(Rule) == "dictionary__organization_id"
    assert organization_path(SyncState) == "target__organization_id"
    assert organization_path(SyncRun) == "target__organization_id"
    assert organization_path(Delivery) == "endpoint__organization_id"


@pytest.mark.django_db
def test_an_actor_reads_only_where_it_holds_the_role() -> None:
    one = Organization.objects.create(name="One", slug="one")
    two = Organization.objects.create(name="Two", slug="two")
    viewer = Actor("v", "user:1", reach={one.pk: Role.VIEWER, two.pk: Role.EDITOR})

    assert list(restrict(Organization, viewer).order_by("pk")) == [one, two]
    assert list(restrict(Organization, viewer, Role.EDITOR)) == [two]
    assert list(restrict(Organization, Actor("", ""))) == []
    assert list(restrict(Organization, Actor.system("test", one))) == [one]
    assert set(restrict(Organization, Actor.system("test"))) >= {one, two}


@pytest.mark.django_db
def test_an_actor_narrowed_to_one_organization_keeps_its_role_there_only() -> None:
    one = Organization.objects.create(name="One", slug="one")
    two = Organization.objects.create(name="Two", slug="two")
    editor = Actor("e", "user:2", reach={one.pk: Role.EDITOR, two.pk: Role.VIEWER})

    assert editor.within(one).organization_ids(Role.EDITOR) == [one.pk]
    assert editor.within(two).organization_ids(Role.EDITOR) == []
    assert Actor("", "").within(one).organization_ids() == []
    assert Actor.system("test").within(two).organization_ids() == [two.pk]


@pytest.mark.django_db
def test_a_row_of_another_organization_is_not_found() -> None:
    one = Organization.objects.create(name="One", slug="one")
    two = Organization.objects.create(name="Two", slug="two")
    reader = Actor.system("test", one)

    assert get_or_raise(restrict(Organization, reader), LookupError("x"), slug="one") == one
    with pytest.raises(LookupError):
        get_or_raise(restrict(Organization, reader), LookupError("x"), pk=two.pk)

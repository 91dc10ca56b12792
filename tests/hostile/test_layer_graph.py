"""Issue 29's layer graph under concurrent and roundabout writes: two writers that each pass the
graph check alone must not together make a cycle or leave an includer with a deleted layer, and
no way round (an includer above, a dictionary brought back) may nest layers past the limit.

The races are made deterministic: the first writer's transaction is held open after its write,
the second starts, and the first commits only once the second has finished or waits on a lock.
"""

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from orgs.models import Organization
from pronunciations import layers, selectors, services, store
from pronunciations.errors import LayerInUse, PreconditionFailed
from pronunciations.models import Mode
from pronunciations.switch import rule_switch
from pronunciations.validation import IncludeSpec, RuleSpec
from tests.processes import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def create(organization: Organization, name: str, *includes: str, **rules: str) -> None:
    services.dictionary_create(
        organization=organization,
        name=name,
        modes={"rewrite": {"rules": [{"match": m, "replace": r} for m, r in rules.items()]}},
        includes=[{"name": layer} for layer in includes],
    )


def include(organization: Organization, name: str, *layer_names: str) -> None:
    services.dictionary_update(
        organization=organization,
        name=name,
        partial=True,
        includes=[{"name": layer} for layer in layer_names],
    )


class Outcome:
    """What a call in another thread did: its exception, or None once it returned."""

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self.done = threading.Event()


def _in_thread(call: Callable[[], object], outcome: Outcome) -> threading.Thread:
    def run() -> None:
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.error = exc
        finally:
            connection.close()
            outcome.done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


@contextmanager
def held_open(first: Callable[[], object]) -> Iterator[Outcome]:
    """Run ``first`` in a transaction of another thread and keep it open while the block runs
    (the block starts the second writer and waits with ``until_blocked_or_done``); commit it
    after."""
    written, release, outcome = threading.Event(), threading.Event(), Outcome()

    def hold() -> None:
        with transaction.atomic():
            first()
            written.set()
            release.wait(60)

    thread = _in_thread(hold, outcome)
    try:
        wait_for(lambda: written.is_set() or outcome.done.is_set(), what="the first write")
        assert outcome.error is None, outcome.error
        yield outcome
    finally:
        release.set()
        thread.join(60)
    assert outcome.error is None, outcome.error


def second(call: Callable[[], object]) -> tuple[threading.Thread, Outcome]:
    """Start the second writer; return once it has finished or waits on a lock."""
    outcome = Outcome()
    thread = _in_thread(call, outcome)
    wait_for(
        lambda: outcome.done.is_set() or _waiting_on_a_lock(), what="the second writer to block"
    )
    return thread, outcome


def finished(thread: threading.Thread, outcome: Outcome) -> BaseException | None:
    thread.join(60)
    assert outcome.done.is_set()
    return outcome.error


def field_errors(error: BaseException | None) -> dict[str, list[str]]:
    assert isinstance(error, ValidationError), repr(error)
    return error.message_dict


# -- races -----------------------------------------------------------------------------------


def test_two_patches_at_once_cannot_make_a_cycle(organization: Organization) -> None:
    """Each PATCH alone was checked against the graph without the other's uncommitted include:
    both passed, and brand < support < brand was stored."""
    create(organization, "brand", NAIC="nake")
    create(organization, "support", hi="hello")

    with held_open(lambda: include(organization, "support", "brand")):
        thread, outcome = second(lambda: include(organization, "brand", "support"))
    error = finished(thread, outcome)

    assert field_errors(error) == {
        "includes[0].name": [
            "support includes brand already (through support < brand): that is a cycle"
        ]
    }
    graph = layers.includes_by_name(organization.pk)
    assert graph == {"brand": (), "support": (IncludeSpec("brand"),)}


def test_a_layer_cannot_be_deleted_while_an_includer_takes_it_up(
    organization: Organization,
) -> None:
    """The delete looked for includers without the update's uncommitted include, so the
    includer was left naming a deleted layer (its flattened content silently lost brand)."""
    create(organization, "brand", NAIC="nake")
    create(organization, "support", hi="hello")

    with held_open(lambda: include(organization, "support", "brand")):
        thread, outcome = second(
            lambda: services.dictionary_delete(organization=organization, name="brand")
        )
    error = finished(thread, outcome)

    assert isinstance(error, LayerInUse)
    assert error.message == (
        "Pronunciation dictionary brand is a layer of support: remove it from their includes "
        "before deleting it."
    )
    support = selectors.dictionary_get(organization=organization, name="support")
    assert layers.current_flat(support).missing == []


def test_an_includer_cannot_take_up_a_layer_being_deleted(organization: Organization) -> None:
    """The other order: the update checked that brand was live while its delete was not yet
    committed, and then included a deleted layer."""
    create(organization, "brand", NAIC="nake")
    create(organization, "support", hi="hello")

    with held_open(lambda: services.dictionary_delete(organization=organization, name="brand")):
        thread, outcome = second(lambda: include(organization, "support", "brand"))
    error = finished(thread, outcome)

    assert field_errors(error) == {
        "includes[0].name": ["no dictionary named brand in this organization"]
    }
    assert layers.includes_by_name(organization.pk) == {"support": ()}


def test_switching_a_rule_off_keeps_a_change_made_since_it_read(
    organization: Organization,
) -> None:
    """The admin's switch read the rules, then wrote them back with one flag changed: a change
    committed in between (here a new rule) was overwritten without a word."""
    create(organization, "brand", NAIC="nake")
    both = {
        "rewrite": {"rules": [{"match": "NAIC", "replace": "nake"}, {"match": "A", "replace": "B"}]}
    }

    def add_rule() -> Any:
        return services.dictionary_update(organization=organization, name="brand", modes=both)

    with held_open(add_rule):
        thread, outcome = second(
            lambda: rule_switch(
                organization=organization,
                name="brand",
                mode=Mode.REWRITE,
                match="NAIC",
                disabled=True,
            )
        )
    error = finished(thread, outcome)

    assert isinstance(error, PreconditionFailed)
    brand = selectors.dictionary_get(organization=organization, name="brand")
    assert layers.current_content(brand).modes[Mode.REWRITE] == (
        RuleSpec("NAIC", "nake"),
        RuleSpec("A", "B"),
    )


# -- depth counted from above, and dictionaries brought back -----------------------------------


def test_a_layer_cannot_take_includes_that_nest_its_includers_too_deep(
    organization: Organization,
) -> None:
    """Only the chain below the written dictionary was counted: agent < team < shared could
    take shared < brand < names, nesting agent's layers 4 deep, and agent's flattened content
    then silently lost the deepest layer."""
    create(organization, "names", X="y")
    create(organization, "brand", "names")
    create(organization, "shared")
    create(organization, "team", "shared")
    create(organization, "agent", "team")

    with pytest.raises(ValidationError) as refused:
        include(organization, "shared", "brand")

    assert refused.value.message_dict == {
        "includes[0].name": [
            "layers may nest at most 3 deep; through brand they nest 4 (counting the "
            "dictionaries that include shared)"
        ]
    }
    include(organization, "team", "brand")  # team < brand < names: agent nests 3 deep, allowed
    agent = selectors.dictionary_get(organization=organization, name="agent")
    assert [name for name, _ in layers.current_flat(agent).layers] == [
        "names",
        "brand",
        "team",
        "agent",
    ]


def test_a_dictionary_whose_layer_was_deleted_is_not_brought_back_without_it(
    organization: Organization,
) -> None:
    """Bringing back a deleted includer did not check its includes: it came back naming a
    layer deleted in the meantime."""
    create(organization, "brand", NAIC="nake")
    create(organization, "support", "brand")
    deleted = services.dictionary_delete(organization=organization, name="support")
    services.dictionary_delete(organization=organization, name="brand")

    with pytest.raises(ValidationError) as refused:
        services.dictionary_undelete(organization=organization, dictionary_id=deleted.public_id)

    assert refused.value.message_dict == {
        "includes[0].name": ["no dictionary named brand in this organization"]
    }
    assert not selectors.dictionary_named(organization=organization, name="support").exists()


def test_a_dictionary_brought_back_keeps_its_layers(organization: Organization) -> None:
    """The deletion's and the undeletion's revisions were written without the includes: the
    dictionary came back without its layers in its content, while its include rows (and so
    the refusal to delete brand) still named them."""
    create(organization, "brand", NAIC="nake")
    create(organization, "support", "brand", hi="hello")
    deleted = services.dictionary_delete(organization=organization, name="support")

    restored = services.dictionary_undelete(
        organization=organization, dictionary_id=deleted.public_id
    )

    assert layers.current_layered_of([restored])[restored.pk].includes == (IncludeSpec("brand"),)
    assert [name for name, _ in layers.current_flat(restored).layers] == ["brand", "support"]


def test_a_deletion_does_not_wait_for_an_import_holding_the_organization(
    organization: Organization,
) -> None:
    """The graph's lock is not the organization's row, which an import creating dictionaries
    holds until it ends (store.room_check): a deletion meanwhile would wait for all of it."""
    create(organization, "old", hi="hello")

    with held_open(lambda: store.room_check(Counter({organization.pk: 1}))):
        thread, outcome = second(
            lambda: services.dictionary_delete(organization=organization, name="old")
        )
        assert outcome.done.is_set()  # finished while the organization's row was held
    assert finished(thread, outcome) is None

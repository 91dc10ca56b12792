"""The layer graph's writes: one writer at a time per organization, and the checks it passes.

``pronunciations.layers`` reads and flattens layers; this module guards the graph the includes
make when it changes: ``store`` checks a write's includes here, ``services`` locks the graph
before a deletion and checks a dictionary's includes before bringing it back, and keeps its
layers in those two revisions.
"""

from django.core.exceptions import ValidationError
from django.db import connection

from orgs.actors import Actor
from orgs.scoping import restrict
from pronunciations import layers
from pronunciations.models import Dictionary, Revision
from pronunciations.validation import IncludeSpec, include_graph_problems, includer_depth

# Reads keyed by an organization its callers already scoped (the writer's own).
GRAPH = Actor.system("layer graph")
# The first key of the graph's advisory locks ("LG"), the organization's id the second.
GRAPH_LOCK = 0x4C47


def lock_graph(organization_id: int) -> None:
    """Take the organization's layer graph for this transaction. Every write that can change
    the graph (includes given, a dictionary deleted or brought back, a revision restored) takes
    it before reading the graph, and before locking a dictionary's row where it can, so two
    writers never both check a graph the other is changing: two PATCHes at once could each
    pass and make a cycle, a layer deleted while an includer adds it could leave the includer
    with a missing layer. Inside the writing transaction.

    A PostgreSQL advisory lock of the transaction, not the organization's row: an import that
    creates dictionaries holds that row (``store.room_check``) until it ends, minutes for a
    large one, and a deletion must not wait for it. SQLite (the embedded local run) has one
    writer at a time and no such lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = organization_id & 0x7FFFFFFF  # two int4 keys; a shared key only waits more
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [GRAPH_LOCK, key])


def check_graph(items: list[tuple[int, str, tuple[IncludeSpec, ...]]]) -> None:
    """Refuse writes whose includes (``(organization id, name, includes)``, written together)
    name a missing layer, make a cycle or nest too deep, counting the dictionaries that include
    each one: one ValidationError keyed by ``includes[i].name``. Locks each organization's
    graph first (``lock_graph``): call inside the writing transaction."""
    graphs: dict[int, dict[str, tuple[IncludeSpec, ...]]] = {}
    for organization_id in sorted({organization_id for organization_id, _, _ in items}):
        lock_graph(organization_id)
        graphs[organization_id] = layers.includes_by_name(organization_id)
    for organization_id, name, includes in items:
        graphs[organization_id][name.lower()] = includes
    for organization_id, name, includes in items:
        graph = graphs[organization_id]
        above = includer_depth(name, graph)
        if problems := include_graph_problems(name, includes, graph.get, above=above):
            raise ValidationError(problems)


def with_layers(revision: Revision, layered: layers.Layered) -> Revision:
    """``revision`` with ``layered`` in its snapshot: a deletion and an undeletion keep the
    dictionary's layers as any revision does (``store`` records them for every other write)."""
    layers.to_snapshot(revision.snapshot, layered)
    return revision


def check_back(dictionary: Dictionary) -> layers.Layered:
    """The layers a deleted dictionary comes back with: those of its last revision before it
    was deleted (a deletion recorded before they were kept in its own revision lacks them).
    Refused when they no longer hold (a layer deleted since, a cycle or a chain too deep
    since): as ``check_graph``, inside the transaction."""
    snapshot = (
        restrict(Revision, GRAPH)
        .filter(dictionary=dictionary, number__lt=dictionary.revision)
        .order_by("-number")
        .values_list("snapshot", flat=True)
        .first()
    )
    layered = layers.from_snapshot(snapshot or {})
    if layered.includes:
        check_graph([(dictionary.organization_id, dictionary.name, layered.includes)])
    return layered

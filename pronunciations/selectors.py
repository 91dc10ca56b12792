"""Every read of dictionaries, always through the scoping home (``orgs.scoping.restrict``).

Lists across organizations (the admin's start, review and scan pages) take the actor; reads
inside one organization (the API's, whose key has one) take the organization, read as
``Actor.system("dictionary read", organization)``; annotations read within a queryset that
is already scoped.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from orgs.actors import Actor
from orgs.models import Organization, Role
from orgs.scoping import restrict
from pronunciations.content import current_modes, rule_index
from pronunciations.errors import (
    DeletedDictionaryNotFound,
    DictionaryNotFound,
    RevisionNotFound,
    RuleNotFound,
)
from pronunciations.models import Dictionary, Include, Mode, ReviewState, Revision, Rule
from pronunciations.validation import RuleSpec, normalize_name

# Subqueries correlated with (or keyed by) rows the caller already read through the home.
WITHIN_SCOPED = Actor.system("scoped subquery")


def _in(organization: Organization) -> Actor:
    """Lexicon reading inside one organization that its caller already stands for."""
    return Actor.system("dictionary read", organization)


def with_current_modes(queryset: QuerySet[Dictionary]) -> QuerySet[Dictionary]:
    """Annotate ``current_modes``: the wire ``modes`` of the current revision's snapshot.

    Every write records a revision whose snapshot is exactly what the API shows, so responses
    read that one JSON value instead of rebuilding hundreds of rule rows into objects.
    """
    current = (
        restrict(Revision, WITHIN_SCOPED)
        .filter(dictionary=OuterRef("pk"), number=OuterRef("revision"))
        .order_by()
    )
    return queryset.select_related("organization").annotate(
        current_modes=Subquery(current.values("snapshot__modes")[:1])
    )


def with_current_checks(queryset: QuerySet[Dictionary]) -> QuerySet[Dictionary]:
    """Annotate ``current_checks``: the checks of the current revision's snapshot (None when
    it has none); read it through ``checks.current_checks``."""
    current = (
        restrict(Revision, WITHIN_SCOPED)
        .filter(dictionary=OuterRef("pk"), number=OuterRef("revision"))
        .order_by()
    )
    return queryset.annotate(current_checks=Subquery(current.values("snapshot__checks")[:1]))


def only_live(queryset: QuerySet[Dictionary]) -> QuerySet[Dictionary]:
    """The live (not deleted) dictionaries of a queryset: the one statement of "live"."""
    return queryset.filter(deleted_at__isnull=True)


def dictionary_live(*, organization: Organization) -> QuerySet[Dictionary]:
    """The organization's live (not deleted) dictionaries, unordered, without their rules."""
    return only_live(restrict(Dictionary, _in(organization)))


def import_digests(
    *, organization: Organization, names: list[str] | None = None, lock: bool = False
) -> dict[str, tuple[str, str]]:
    """normalized name -> (name, import digest) of the organization's live dictionaries still
    at the revision their digest was taken at (pronunciations.transfer.runs): all, or those of
    the normalized ``names``; ``lock``: locked (FOR UPDATE) until the transaction ends."""
    current = dictionary_live(organization=organization).filter(import_revision=F("revision"))
    if names is not None:
        current = current.filter(normalized_name__in=names)
    if lock:
        current = current.select_for_update()
    rows = current.exclude(import_digest="").values_list("normalized_name", "name", "import_digest")
    return {key: (name, digest) for key, name, digest in rows}


def dictionary_named(*, organization: Organization, name: str) -> QuerySet[Dictionary]:
    """The organization's live dictionary of that name (case-insensitive), as a queryset."""
    return dictionary_live(organization=organization).filter(normalized_name=normalize_name(name))


def _named(queryset: QuerySet[Dictionary], name: str) -> Dictionary:
    found = queryset.filter(normalized_name=normalize_name(name)).first()
    if found is None:
        raise DictionaryNotFound(name)
    return found


def dictionary_list(*, organization: Organization) -> QuerySet[Dictionary]:
    """All live dictionaries of the organization, ordered by name, each with ``current_modes``
    (read it through ``content.current_wire`` / ``current_modes``)."""
    return with_current_modes(dictionary_live(organization=organization)).order_by(
        "normalized_name", "name"
    )


def dictionary_get(*, organization: Organization, name: str) -> Dictionary:
    """The organization's live dictionary by name (case-insensitive), with ``current_modes``;
    raises DictionaryNotFound."""
    return _named(with_current_modes(dictionary_live(organization=organization)), name)


# The API's names for the same reads (kept: get and list have always read the snapshot).
dictionary_list_for_response = dictionary_list
dictionary_get_for_response = dictionary_get


def rule_get(
    *, organization: Organization, name: str, mode: Mode, match: str
) -> tuple[Dictionary, int, RuleSpec]:
    """The organization's live dictionary by name and, in ``mode``, the rule with ``match``'s
    comparison key (case-folded, whitespace runs as one), with its position there. Read from
    the current snapshot, like all content. Raises DictionaryNotFound or RuleNotFound."""
    dictionary = dictionary_get(organization=organization, name=name)
    rules = current_modes(dictionary).get(mode, ())
    position = rule_index(rules, match)
    if position is None:
        raise RuleNotFound(dictionary.name, mode.value, match)
    return dictionary, position, rules[position]


def deleted_dictionary_list(
    *, organization: Organization, since: datetime | None = None
) -> QuerySet[Dictionary]:
    """Deleted dictionaries of the organization, most recently deleted first."""
    queryset = restrict(Dictionary, _in(organization)).filter(deleted_at__isnull=False)
    if since is not None:
        queryset = queryset.filter(deleted_at__gte=since)
    return queryset.select_related("organization").order_by("-deleted_at", "-pk")


def deleted_dictionary_get(*, organization: Organization, dictionary_id: str) -> Dictionary:
    """A deleted dictionary of the organization by its public id (however long ago it was
    deleted); raises DeletedDictionaryNotFound."""
    found = (
        restrict(Dictionary, _in(organization))
        .filter(public_id=dictionary_id, deleted_at__isnull=False)
        .first()
    )
    if found is None:
        raise DeletedDictionaryNotFound(dictionary_id)
    return found


def revision_list(
    *, organization: Organization, name: str, before: int | None = None, limit: int = 50
) -> tuple[Dictionary, list[Revision]]:
    """A page of the dictionary's revisions, newest first, numbered below ``before``."""
    dictionary = dictionary_get(organization=organization, name=name)
    revisions = dictionary.revisions.order_by("-number")
    if before is not None:
        revisions = revisions.filter(number__lt=before)
    return dictionary, list(revisions[:limit])


def revision_get(*, organization: Organization, name: str, number: int) -> Revision:
    dictionary = dictionary_get(organization=organization, name=name)
    revision = dictionary.revisions.filter(number=number).first()
    if revision is None:
        raise RevisionNotFound(dictionary.name, number)
    return revision


def current_revision(*, organization: Organization, name: str) -> Revision:
    """The current revision of the organization's live dictionary (with the dictionary), in
    one query; raises DictionaryNotFound."""
    revision = (
        restrict(Revision, _in(organization))
        .filter(
            dictionary__in=dictionary_named(organization=organization, name=name),
            number=F("dictionary__revision"),
        )
        .select_related("dictionary")
        .first()
    )
    if revision is None:
        raise DictionaryNotFound(name)
    return revision


def dictionaries_for_export(
    *, organization: Organization, names: list[str] | None = None
) -> QuerySet[Dictionary]:
    """The organization's live dictionaries (all, or those named) with their current modes and
    checks, ordered by name."""
    queryset = with_current_checks(dictionary_list(organization=organization))
    if names:
        wanted = {normalize_name(name): name for name in names}
        queryset = queryset.filter(normalized_name__in=list(wanted))
        found = set(queryset.values_list("normalized_name", flat=True))
        missing = [name for key, name in wanted.items() if key not in found]
        if missing:
            raise DictionaryNotFound(", ".join(missing))
    return queryset


def any_checks(queryset: QuerySet[Dictionary]) -> bool:
    """Whether any of the dictionaries has checks (exports add a ``note`` column then)."""
    return (
        restrict(Revision, WITHIN_SCOPED)
        .filter(
            dictionary__in=queryset.values("pk"),
            number=F("dictionary__revision"),
            snapshot__has_key="checks",
        )
        .exists()
    )


def any_disabled(queryset: QuerySet[Dictionary]) -> bool:
    """Whether any of the dictionaries has a disabled rule (exports add a ``disabled`` column)."""
    return (
        restrict(Rule, WITHIN_SCOPED)
        .filter(dictionary__in=queryset.values("pk"), disabled=True)
        .exists()
    )


def metadata_keys(queryset: QuerySet[Dictionary]) -> set[str]:
    """Every metadata key used by the dictionaries (export columns must be known up front)."""
    keys: set[str] = set()
    for metadata in queryset.values_list("metadata", flat=True):
        keys.update(metadata or {})
    return keys


def revision_recent(*, actor: Actor, limit: int) -> list[tuple[Revision, Revision | None]]:
    """The newest revisions of the dictionaries the actor may read, newest first, each with the
    revision before it (None for a first revision).

    Two queries, whatever the number of dictionaries; newest is by id, which follows the order
    revisions were written in and walks the primary key's index.
    """
    queryset = restrict(Revision, actor).select_related("dictionary", "dictionary__organization")
    revisions = list(queryset.order_by("-pk")[:limit])
    wanted = Q(pk__in=[])
    for revision in revisions:
        wanted |= Q(dictionary_id=revision.dictionary_id, number=revision.number - 1)
    before = {
        (older.dictionary_id, older.number): older
        for older in (restrict(Revision, actor).filter(wanted) if revisions else [])
    }
    return [(r, before.get((r.dictionary_id, r.number - 1))) for r in revisions]


def dictionary_scan(*, actor: Actor, limit: int) -> list[Dictionary]:
    """Up to ``limit`` live dictionaries the actor may read, by organization and name, without
    their content (read it with ``with_current_modes``)."""
    queryset = only_live(restrict(Dictionary, actor).select_related("organization"))
    return list(queryset.order_by("organization__slug", "normalized_name", "pk")[:limit])


# A revision counts as approved once a reviewer approved it, or when review was off as it was made.
APPROVED_STATES = (ReviewState.APPROVED, ReviewState.AUTO)


def approved_revision(dictionary: Dictionary) -> Revision | None:
    """The dictionary's approved revision: its highest-numbered revision approved by a reviewer
    or made with review off (``auto``); None when none is. This is what an ``approved`` channel
    serves (a delete revision included: it is then pruned)."""
    approved = dictionary.revisions.filter(review_state__in=APPROVED_STATES)
    return approved.order_by("-number").first()


def approved_revisions(dictionary_ids: Iterable[int]) -> dict[int, Revision]:
    """``approved_revision`` of many dictionaries (by primary key) in one query: a dictionary with
    none is absent from the answer. The callers' dictionaries are already scoped."""
    top = (
        restrict(Revision, WITHIN_SCOPED)
        .filter(dictionary=OuterRef("dictionary"), review_state__in=APPROVED_STATES)
        .order_by("-number")
        .values("number")[:1]
    )
    revisions = (
        restrict(Revision, WITHIN_SCOPED)
        .filter(dictionary_id__in=list(dictionary_ids), number=Subquery(top))
        .order_by()
    )
    return {revision.dictionary_id: revision for revision in revisions}


def revision_proposed(
    *, actor: Actor, limit: int, minimum: str = Role.VIEWER
) -> tuple[list[Revision], int]:
    """The proposed revisions of the dictionaries the actor may read, live or deleted (a deletion
    waits for review too), newest first, at most ``limit``, with their dictionary and organization;
    and how many there are. Two queries."""
    queryset = restrict(Revision, actor, minimum).filter(review_state=ReviewState.PROPOSED)
    rows = queryset.select_related("dictionary", "dictionary__organization").order_by("-pk")
    return list(with_included(rows)[:limit]), queryset.count()


def with_included(queryset: QuerySet[Revision]) -> QuerySet[Revision]:
    """Annotate ``included``: whether a live dictionary includes the revision's dictionary as a
    layer (review then runs the includers' checks: pronunciations.ripple); in the same query."""
    includes = restrict(Include, WITHIN_SCOPED).filter(
        layer_name=OuterRef("dictionary__normalized_name"),
        dictionary__organization_id=OuterRef("dictionary__organization_id"),
        dictionary__deleted_at__isnull=True,
    )
    return queryset.annotate(included=Exists(includes))


def failing_checks(*, actor: Actor, limit: int) -> tuple[list[Revision], int]:
    """The current revisions of the live dictionaries the actor may read whose checks fail, most
    recent first, at most ``limit``, with their dictionary; and how many there are. Two
    queries."""
    queryset = restrict(Revision, actor).filter(
        number=F("dictionary__revision"),
        dictionary__deleted_at__isnull=True,
        checks_failed__gt=0,
    )
    rows = queryset.select_related("dictionary", "dictionary__organization").order_by("-pk")
    return list(rows[:limit]), queryset.count()


def _deletion() -> QuerySet[Revision]:
    """A deleted dictionary's deletion: its current revision (for a Subquery)."""
    return (
        restrict(Revision, WITHIN_SCOPED)
        .filter(dictionary=OuterRef("pk"), number=OuterRef("revision"))
        .order_by()
    )


def with_deletion(queryset: QuerySet[Dictionary]) -> QuerySet[Dictionary]:
    """Annotate deleted dictionaries with who deleted them (``deleted_by_author``) and the
    deletion's review state (``deletion_review_state``)."""
    return queryset.annotate(
        deleted_by_author=Subquery(_deletion().values("author")[:1]),
        deletion_review_state=Subquery(_deletion().values("review_state")[:1]),
    )


def deleted_dictionary_scan(*, actor: Actor, since: datetime, limit: int) -> list[Dictionary]:
    """Up to ``limit`` dictionaries the actor may read deleted since ``since``, most recently
    deleted first, ``with_deletion`` and with what the deletion keeps (``deletion_snapshot``: rules,
    metadata, checks). One query."""
    queryset = restrict(Dictionary, actor).filter(deleted_at__gte=since)
    queryset = queryset.select_related("organization")
    queryset = with_deletion(queryset).annotate(
        deletion_snapshot=Subquery(_deletion().values("snapshot")[:1])
    )
    return list(queryset.order_by("-deleted_at", "-pk")[:limit])

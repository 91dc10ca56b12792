"""The one write path: validated content becomes a stored dictionary, its rule rows, one revision
and, after commit, one change signal.

Every write goes through ``store`` (a single create or update from the API or the admin, a
restore, or a whole import at once) and every revision through ``revision_for``. ``store``
batches the same steps for any number of dictionaries: the dictionary rows by
``bulk_create``/``bulk_update``, the rules and revisions by ``COPY`` on PostgreSQL. A feature
that adds state to every write (review, check results) adds it here: ``with_checks`` records a
revision's checks and their results (a write's checks are its own, or its dictionary's current
ones when it gives none, so a change of rules alone keeps them).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from orgs.actors import UNKNOWN, Actor
from orgs.events import Event, publish
from orgs.models import Organization
from orgs.scoping import restrict
from pronunciations import checks, events, layer_graph, layers, ripple, validation
from pronunciations.content import content_hash, modes_to_wire
from pronunciations.errors import DictionaryLimitReached
from pronunciations.models import Action, Dictionary, ReviewState, Revision, Rule
from pronunciations.signals import dictionaries_changed, dictionary_changed
from pronunciations.store_rows import (
    in_background,
    insert_revisions,
    insert_rules,
    send_in_background,
)
from pronunciations.validation import Check, DictionaryInput

# Lexicon reading on its own account (orgs.scoping: every organization).
STORE = Actor.system("store")


@dataclass
class Write:
    """One dictionary's next content. ``dictionary`` is unsaved for a create (its organization
    and name set), or an existing row the caller has locked."""

    dictionary: Dictionary
    content: DictionaryInput
    action: Action
    source: str
    author: Actor = UNKNOWN
    comment: str = ""
    hash: str = ""  # the content's hash when the caller has it already
    wire: dict[str, Any] | None = None  # the content's wire modes when the caller has them
    # ``wire``'s canonical JSON (content.canonical_wire) when the caller has it: the revision's
    # snapshot is written around it instead of encoding the rules again.
    wire_json: str = ""
    # Its rule rows written already (store_rows.rules_template), when the caller has them.
    rules_csv: str = ""
    checks: tuple[Check, ...] | None = None  # None: keep the dictionary's current checks
    # An import's digest of the records this content comes from (transfer.runs), remembered
    # with the revision this write makes; "" forgets none.
    import_digest: str = ""


def is_unchanged(
    dictionary: Dictionary,
    modes_hash: str,
    metadata: dict[str, Any],
    new_checks: tuple[Check, ...] | None = None,
    content: DictionaryInput | None = None,
) -> bool:
    """The one test of "nothing would change": same content hash, same metadata and, unless
    ``new_checks`` is None (checks kept), the same checks in the same order; and the same
    layers when ``content`` gives them."""
    if modes_hash != dictionary.content_hash or metadata != dictionary.metadata:
        return False
    if content is not None and not _same_layers(dictionary, content):
        return False
    return new_checks is None or new_checks == checks.current_checks(dictionary)


def _same_layers(dictionary: Dictionary, content: DictionaryInput) -> bool:
    if content.includes is None and content.layer_only is None:
        return True
    current = layers.current_layered_of([dictionary]).get(dictionary.pk, layers.Layered())
    if content.includes is not None and content.includes != current.includes:
        return False
    return content.layer_only is None or content.layer_only == current.layer_only


def announce(dictionary: Dictionary, change: str) -> None:
    """Send ``dictionary_changed`` once the transaction commits (never for a rollback)."""
    organization_id, dictionary_id = dictionary.organization_id, dictionary.pk
    transaction.on_commit(
        lambda: dictionary_changed.send(
            sender=Dictionary,
            organization_id=organization_id,
            dictionary_id=dictionary_id,
            change=change,
        )
    )


Changes = list[tuple[int, str]]  # (dictionary id, change) pairs of one organization


@dataclass
class Announcements:
    """What writes in batches (an import) announce once, after commit: their changes
    (``announce_many``) and their revisions' events (one publish per organization)."""

    changes: Changes = field(default_factory=list)
    events: dict[int, list[Event]] = field(default_factory=dict)

    def send(self, organization_id: int) -> None:
        announce_many(organization_id, self.changes)
        for organization, published in self.events.items():
            publish(organization_id=organization, events=published)


def announce_many(organization_id: int, changes: Changes) -> None:
    """Announce many changes of one organization once the transaction commits: one
    ``dictionaries_changed`` (``dictionary_changed`` when there is only one)."""
    if len(changes) == 1:
        dictionary_id, change = changes[0]
        transaction.on_commit(
            lambda: dictionary_changed.send(
                sender=Dictionary,
                organization_id=organization_id,
                dictionary_id=dictionary_id,
                change=change,
            )
        )
    elif changes:
        sent = tuple(changes)
        transaction.on_commit(
            lambda: dictionaries_changed.send(
                sender=Dictionary, organization_id=organization_id, changes=sent
            )
        )


def revision_for(
    dictionary: Dictionary, action: Action, source: str, author: Actor, comment: str, wire: Any
) -> Revision:
    """The (unsaved) revision recording the dictionary as it now is, with its wire modes, by
    ``author`` (shown by name; ``author_ref`` is who may not review it)."""
    return Revision(
        dictionary=dictionary,
        number=dictionary.revision,
        action=action,
        source=source,
        snapshot={"modes": wire, "metadata": dictionary.metadata},
        content_hash=dictionary.content_hash,
        author=author.name,
        author_ref=author.ref,
        comment=comment,
        created_at=dictionary.updated_at,
    )


def with_checks(revision: Revision, kept: Sequence[Check]) -> Revision:
    """Record the checks in the revision's snapshot and run them against its content, flattened
    with its layers (``check_results``, ``checks_failed``); without checks the snapshot has no
    ``checks``. Call after ``layers.to_snapshot``."""
    if kept:
        modes, key = ripple.flattened_modes(revision)
        results = checks.run(modes, kept, content_key=key)
        revision.snapshot["checks"] = checks.checks_to_wire(kept)
        revision.check_results = results
        revision.checks_failed = checks.summary(results)["failed"]
    return revision


def _checks_of(writes: Sequence[Write]) -> list[tuple[Check, ...]]:
    """Each write's checks: its own, or (None) its dictionary's current ones, read at once."""
    keep = [w.dictionary for w in writes if w.checks is None and w.dictionary.pk is not None]
    current = checks.current_checks_of(keep) if keep else {}
    return [w.checks if w.checks is not None else current.get(w.dictionary.pk, ()) for w in writes]


def _layers_of(writes: Sequence[Write]) -> list[layers.Layered]:
    """Each write's layers: its own includes and "layer only" where it gives them, else its
    dictionary's current ones (a write of rules alone keeps them). Refuses includes that name
    a missing layer, make a cycle or nest too deep (``layer_graph.check_graph``)."""
    current = layers.current_layered_of(w.dictionary for w in writes)
    found = []
    for write in writes:
        kept = current.get(write.dictionary.pk, layers.Layered())
        content = write.content
        includes = kept.includes if content.includes is None else content.includes
        layer_only = kept.layer_only if content.layer_only is None else content.layer_only
        found.append(layers.Layered(includes, layer_only))
    given = [
        (w.dictionary.organization_id, w.dictionary.name, found[i].includes)
        for i, w in enumerate(writes)
        if w.content.includes
    ]
    if given:
        layer_graph.check_graph(given)
    return found


def remember_import_digests(digests: Sequence[tuple[Dictionary, str]]) -> None:
    """Remember the digest of the import records that left each dictionary as it now is, at its
    current revision: the same records imported again are skipped (transfer.runs). For the
    dictionaries an import leaves as they were; a write remembers its own (``Write``)."""
    for dictionary, digest in digests:
        dictionary.import_digest, dictionary.import_revision = digest, dictionary.revision
    fields = ["import_digest", "import_revision"]
    restrict(Dictionary, STORE).bulk_update([d for d, _ in digests], fields, batch_size=500)


def _stamp(write: Write, now: Any) -> None:
    dictionary = write.dictionary
    dictionary.metadata = write.content.metadata
    dictionary.content_hash = write.hash or content_hash(write.content.modes)
    dictionary.updated_at = now
    if dictionary.pk is None:
        dictionary.normalized_name = validation.normalize_name(dictionary.name)
        dictionary.created_at = now
        dictionary.revision = 1
    else:
        dictionary.revision += 1
    if write.import_digest:
        dictionary.import_digest, dictionary.import_revision = (
            write.import_digest,
            dictionary.revision,
        )


def _start_review(revisions: list[Revision]) -> list[Revision]:
    """Each new revision starts ``proposed`` where its organization requires review and is
    ``auto``-approved otherwise: read in one query per write, so turning review on applies to
    the very next write."""
    organization_ids = {revision.dictionary.organization_id for revision in revisions}
    reviewed = set(
        restrict(Organization, STORE)
        .filter(pk__in=organization_ids, review_required=True)
        .values_list("pk", flat=True)
    )
    for revision in revisions:
        required = revision.dictionary.organization_id in reviewed
        revision.review_state = ReviewState.PROPOSED if required else ReviewState.AUTO
    return revisions


def _supersede_older(revisions: list[Revision]) -> None:
    """A new revision supersedes every older proposal of its dictionary (only the newest can
    be approved, pronunciations.review): one UPDATE, by the dictionaries' new revision numbers
    (their rows are written before their revisions)."""
    changed = [revision.dictionary_id for revision in revisions if revision.number > 1]
    if changed:
        restrict(Revision, STORE).filter(
            dictionary_id__in=changed,
            review_state=ReviewState.PROPOSED,
            number__lt=F("dictionary__revision"),
        ).update(review_state=ReviewState.SUPERSEDED)


def record(
    revisions: list[Revision], announcements: "Announcements | None" = None, *, insert: bool = True
) -> None:
    """Insert new revisions (from ``revision_for``) with the state every new revision starts
    in, superseding the older proposals of their dictionaries: the one place a revision is
    created. Each is published (webhooks) after commit, or its event kept in
    ``announcements`` for the caller to publish with the others. ``insert=False``: the caller
    inserts their rows next (``store``, sending rows in the background; superseding never
    touches a dictionary's newest revision, so it may come before)."""
    _start_review(revisions)
    if insert:
        insert_revisions(revisions)
    _supersede_older(revisions)
    if announcements is None:
        events.revisions_published(revisions)
        return
    for organization_id, found in events.revision_events(revisions).items():
        announcements.events.setdefault(organization_id, []).extend(found)


def room_check(adding: Counter[int]) -> None:
    """Raise DictionaryLimitReached if adding ``adding[organization id]`` live dictionaries
    would take an organization past LEXICON_MAX_DICTIONARIES (issue 22: 3,000 dictionaries made
    a 47 MB list). Call inside the writing transaction: the organization's row is locked (FOR
    NO KEY UPDATE) so concurrent creates count one after the other."""
    limit = settings.LEXICON_MAX_DICTIONARIES
    for organization_id, count in sorted(adding.items()):
        locked = (
            restrict(Organization, STORE).select_for_update(no_key=True).filter(pk=organization_id)
        )
        locked.values_list("pk", flat=True).first()
        live = restrict(Dictionary, STORE).filter(
            organization_id=organization_id, deleted_at__isnull=True
        )
        if live.count() + count > limit:
            raise DictionaryLimitReached(limit)


def _revision_of(write: Write, layered: layers.Layered) -> Revision:
    wire = write.wire if write.wire is not None else modes_to_wire(write.content.modes)
    revision = revision_for(
        write.dictionary, write.action, write.source, write.author, write.comment, wire
    )
    layers.to_snapshot(revision.snapshot, layered)
    return revision


def store(writes: Sequence[Write], *, announced: Announcements | None = None) -> None:
    """Write each dictionary, replace its rules, record its revision, announce it after commit.

    ``announced`` collects the changes and events instead, for a caller that writes in batches
    and announces them all at once (``Announcements.send``). Raises IntegrityError when a new
    dictionary's name is taken (inside its own savepoint, except in ``rows_in_background``,
    where the caller's transaction fails as a whole), DictionaryLimitReached when new
    dictionaries would pass the organization's cap.
    """
    now = timezone.now()
    kept = _checks_of(writes)
    created = [w.dictionary for w in writes if w.dictionary.pk is None]
    changed = [w.dictionary for w in writes if w.dictionary.pk is not None]
    fields = ["revision", "metadata", "content_hash", "updated_at", "layer_only"]
    if any(write.import_digest for write in writes):
        fields += ["import_digest", "import_revision"]
    later = in_background()  # the revision and rule rows go last, sent while the caller goes on
    # A caller sending rows in the background (an import) fails as a whole: no savepoint.
    with transaction.atomic(savepoint=not later):
        layered = _layers_of(writes)  # in the transaction: it locks the graph it checks
        for write, its_layers in zip(writes, layered, strict=True):
            _stamp(write, now)
            write.dictionary.layer_only = its_layers.layer_only
        if created:
            room_check(Counter(dictionary.organization_id for dictionary in created))
        Dictionary.objects.bulk_create(created, batch_size=500)
        if len(changed) == 1:
            changed[0].save(update_fields=fields)
        elif changed:
            restrict(Dictionary, STORE).bulk_update(changed, fields, batch_size=500)
        if changed:
            restrict(Rule, STORE).filter(dictionary__in=changed).delete()
        rules = [(w.dictionary.pk, w.content.modes) for w in writes]
        if not later:
            insert_rules(rules)
        # Include rows change only where a write gives its includes (a create's are given)
        layers.write_rows(
            [
                (w.dictionary, found)
                for w, found in zip(writes, layered, strict=True)
                if w.content.includes is not None
            ]
        )
        revisions = [
            with_checks(_revision_of(w, layered_of_write), checks_of_write)
            for w, checks_of_write, layered_of_write in zip(writes, kept, layered, strict=True)
        ]
        record(revisions, announced, insert=not later)
    if later:  # in the caller's transaction, after this savepoint (see rows_in_background)
        encoded = [
            w.wire_json if w.wire_json and r.snapshot["modes"] is w.wire else None
            for w, r in zip(writes, revisions, strict=True)
        ]
        send_in_background(revisions, rules, encoded, [w.rules_csv for w in writes])
    by_organization: dict[int, Changes] = {}
    for write in writes:
        change = "created" if write.action is Action.CREATE else "updated"
        pair = (write.dictionary.pk, change)
        if announced is not None:
            announced.changes.append(pair)
        else:
            by_organization.setdefault(write.dictionary.organization_id, []).append(pair)
    for organization_id, changes in by_organization.items():
        announce_many(organization_id, changes)

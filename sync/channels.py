"""Which revision of each dictionary a target serves, and why a newer one is waiting.

A target on the ``latest`` channel may serve every revision; one on ``approved`` only revisions a
reviewer approved (or that were approved automatically, with review off: ``APPROVED_STATES``,
whose newest is ``selectors.approved_revision``). A target with
``after`` may serve a revision only once its content (the content hash) was verified on that
other target, a fact recorded in ``Verification``. A deletion needs no verification (there is
nothing to speak), only approval on an ``approved`` target. Of the revisions a target may serve
it serves the newest one, its **due** revision; a newer revision it may not serve yet is
**waiting**, for review or for verification. Everything is derived from the data (revisions,
their review state, verifications), so a run's plan, ``GET …/sync`` and the admin agree, and a
lost message only costs promptness.

``eligible`` is the one statement of the rule; the rest reads through it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from orgs.models import Organization
from orgs.scoping import restrict
from pronunciations.content import current_wire, wire_in_order
from pronunciations.models import Action, Dictionary, ReviewState, Revision
from pronunciations.selectors import APPROVED_STATES
from sync.compile import compilation, compile_payload
from sync.models import Channel, SyncState, SyncStatus, SyncTarget, Verification
from sync.system_actors import SYNC_RUN

# Revisions that will never be served on an approved target.
CLOSED = (ReviewState.REJECTED, ReviewState.SUPERSEDED)

AWAITING_REVIEW = "awaiting_review"
CHECKS_FAILED = "checks_failed"
AWAITING_VERIFICATION = "awaiting_verification_on"


def follows_every_revision(target: SyncTarget) -> bool:
    """A target on ``latest`` without ``after`` serves the current revision (today's behaviour)."""
    return target.channel == Channel.LATEST and target.after_id is None


def eligible(target: SyncTarget) -> Q:
    """The revisions the target may serve, as a filter on Revision."""
    rule = Q()
    if target.channel == Channel.APPROVED:
        rule &= Q(review_state__in=APPROVED_STATES)
    if target.after_id is not None:
        verified = restrict(Verification, SYNC_RUN).filter(
            target_id=target.after_id,
            dictionary_id=OuterRef("dictionary_id"),
            content_hash=OuterRef("content_hash"),
        )
        rule &= Q(action=Action.DELETE) | Q(Exists(verified))
    return rule


def due_number(target: SyncTarget) -> Any:
    """An expression over Dictionary rows: the number of the target's due revision (or null)."""
    if follows_every_revision(target):
        return F("revision")
    newest = restrict(Revision, SYNC_RUN).filter(eligible(target), dictionary=OuterRef("pk"))
    return Subquery(newest.order_by("-number").values("number")[:1])


def annotation(target: SyncTarget) -> str:
    """The name under which ``with_due_numbers`` annotates the target's due revision."""
    return f"sync_due_{target.pk}"


def with_due_numbers(
    queryset: QuerySet[Dictionary], targets: Iterable[SyncTarget]
) -> QuerySet[Dictionary]:
    """Annotate each target's due revision number (for list pages: one query for all rows)."""
    wanted = {annotation(t): due_number(t) for t in targets if not follows_every_revision(t)}
    return queryset.annotate(**wanted) if wanted else queryset


def due_revision(target: SyncTarget, dictionary: Dictionary) -> int | None:
    """The number of the revision the target should serve of the dictionary (None: none yet)."""
    if follows_every_revision(target):
        return dictionary.revision
    if hasattr(dictionary, annotation(target)):
        return getattr(dictionary, annotation(target))
    eligible_here = dictionary.revisions.filter(eligible(target)).order_by("-number")
    return eligible_here.values_list("number", flat=True).first()


@dataclass(frozen=True)
class Due:
    """The revision one target should serve of one dictionary."""

    dictionary: Dictionary
    number: int
    deleted: bool  # the due revision is a deletion: the target should not hold the dictionary
    content_hash: str
    at: datetime  # when the revision was made


def dues(target: SyncTarget) -> list[Due]:
    """Every dictionary of the target's organization (live or deleted) with a due revision."""
    dictionaries = (
        restrict(Dictionary, SYNC_RUN)
        .filter(organization_id=target.organization_id)
        .only(
            "pk", "name", "normalized_name", "revision", "deleted_at", "content_hash", "updated_at"
        )
    )
    if follows_every_revision(target):
        # The current revision: a deletion exactly when the dictionary is deleted.
        return [
            Due(d, d.revision, d.deleted_at is not None, d.content_hash, d.updated_at)
            for d in dictionaries
        ]
    numbered = dictionaries.annotate(due_number=due_number(target))
    asked: list[tuple[Dictionary, int]] = [
        (d, d.due_number) for d in numbered.filter(due_number__isnull=False)
    ]
    rows = _revision_rows(asked, "action", "content_hash", "created_at")
    return [
        Due(dictionary, number, action == Action.DELETE, content_hash, at)
        for (dictionary, number), (action, content_hash, at) in rows
    ]


PAIRS_PER_QUERY = 300  # (dictionary, number) pairs per query: SQLite bounds expression depth


def _revision_rows(
    asked: list[tuple[Dictionary, int]], *fields: str
) -> list[tuple[tuple[Dictionary, int], tuple[Any, ...]]]:
    """The ``fields`` of revision ``number`` of each ``(dictionary, number)``, with the pair.

    A current revision is found through the dictionary's own number (one condition for all of
    them); other revisions are named pair by pair.
    """
    by_pk = {dictionary.pk: (dictionary, number) for dictionary, number in asked}
    found: list[tuple[tuple[Dictionary, int], tuple[Any, ...]]] = []
    pks = list(by_pk)
    for start in range(0, len(pks), PAIRS_PER_QUERY):
        chunk = [by_pk[pk] for pk in pks[start : start + PAIRS_PER_QUERY]]
        current = [d.pk for d, number in chunk if number == d.revision]
        wanted = Q(dictionary_id__in=current, number=F("dictionary__revision"))
        for dictionary, number in chunk:
            if number != dictionary.revision:
                wanted |= Q(dictionary_id=dictionary.pk, number=number)
        rows = restrict(Revision, SYNC_RUN).filter(wanted).values_list("dictionary_id", *fields)
        found += [(by_pk[pk], tuple(values)) for pk, *values in rows]
    return found


def due_payloads(dues: Iterable[Due]) -> dict[int, dict[str, Any]]:
    """The create bodies SLNG gets for these due revisions: their snapshot's modes and metadata
    exactly as recorded, whatever the dictionary holds now. By dictionary pk."""
    asked = [(due.dictionary, due.number) for due in dues if not due.deleted]
    rows = _revision_rows(asked, "snapshot")
    return {d.pk: payload(d.name, snapshot) for (d, _), (snapshot,) in rows}


def payload(name: str, snapshot: dict[str, Any]) -> dict[str, Any]:
    """A revision's snapshot as SLNG's create body (the modes in the API's key order)."""
    modes = wire_in_order(snapshot.get("modes") or {"rewrite": {"rules": []}})
    body = {"name": name, "modes": modes, "metadata": snapshot.get("metadata") or {}}
    if snapshot.get("includes"):  # its layers: ``sync.plans.derive`` flattens them first
        body["includes"] = snapshot["includes"]
    return body


# -- what a target shows ------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A newer revision the target does not serve yet, and why."""

    revision: int
    reason: str  # AWAITING_REVIEW, CHECKS_FAILED or AWAITING_VERIFICATION
    target: str | None = None  # the ``after`` target, for AWAITING_VERIFICATION


def waiting(target: SyncTarget, dictionary: Dictionary, due: int | None) -> Waiting | None:
    """The newest revision above the due one that the target may still serve, with its reason.

    On ``approved``, rejected and superseded revisions never wait. A proposed revision waits for
    review (``checks_failed`` when its checks fail: it cannot be approved as it is); any other
    is held by ``after``.
    """
    if follows_every_revision(target):
        return None
    newer = dictionary.revisions.filter(number__gt=due or 0)
    if target.channel == Channel.APPROVED:
        newer = newer.exclude(review_state__in=CLOSED)
    found = newer.order_by("-number").only("number", "review_state", "checks_failed").first()
    if found is None:
        return None
    if target.channel == Channel.APPROVED and found.review_state == ReviewState.PROPOSED:
        return Waiting(found.number, CHECKS_FAILED if found.checks_failed else AWAITING_REVIEW)
    if target.after is None:  # not reached: only ``after`` holds back an eligible revision
        return None
    return Waiting(found.number, AWAITING_VERIFICATION, target.after.name)


def effective_status(state: SyncState | None, due: int | None) -> str:
    """A failure stays visible; otherwise a target that does not hold its due revision is
    pending."""
    if state is None:
        return SyncStatus.PENDING
    if state.status != SyncStatus.FAILED and state.pushed_revision != due:
        return SyncStatus.PENDING
    return state.status


@dataclass(frozen=True)
class Standing:
    """One target's view of one dictionary: what it holds, what it should hold, what waits."""

    target: SyncTarget
    state: SyncState | None
    status: str
    due_revision: int | None
    waiting: Waiting | None
    compiled_as: str = ""  # the markup the target's model takes (sync.compile), or "plain"
    not_audible: dict[str, Any] | None = None  # the current IPA rules its model cannot speak


def not_audible(target: SyncTarget, wire: dict[str, Any]) -> dict[str, Any] | None:
    """The dictionary's IPA rules (``wire``: its modes) the target's model cannot speak, with
    the sentence that says so; None when it speaks them all."""
    compiled = compile_payload({"name": "", "modes": wire, "metadata": {}}, target.model)
    if not compiled.inaudible:
        return None
    return {"rules": list(compiled.inaudible), "message": compiled.inaudible_text()}


def dictionary_standings(*, organization: Organization, dictionary: Dictionary) -> list[Standing]:
    """Each target of the organization with the dictionary's standing there, by target name."""
    targets = (
        restrict(SyncTarget, SYNC_RUN).filter(organization=organization).select_related("after")
    )
    states = {s.target_id: s for s in restrict(SyncState, SYNC_RUN).filter(dictionary=dictionary)}
    wire = current_wire(dictionary)
    standings = []
    for target in targets.order_by("name"):
        due, state = due_revision(target, dictionary), states.get(target.pk)
        status = effective_status(state, due)
        standings.append(
            Standing(
                target,
                state,
                status,
                due,
                waiting(target, dictionary, due),
                compilation(target.model),
                not_audible(target, wire),
            )
        )
    return standings

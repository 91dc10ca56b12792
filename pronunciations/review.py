"""Review: what may be done with a proposed revision (one rule, ``revision_permissions``) and
the decisions themselves (approve, reject, withdraw, and what turning review off decides).

With ``Organization.review_required`` on, every new revision starts ``proposed``
(``store.record``), and every new revision supersedes the older proposals of its dictionary:
only a dictionary's newest revision can wait for review. A member or API key with the reviewer
or admin role who is not the revision's author (``Revision.author_ref``) approves or rejects it,
once, with a comment; its author may withdraw it instead. Approving makes it the dictionary's
approved revision (``selectors.approved_revision``); rejecting or withdrawing changes nothing
that is served. A revision whose checks fail cannot be approved, nor one that is not the
dictionary's newest. Turning review off approves each waiting proposal by policy
(``review_off``): the dictionary's content is then served, as every write is with review off.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from orgs.actors import Actor
from orgs.models import Organization, Role
from orgs.permissions import at_least
from orgs.scoping import restrict
from pronunciations import events, ripple, validation
from pronunciations.errors import (
    DictionaryNotFound,
    Forbidden,
    InvalidDictionary,
    PronunciationError,
    RevisionNotFound,
    RevisionNotNewest,
    RevisionNotProposed,
)
from pronunciations.models import Dictionary, ReviewState, Revision
from pronunciations.store import announce

# Lexicon reading on its own account (orgs.scoping: every organization).
REVIEW = Actor.system("review decision")

_DECIDED = ["review_state", "reviewed_by", "reviewed_at", "review_comment"]

# The two decisions a reviewer makes, and what the author may do instead.
DECISIONS = (ReviewState.APPROVED, ReviewState.REJECTED)
WITHDRAW = "withdraw"

# The comment on a proposal approved by policy when review was turned off (shown in the history).
POLICY = "Approved by policy: review was turned off."


@dataclass(frozen=True)
class Allowed:
    """What an actor may do with one revision: for each action the refusal (the error the
    service raises, whose message a page shows), or None when it is allowed."""

    approve: PronunciationError | None
    reject: PronunciationError | None
    withdraw: PronunciationError | None

    def refusal(self, action: str) -> PronunciationError | None:
        """The refusal of ``action`` (approved, rejected or withdraw)."""
        refusals: dict[str, PronunciationError | None] = {
            ReviewState.APPROVED: self.approve,
            ReviewState.REJECTED: self.reject,
            WITHDRAW: self.withdraw,
        }
        return refusals[action]

    def reason(self, action: str) -> str:
        """Why ``action`` is refused, in words ("" when allowed)."""
        refusal = self.refusal(action)
        return "" if refusal is None else refusal.message


def _decider_refusal(actor: Actor, revision: Revision) -> PronunciationError | None:
    """Why ``actor`` may not approve or reject any revision of this dictionary: their role, or
    the revision being their own change."""
    dictionary = revision.dictionary
    if not at_least(actor.role, Role.REVIEWER):
        return Forbidden(
            f"Approving or rejecting a change needs the reviewer or admin role in "
            f"{dictionary.organization.name}; {actor.name or 'the caller'} has "
            f"{actor.role or 'no role'}."
        )
    if revision.author_ref and revision.author_ref == actor.ref:
        return Forbidden(
            f"Revision {revision.number} of pronunciation dictionary {dictionary.name} is your "
            "own change: another reviewer must approve or reject it."
        )
    return None


def _state_refusal(revision: Revision) -> PronunciationError | None:
    if revision.review_state == ReviewState.PROPOSED:
        return None
    return RevisionNotProposed(revision.dictionary.name, revision.number, revision.review_state)


def _approve_refusal(revision: Revision) -> PronunciationError | None:
    """Why nobody may approve ``revision``: it is not the dictionary's newest (what is live
    may only become what the dictionary now is), it is not proposed, or its checks fail."""
    dictionary = revision.dictionary
    if revision.number < dictionary.revision:
        return RevisionNotNewest(dictionary.name, revision.number, dictionary.revision)
    if (refusal := _state_refusal(revision)) is not None:
        return refusal
    if revision.checks_failed > 0:
        return InvalidDictionary(
            f"Revision {revision.number} of pronunciation dictionary {dictionary.name} cannot be "
            f"approved: {revision.checks_failed} of its checks fail. Fix the rules or the checks "
            "in a new revision and approve that one.",
            field_errors=check_failures(revision),
        )
    return _ripple_refusal(revision)


def _ripple_refusal(revision: Revision) -> PronunciationError | None:
    """Why a layer's revision may not be approved: it breaks a check of a dictionary that
    includes it (``ripple.broken_checks``), each named with its includer and sentence."""
    broken = ripple.broken_checks(revision)
    if not broken:
        return None
    first, more = broken[0], len(broken) - 1
    others = f" (and {more} more)" if more else ""
    return InvalidDictionary(
        f"Revision {revision.number} of pronunciation dictionary {revision.dictionary.name} "
        f"cannot be approved: it breaks the check of {first.words()}{others}. Dictionaries "
        "that include it are pushed with it: fix the layer, or the includer's rules or checks.",
        field_errors={
            f"includers.{found.includer}.checks[{found.index}]": [found.words()] for found in broken
        },
    )


def _withdraw_refusal(actor: Actor, revision: Revision) -> PronunciationError | None:
    dictionary = revision.dictionary
    if (refusal := _state_refusal(revision)) is not None:
        return refusal
    if not (revision.author_ref and revision.author_ref == actor.ref):
        return Forbidden(
            f"Only its author ({revision.author or 'unnamed'}) can withdraw revision "
            f"{revision.number} of pronunciation dictionary {dictionary.name}."
        )
    if not at_least(actor.role, Role.EDITOR):
        return Forbidden(
            f"Withdrawing a change needs the editor role or above in "
            f"{dictionary.organization.name}; {actor.name} has {actor.role or 'no role'}."
        )
    return None


def revision_permissions(actor: Actor, revision: Revision) -> Allowed:
    """The one rule of what ``actor`` (with their role in the revision's organization) may do
    with ``revision`` (its ``dictionary`` and organization loaded): the services enforce it,
    the API and the admin's pages render it."""
    decider = _decider_refusal(actor, revision)
    return Allowed(
        approve=decider or _approve_refusal(revision),
        reject=decider or _state_refusal(revision),
        withdraw=_withdraw_refusal(actor, revision),
    )


def _locked_revision(organization: Organization, dictionary: Dictionary, number: int) -> Revision:
    """Revision ``number`` of the dictionary, locked with it. The dictionary's row lock orders
    decisions and writes on one dictionary, so two reviewers cannot both decide, and an
    approval cannot miss a newer revision being made."""
    locked = (
        restrict(Dictionary, REVIEW)
        .select_for_update()
        .filter(organization=organization, pk=dictionary.pk)
        .first()
    )
    if locked is None:
        raise DictionaryNotFound(dictionary.name)
    locked.organization = organization
    revision = locked.revisions.filter(number=number).first()
    if revision is None:
        raise RevisionNotFound(locked.name, number)
    revision.dictionary = locked
    return revision


def revision_decide(
    *,
    organization: Organization,
    dictionary: Dictionary,
    number: int,
    reviewer: Actor,
    decision: str,
    comment: object = None,
) -> Revision:
    """Approve or reject (``decision``) revision ``number`` of the dictionary, once, as
    ``revision_permissions`` allows.

    Approving makes it the approved revision. Rejecting needs a comment saying why and changes
    nothing that is served (nor the dictionary's current content: edit or restore to undo it).
    Raises Forbidden (role, own change), RevisionNotFound, RevisionNotProposed or
    RevisionNotNewest (409), InvalidDictionary (failing checks, each named in field_errors) or
    ValidationError (comment).
    """
    if decision not in DECISIONS:
        raise ValueError(f"a decision is approved or rejected, not {decision!r}")
    approving = decision == ReviewState.APPROVED
    clean = validation.validate_review_comment(comment, required=not approving)
    with transaction.atomic():
        revision = _locked_revision(organization, dictionary, number)
        refusal = revision_permissions(reviewer, revision).refusal(decision)
        if refusal is not None:
            raise refusal
        _decide(revision, ReviewState(decision), reviewer.name, clean)
        if approving:  # older proposals are superseded already, unless left from before that
            revision.dictionary.revisions.filter(
                number__lt=number, review_state=ReviewState.PROPOSED
            ).update(review_state=ReviewState.SUPERSEDED)
            announce(revision.dictionary, "approved")
    return revision


def revision_withdraw(
    *,
    organization: Organization,
    dictionary: Dictionary,
    number: int,
    author: Actor,
    comment: object = None,
) -> Revision:
    """The author withdraws their proposal (state ``withdrawn``): nothing that is served
    changes, nor the dictionary's current content. Raises Forbidden (not the author),
    RevisionNotFound, RevisionNotProposed (409) or ValidationError (comment)."""
    clean = validation.validate_review_comment(comment, required=False)
    with transaction.atomic():
        revision = _locked_revision(organization, dictionary, number)
        refusal = revision_permissions(author, revision).withdraw
        if refusal is not None:
            raise refusal
        _decide(revision, ReviewState.WITHDRAWN, author.name, clean)
    return revision


def revision_act(
    *,
    organization: Organization,
    dictionary: Dictionary,
    number: int,
    actor: Actor,
    action: str,
    comment: object = None,
) -> Revision:
    """Approve, reject (``revision_decide``) or withdraw (``revision_withdraw``) as ``action``
    says: the one call of the API's and the admin's review forms."""
    if action == WITHDRAW:
        return revision_withdraw(
            organization=organization,
            dictionary=dictionary,
            number=number,
            author=actor,
            comment=comment,
        )
    return revision_decide(
        organization=organization,
        dictionary=dictionary,
        number=number,
        reviewer=actor,
        decision=action,
        comment=comment,
    )


def review_off(*, organization: Organization, by: str) -> int:
    """Decide every proposal waiting in ``organization`` once review is off, so none waits
    forever: a dictionary's newest revision, if proposed, becomes ``auto`` (approved by policy,
    as every write is with review off; ``reviewed_by`` says so); any older proposal (left by
    data from before supersede) is superseded. Announces each dictionary so targets push it.
    Returns how many proposals were approved by policy."""
    with transaction.atomic():
        waiting = list(
            restrict(Revision, REVIEW)
            .select_for_update()
            .filter(dictionary__organization=organization, review_state=ReviewState.PROPOSED)
            .select_related("dictionary")
        )
        newest = [r for r in waiting if r.number == r.dictionary.revision]
        older = [r.pk for r in waiting if r.number != r.dictionary.revision]
        restrict(Revision, REVIEW).filter(pk__in=older).update(review_state=ReviewState.SUPERSEDED)
        for revision in newest:
            _decide(revision, ReviewState.AUTO, by, POLICY)
            announce(revision.dictionary, "approved")
    return len(newest)


def on_review_turned_off(*, organization: Organization, by: str, **_: Any) -> None:
    """The receiver of orgs' ``review_turned_off``: ``review_off`` in the same transaction."""
    review_off(organization=organization, by=by)


def check_failures(revision: Revision) -> dict[str, list[str]]:
    """Each failing check of the revision, keyed ``checks[i]`` like validation errors, saying
    what it expected and what the rules make of its text."""
    failures: dict[str, list[str]] = {}
    for i, result in enumerate(revision.check_results or []):
        if not result.get("passed"):
            failures[f"checks[{i}]"] = [_failure(result)]
    return failures


def _failure(result: dict[str, Any]) -> str:
    text, expect, got = (result.get(key, "") for key in ("text", "expect", "got"))
    return f"{text!r}: expected {expect!r}, got {got!r}"


def _decide(revision: Revision, state: ReviewState, by: str, comment: str) -> None:
    revision.review_state = state
    revision.reviewed_by = by
    revision.reviewed_at = timezone.now()
    revision.review_comment = comment
    revision.save(update_fields=_DECIDED)
    events.revisions_published([revision], decided=True)

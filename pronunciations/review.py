"""Review: a reviewer approves or rejects a proposed revision, never their own.

With ``Organization.review_required`` on, every new revision starts ``proposed``
(``store.record``). A member or API key with the reviewer or admin role who is not the revision's
author (``Revision.author_ref``) decides it, once, with a comment. Approving revision n makes it
the dictionary's approved revision (``selectors.approved_revision``) and supersedes every older
proposal; rejecting changes nothing that is served. A revision whose checks fail cannot be
approved. A deletion or undeletion is a revision like any other and is decided the same way.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from orgs.actors import Actor
from orgs.models import Organization, Role
from orgs.permissions import at_least
from pronunciations import events, validation
from pronunciations.errors import (
    DictionaryNotFound,
    Forbidden,
    InvalidDictionary,
    RevisionNotFound,
    RevisionNotProposed,
)
from pronunciations.models import Dictionary, ReviewState, Revision
from pronunciations.store import announce

_DECIDED = ["review_state", "reviewed_by", "reviewed_at", "review_comment"]


# The two decisions a reviewer makes.
DECISIONS = (ReviewState.APPROVED, ReviewState.REJECTED)


def revision_decide(
    *,
    organization: Organization,
    dictionary: Dictionary,
    number: int,
    reviewer: Actor,
    decision: str,
    comment: object = None,
) -> Revision:
    """Approve or reject (``decision``) revision ``number`` of the dictionary, once.

    Approving makes it the approved revision and supersedes every older proposal; a revision
    whose checks fail cannot be approved. Rejecting needs a comment saying why and changes
    nothing that is served (nor the dictionary's current content: edit or restore to undo it).
    Raises Forbidden (role, own change), RevisionNotFound, RevisionNotProposed (409),
    InvalidDictionary (failing checks, each named in field_errors) or ValidationError (comment).
    """
    if decision not in DECISIONS:
        raise ValueError(f"a decision is approved or rejected, not {decision!r}")
    approving = decision == ReviewState.APPROVED
    clean = validation.validate_review_comment(comment, required=not approving)
    with transaction.atomic():
        revision = _proposed(organization, dictionary, number, reviewer)
        if approving:
            _refuse_failing_checks(dictionary.name, revision)
        _decide(revision, ReviewState(decision), reviewer, clean)
        if approving:
            revision.dictionary.revisions.filter(
                number__lt=number, review_state=ReviewState.PROPOSED
            ).update(review_state=ReviewState.SUPERSEDED)
            announce(revision.dictionary, "approved")
    return revision


def _proposed(
    organization: Organization, dictionary: Dictionary, number: int, reviewer: Actor
) -> Revision:
    """Revision ``number`` of the dictionary, locked with it, once it is clear ``reviewer`` may
    decide it. The dictionary's row lock orders decisions on one dictionary, so two reviewers
    cannot both decide, and an approval cannot miss a proposal being superseded."""
    if not at_least(reviewer.role, Role.REVIEWER):
        role = reviewer.role or "no role"
        raise Forbidden(
            f"Approving or rejecting a change needs the reviewer or admin role in the "
            f"organization; {reviewer.name or 'the caller'} has {role}."
        )
    locked = (
        Dictionary.objects.select_for_update()
        .filter(organization=organization, pk=dictionary.pk)
        .first()
    )
    if locked is None:
        raise DictionaryNotFound(dictionary.name)
    revision = locked.revisions.filter(number=number).first()
    if revision is None:
        raise RevisionNotFound(locked.name, number)
    revision.dictionary = locked
    if revision.author_ref and revision.author_ref == reviewer.ref:
        raise Forbidden(
            f"Revision {number} of pronunciation dictionary {locked.name} is your own change: "
            "another reviewer must approve or reject it."
        )
    if revision.review_state != ReviewState.PROPOSED:
        raise RevisionNotProposed(locked.name, number, revision.review_state)
    return revision


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


def _refuse_failing_checks(name: str, revision: Revision) -> None:
    if revision.checks_failed <= 0:
        return
    raise InvalidDictionary(
        f"Revision {revision.number} of pronunciation dictionary {name} cannot be approved: "
        f"{revision.checks_failed} of its checks fail. Fix the rules or the checks in a new "
        "revision and approve that one.",
        field_errors=check_failures(revision),
    )


def _decide(revision: Revision, state: ReviewState, reviewer: Actor, comment: str) -> None:
    revision.review_state = state
    revision.reviewed_by = reviewer.name
    revision.reviewed_at = timezone.now()
    revision.review_comment = comment
    revision.save(update_fields=_DECIDED)
    events.revisions_published([revision])

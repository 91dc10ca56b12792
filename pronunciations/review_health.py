"""Review data that breaks today's review rule, found (``manage.py check --database default``)
and repaired (``manage.py repair_review``).

Before every new revision superseded the older proposals of its dictionary, and before only
the newest revision could be approved, three states could arise that now cannot:

- a stale approval that production serves: a revision approved after a newer revision of
  its dictionary was made (an approved deletion of a dictionary restored meanwhile);
- a stale proposal: a proposed revision that is not its dictionary's newest;
- a proposal waiting in an organization whose review is off.

The repair supersedes the stale approval (the approved revision before it is served again,
and the newest revision waits for review as it should) and the stale proposal, and decides
the waiting proposal as turning review off does (``review.review_off``).
"""

from dataclasses import dataclass, field
from typing import Any

from django.core import checks
from django.db import DatabaseError, transaction
from django.db.models import Exists, F, OuterRef, Subquery

from orgs.actors import Actor
from orgs.models import Organization
from orgs.scoping import restrict
from pronunciations import review
from pronunciations.models import ReviewState, Revision
from pronunciations.selectors import APPROVED_STATES
from pronunciations.store import announce

# Lexicon reading on its own account (orgs.scoping: every organization).
REVIEW_HEALTH = Actor.system("review health")

# Shown in the history of a stale approval that the repair superseded.
REPAIRED = "Superseded by manage.py repair_review: it was approved after a newer revision was made."


@dataclass
class Findings:
    """What breaks the review rule: revisions by kind, and organizations with waiting proposals
    although review is off."""

    stale_approvals: list[Revision] = field(default_factory=list)
    stale_proposals: list[Revision] = field(default_factory=list)
    waiting_without_review: list[Organization] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.stale_approvals or self.stale_proposals or self.waiting_without_review)


def _served_stale_approvals() -> list[Revision]:
    newer_before = restrict(Revision, REVIEW_HEALTH).filter(
        dictionary=OuterRef("dictionary"),
        number__gt=OuterRef("number"),
        created_at__lt=OuterRef("reviewed_at"),
    )
    served = (
        restrict(Revision, REVIEW_HEALTH)
        .filter(dictionary=OuterRef("dictionary"), review_state__in=APPROVED_STATES)
        .order_by("-number")
        .values("number")[:1]
    )
    queryset = restrict(Revision, REVIEW_HEALTH).filter(
        Exists(newer_before), review_state=ReviewState.APPROVED, number=Subquery(served)
    )
    return list(queryset.select_related("dictionary", "dictionary__organization"))


def find() -> Findings:
    """Every revision and organization that breaks the review rule (a few queries)."""
    stale_proposals = (
        restrict(Revision, REVIEW_HEALTH)
        .filter(review_state=ReviewState.PROPOSED, number__lt=F("dictionary__revision"))
        .select_related("dictionary", "dictionary__organization")
    )
    waiting = (
        restrict(Organization, REVIEW_HEALTH)
        .filter(review_required=False, dictionaries__revisions__review_state=ReviewState.PROPOSED)
        .distinct()
    )
    return Findings(_served_stale_approvals(), list(stale_proposals), list(waiting))


def _name(revision: Revision) -> str:
    dictionary = revision.dictionary
    return f"revision {revision.number} of {dictionary.organization.slug}/{dictionary.name}"


def describe(findings: Findings) -> list[str]:
    """One line per finding, in words."""
    lines = [
        f"{_name(r)} ({r.get_action_display().lower()}) was approved after revision "
        f"{r.dictionary.revision} existed; it is what the approved channel serves"
        for r in findings.stale_approvals
    ]
    lines += [
        f"{_name(r)} is proposed but is not the newest revision ({r.dictionary.revision})"
        for r in findings.stale_proposals
    ]
    lines += [
        f"{organization.slug} has proposals waiting although its review is off"
        for organization in findings.waiting_without_review
    ]
    return lines


def repair(findings: Findings, *, by: str) -> None:
    """Repair what ``find`` found, in one transaction; announces each dictionary whose served
    revision changes, so its approved-channel targets are pushed."""
    with transaction.atomic():
        for revision in findings.stale_approvals:
            revision.review_state = ReviewState.SUPERSEDED
            revision.review_comment = REPAIRED
            revision.save(update_fields=["review_state", "review_comment"])
            announce(revision.dictionary, "approved")
        stale = [revision.pk for revision in findings.stale_proposals]
        restrict(Revision, REVIEW_HEALTH).filter(pk__in=stale).update(
            review_state=ReviewState.SUPERSEDED
        )
        for organization in findings.waiting_without_review:
            review.review_off(organization=organization, by=by)


def check_review(app_configs: Any = None, databases: Any = None, **_: Any) -> list[checks.Error]:
    """The system check (database tag): one error per finding, with the repair as its hint."""
    if not databases:
        return []
    try:
        findings = find()
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    hint = "Run manage.py repair_review (see the operations guide)."
    return [checks.Error(line, hint=hint, id="pronunciations.E001") for line in describe(findings)]

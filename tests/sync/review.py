"""Review states for sync's tests, set the way the review service records them.

``proposing`` marks the revisions written inside it as proposed, as the one write path does
for an organization that requires review; ``approve`` and ``reject`` set a revision's review
fields (approving supersedes older proposals) and announce the decision after commit through
``dictionary_changed``, which is what makes sync move.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from orgs.models import Organization
from pronunciations.models import Dictionary, ReviewState, Revision
from pronunciations.store import announce


@contextmanager
def proposing(organization: Organization) -> Iterator[None]:
    """Revisions written inside the block start as proposed (the change signal goes out after
    the block commits, so no run can see them approved)."""
    with transaction.atomic():
        before = Revision.objects.aggregate(last=Max("pk"))["last"] or 0
        yield
        Revision.objects.filter(pk__gt=before, dictionary__organization=organization).update(
            review_state=ReviewState.PROPOSED
        )


def _decide(dictionary: Dictionary, number: int, state: ReviewState, comment: str) -> Revision:
    with transaction.atomic():
        revision = Revision.objects.select_for_update().get(dictionary=dictionary, number=number)
        if state == ReviewState.APPROVED:
            dictionary.revisions.filter(
                review_state=ReviewState.PROPOSED, number__lt=number
            ).update(review_state=ReviewState.SUPERSEDED)
        revision.review_state = state
        revision.reviewed_by, revision.reviewed_at = "reviewer", timezone.now()
        revision.review_comment = comment
        revision.save()
        announce(dictionary, str(state))
    return revision


def approve(dictionary: Dictionary, number: int, comment: str = "") -> Revision:
    return _decide(dictionary, number, ReviewState.APPROVED, comment)


def reject(dictionary: Dictionary, number: int, comment: str = "") -> Revision:
    return _decide(dictionary, number, ReviewState.REJECTED, comment)

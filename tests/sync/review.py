"""Review for sync's tests, through the review service itself.

``proposing`` turns review on for the writes inside it (the one write path then records them
``proposed``); ``approve`` and ``reject`` decide a revision as a reviewer who is not its
author, which announces the decision through ``dictionary_changed``.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from orgs.actors import Actor
from orgs.models import Organization, Role
from pronunciations.models import Dictionary, ReviewState, Revision
from tests.factories import decide

REVIEWER = Actor("reviewer", "user:reviewer", Role.REVIEWER)


def _review(organization: Organization, required: bool) -> None:
    # The setting itself, not organization_configure: turning review off through the service
    # decides every waiting proposal (issue 23), and these tests keep them waiting.
    Organization.objects.filter(pk=organization.pk).update(review_required=required)


@contextmanager
def proposing(organization: Organization) -> Iterator[None]:
    """Revisions written inside the block wait for review; they keep waiting after it."""
    _review(organization, True)
    try:
        yield
    finally:
        _review(organization, False)


def approve(dictionary: Dictionary, number: int, comment: str = "") -> Revision:
    return decide(dictionary, REVIEWER, ReviewState.APPROVED, number, comment)


def reject(dictionary: Dictionary, number: int, comment: str = "not this") -> Revision:
    return decide(dictionary, REVIEWER, ReviewState.REJECTED, number, comment)

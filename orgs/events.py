"""Events an organization can be told about (webhooks): their names, and the one way to publish one.

An app that does something an integrator may want to know about calls ``publish`` inside the
transaction that does it; the event is sent (``event_published``) only once that transaction
commits, so a rolled-back change announces nothing. ``webhooks`` connects to the signal in its
``AppConfig.ready()``; the publishers do not know who listens (orgs is below every app).
"""

from typing import Any

from django.db import models, transaction
from django.dispatch import Signal


class EventType(models.TextChoices):
    REVISION_CREATED = "revision.created", "A revision was created (and is live)"
    REVISION_PROPOSED = "revision.proposed", "A revision was proposed for review"
    REVISION_APPROVED = "revision.approved", "A proposed revision was approved"
    REVISION_REJECTED = "revision.rejected", "A proposed revision was rejected"
    REVISION_WITHDRAWN = "revision.withdrawn", "A proposal was withdrawn by its author"
    DICTIONARY_DELETED = "dictionary.deleted", "A dictionary was deleted"
    DICTIONARY_RESTORED = "dictionary.restored", "A deleted dictionary was restored"
    SYNC_VERIFIED = "sync.verified", "A target verified a dictionary's content"
    SYNC_FAILED = "sync.failed", "A target failed to store or verify a dictionary"
    IMPORT_FINISHED = "import.finished", "A background import finished"
    IMPORT_FAILED = "import.failed", "A background import failed"
    SCAN_FINISHED = "scan.finished", "A background scan finished"
    SCAN_FAILED = "scan.failed", "A background scan failed"


# Sent after commit with organization_id (int) and events: a list of (type, data) pairs, each
# type an EventType value and each data a JSON object of public ids and plain values.
event_published = Signal()

Event = tuple[str, dict[str, Any]]


def publish(*, organization_id: int, events: list[Event]) -> None:
    """Announce ``events`` for the organization once the current transaction commits (at once
    outside one): a whole import's revisions in one signal. Raises ValueError for a type that is
    not an EventType."""
    for type_, _data in events:
        if type_ not in EventType.values:
            raise ValueError(f"unknown event type {type_!r}")
    if events:
        transaction.on_commit(
            lambda: event_published.send(
                sender=EventType, organization_id=organization_id, events=events
            )
        )

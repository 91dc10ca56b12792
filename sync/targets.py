"""Writes and reads of sync targets: creation with an encrypted key and a beat schedule."""

import json

from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from orgs.models import Organization
from pronunciations.errors import PronunciationError
from pronunciations.models import Dictionary
from sync.crypto import secret_encrypt
from sync.models import SyncState, SyncStatus, SyncTarget, VerifyRoute


class TargetNotFound(PronunciationError):
    status = 404
    code = "pronunciation_not_found"

    def __init__(self, target_id: str) -> None:
        super().__init__(f"Sync target not found: {target_id}")


def schedule_name(target: SyncTarget) -> str:
    return f"sync {target.public_id}"


def target_schedule(target: SyncTarget) -> PeriodicTask:
    """Create or update the target's periodic sweep (a django-celery-beat task, editable later)."""
    every, _ = IntervalSchedule.objects.get_or_create(
        every=target.interval_seconds, period=IntervalSchedule.SECONDS
    )
    task, _ = PeriodicTask.objects.update_or_create(
        name=schedule_name(target),
        defaults={
            "task": "sync.run_target",
            "interval": every,
            "args": json.dumps([target.pk, "schedule"]),
            "enabled": target.enabled,
        },
    )
    return task


def target_create(
    *,
    organization: Organization,
    name: str,
    base_url: str,
    ws_url: str,
    api_key: str,
    model: str = "deepgram/aura:2",
    voice: str = "",
    prune: bool = False,
    interval_seconds: int = 300,
    verify_route: str = VerifyRoute.BRIDGE,
    verify_http: bool = False,
) -> SyncTarget:
    """Store a target with its SLNG key encrypted, and schedule its periodic sync."""
    if not api_key.strip():
        raise ValueError("an SLNG API key is required")
    with transaction.atomic():
        target = SyncTarget.objects.create(
            organization=organization,
            name=name,
            base_url=base_url.rstrip("/"),
            ws_url=ws_url.rstrip("/"),
            model=model,
            voice=voice,
            verify_route=verify_route,
            verify_http=verify_http,
            prune=prune,
            interval_seconds=interval_seconds,
            encrypted_api_key=secret_encrypt(api_key.strip()),
        )
        target_schedule(target)
    return target


def target_get(*, organization: Organization, target_id: str) -> SyncTarget:
    target = SyncTarget.objects.filter(organization=organization, public_id=target_id).first()
    if target is None:
        raise TargetNotFound(target_id)
    return target


def dictionary_sync_states(
    *, organization: Organization, dictionary: Dictionary
) -> list[tuple[SyncTarget, SyncState | None, str]]:
    """Each target of the organization with the dictionary's state there and its effective status.

    The effective status is ``pending`` while the dictionary has changed since its last push.
    """
    targets = list(SyncTarget.objects.filter(organization=organization).order_by("name"))
    states = {s.target_id: s for s in SyncState.objects.filter(dictionary=dictionary)}
    return [
        (target, states.get(target.pk), effective_status(states.get(target.pk), dictionary))
        for target in targets
    ]


def effective_status(state: SyncState | None, dictionary: Dictionary) -> str:
    """A failure stays visible; otherwise a dictionary changed since its last push is pending."""
    if state is None:
        return SyncStatus.PENDING
    if state.status != SyncStatus.FAILED and state.pushed_revision != dictionary.revision:
        return SyncStatus.PENDING
    return state.status

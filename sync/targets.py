"""Writes and reads of sync targets: an encrypted key bound to its URLs, and a beat schedule.

The SLNG key is write-only and belongs to the URLs it was typed in for. Every write of a target
goes through ``target_create`` / ``target_update``, which call ``validate_target``: changing
``base_url``, ``ws_url``, ``model`` or ``verify_route`` (the TTS route the model is spoken on)
needs the key entered again in the same save. As a backstop the stored key carries a MAC over
the target, its organization, both URLs and the model route (``api_key_binding``), and
``target_api_key`` refuses to hand out a key whose binding changed by any other path. What
hosts a target may reach and what a model id looks like are ``sync.reach``.
``validate_target`` also checks the channel and ``after`` (same organization, not itself, no
cycle); which revision a target then serves is ``sync.channels``.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from orgs.models import Organization
from pronunciations.errors import NotFound
from pronunciations.models import Dictionary, Revision
from sync.channels import due_number, follows_every_revision
from sync.crypto import secret_decrypt, secret_encrypt, secret_mac, secret_mac_matches
from sync.models import (
    DEFAULT_CONCURRENCY,
    MAX_CONCURRENCY,
    Channel,
    SyncState,
    SyncStatus,
    SyncTarget,
    VerifyRoute,
)
from sync.reach import model_errors, target_url_errors
from sync.upstreams import shared_upstream_problem

# What an organization admin may change on a target (its organization never changes).
TARGET_FIELDS = (
    "name",
    "base_url",
    "ws_url",
    "model",
    "voice",
    "verify_route",
    "verify_http",
    "enabled",
    "prune",
    "interval_seconds",
    "concurrency",
    "channel",
    "after",
)
KEY_REQUIRED = "An SLNG API key is required for a new target."
KEY_AGAIN = (
    "The SLNG URL or model changed: enter the SLNG API key again. A stored key is only ever "
    "sent to the URLs and model it was entered for."
)
DEFAULT_MODEL = "deepgram/aura:2"
RUN_TASK = "sync.run_target"
MIN_INTERVAL_SECONDS = 1
# The key travels in an Authorization header: printable ASCII, no spaces (a line break would
# be a header of its own), and bounded.
_KEY = re.compile(r"[\x21-\x7e]{1,512}")
KEY_SHAPE = "Enter the SLNG API key as issued: at most 512 characters, no spaces or line breaks."
INTERVAL_TOO_SHORT = f"Sync at most once a second: enter {MIN_INTERVAL_SECONDS} or more seconds."


class TargetNotFound(NotFound):
    def __init__(self, target_id: str) -> None:
        super().__init__(f"Sync target not found: {target_id}")


class TargetKeyUnusable(Exception):
    """The stored SLNG key was not entered for this target's organization and current URLs."""


def _url(value: str) -> str:
    return value.strip().rstrip("/")


def _url_errors(value: str, schemes: tuple[str, str]) -> list[str]:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return [f"Enter a {' or '.join(schemes)} URL with a host."]
    if parts.scheme not in schemes or not parts.hostname:
        return [f"Enter a {' or '.join(schemes)} URL with a host."]
    if parts.username is not None or parts.password is not None:
        return ["Put no credentials in the URL: the SLNG key goes in its own field."]
    if parts.query or parts.fragment:
        return ["Enter the URL without a query or fragment."]
    return target_url_errors(value, schemes)


def validate_target(
    *,
    organization: Organization,
    stored: SyncTarget | None,
    name: str,
    base_url: str,
    ws_url: str,
    api_key: str,
    channel: str = Channel.LATEST,
    after: SyncTarget | None = None,
    interval_seconds: int = MIN_INTERVAL_SECONDS,
    concurrency: object = DEFAULT_CONCURRENCY,
    model: str = DEFAULT_MODEL,
    verify_route: str = VerifyRoute.BRIDGE,
) -> None:
    """Check a target about to be saved against what is stored; one ValidationError by field.

    ``stored`` is the target as it is in the database (None for a new one). A new target needs
    a key; a changed ``base_url``, ``ws_url``, ``model`` or ``verify_route`` needs the key
    entered again, so a stored key never follows a URL someone else typed. The URLs' hosts and
    schemes and the model id follow ``sync.reach`` (public hosts unless listed, https/wss where
    required, SLNG's model id shape). ``channel`` is one of ``Channel``; ``after`` (the
    target whose verification this one waits for) is another target of the same organization
    and never one that waits, directly or not, for this one. The schedule's interval is at
    least MIN_INTERVAL_SECONDS: with 0, beat would send the target's task without pause. A key
    entered is what an Authorization header can carry (``KEY_SHAPE``). ``concurrency``
    (dictionaries a run pushes and verifies at once) is a whole number from 1 to
    MAX_CONCURRENCY. A ``model`` whose compilation differs from another target's on the same
    SLNG organization is refused (``sync.upstreams``).
    """
    errors: dict[str, list[str]] = {}
    for field, value, schemes in (
        ("base_url", base_url, ("https", "http")),
        ("ws_url", ws_url, ("wss", "ws")),
    ):
        if problems := _url_errors(_url(value), schemes):
            errors[field] = problems
    if problems := model_errors(model):
        errors["model"] = problems
    if not api_key.strip():
        if stored is None:
            errors["api_key"] = [KEY_REQUIRED]
        elif (_url(base_url), _url(ws_url), model, verify_route) != (
            stored.base_url,
            stored.ws_url,
            stored.model,
            stored.verify_route,
        ):
            errors["api_key"] = [KEY_AGAIN]
    elif not _KEY.fullmatch(api_key.strip()):
        errors["api_key"] = [KEY_SHAPE]
    taken = SyncTarget.objects.filter(organization=organization, name=name)
    if stored is not None:
        taken = taken.exclude(pk=stored.pk)
    if taken.exists():
        errors["name"] = ["This organization already has a target with this name."]
    if channel not in Channel.values:
        errors["channel"] = [f"Choose one of: {', '.join(Channel.values)}."]
    if after is not None and (problem := _after_problem(organization, stored, after)):
        errors["after"] = [problem]
    if interval_seconds < MIN_INTERVAL_SECONDS:
        errors["interval_seconds"] = [INTERVAL_TOO_SHORT]
    if isinstance(concurrency, bool) or not isinstance(concurrency, int):
        errors["concurrency"] = ["Enter a whole number."]
    elif not 1 <= concurrency <= MAX_CONCURRENCY:
        errors["concurrency"] = [f"Choose from 1 to {MAX_CONCURRENCY} dictionaries at once."]
    if not errors.keys() & {"base_url", "api_key", "model"}:
        shared = shared_upstream_problem(
            organization=organization,
            stored=stored,
            base_url=_url(base_url),
            api_key=api_key,
            model=model,
        )
        if shared:
            errors["model"] = [shared]
    if errors:
        raise ValidationError(errors)


def _after_problem(
    organization: Organization, stored: SyncTarget | None, after: SyncTarget
) -> str | None:
    """Why ``after`` cannot be what ``stored`` (None: a new target) waits for, if it cannot."""
    if after.organization_id != organization.pk:
        return "Choose a target of the same organization."
    if stored is None:
        return None  # nothing waits for a target that does not exist yet
    if after.pk == stored.pk:
        return "A target cannot wait for its own verification."
    seen = {stored.pk}
    step: int | None = after.pk
    while step is not None:  # follow the chain after → its after → …
        if step in seen:
            return f"{after.name} already waits, directly or not, for {stored.name}: a cycle."
        seen.add(step)
        step = SyncTarget.objects.filter(pk=step).values_list("after_id", flat=True).first()
    return None


def _binding(target: SyncTarget) -> str:
    return json.dumps(
        [
            target.public_id,
            target.organization_id,
            target.base_url,
            target.ws_url,
            target.encrypted_api_key,
            target.model,
            target.verify_route,
        ]
    )


def _key_store(target: SyncTarget, api_key: str) -> None:
    """Encrypt the key and bind it to the target's current organization and URLs."""
    target.encrypted_api_key = secret_encrypt(api_key.strip())
    target.api_key_binding = secret_mac(_binding(target))


def target_api_key(target: SyncTarget) -> str:
    """The target's SLNG key, only for the organization, URLs and model route it was entered for.

    Raises TargetKeyUnusable when the URLs, model route (or organization) changed since the key
    was entered,
    by whatever path; the key must then be entered again. Raises SecretUnreadable when the
    encryption key changed.
    """
    if not target_key_usable(target):
        raise TargetKeyUnusable(
            "the stored SLNG key was entered for other URLs or another model; enter the key again"
        )
    return secret_decrypt(target.encrypted_api_key)


def schedule_name(target: SyncTarget) -> str:
    return f"sync {target.public_id}"


def schedule_args(target: SyncTarget) -> str:
    """The task arguments of the target's schedule: public ids, its organization among them."""
    return json.dumps([target.public_id, target.organization.public_id, "schedule"])


def target_schedule(target: SyncTarget) -> PeriodicTask:
    """Create or reset the target's periodic sweep (a django-celery-beat task).

    What the task runs (task, arguments, routing) is always rewritten from the target. When it
    runs follows the target's ``interval_seconds``, unless an admin gave the schedule a crontab,
    solar or clocked schedule, which is kept.
    """
    stored = PeriodicTask.objects.filter(name=schedule_name(target)).first()
    when: dict[str, Any] = {}
    if stored is None or not (stored.crontab_id or stored.solar_id or stored.clocked_id):
        when["interval"], _ = IntervalSchedule.objects.get_or_create(
            every=target.interval_seconds, period=IntervalSchedule.SECONDS
        )
    task, _ = PeriodicTask.objects.update_or_create(
        name=schedule_name(target),
        defaults={
            "task": RUN_TASK,
            "args": schedule_args(target),
            "kwargs": "{}",
            "queue": None,
            "exchange": None,
            "routing_key": None,
            "headers": "{}",
            "priority": None,
            "enabled": target.enabled,
            **when,
        },
    )
    return task


def target_key_usable(target: SyncTarget) -> bool:
    """Whether the stored key was entered for the target's organization, URLs and model route."""
    return bool(target.api_key_binding) and secret_mac_matches(
        _binding(target), target.api_key_binding
    )


def target_create(
    *,
    organization: Organization,
    name: str,
    base_url: str,
    ws_url: str,
    api_key: str,
    model: str = DEFAULT_MODEL,
    voice: str = "",
    prune: bool = False,
    enabled: bool = True,
    interval_seconds: int = 300,
    verify_route: str = VerifyRoute.BRIDGE,
    verify_http: bool = False,
    channel: str = Channel.LATEST,
    after: SyncTarget | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> SyncTarget:
    """Store a target with its SLNG key encrypted and bound to its URLs, and schedule it.

    Raises ValidationError keyed by field (no key, bad URL, name taken, unknown channel, an
    ``after`` of another organization, a concurrency out of bounds).
    """
    validate_target(
        organization=organization,
        stored=None,
        name=name,
        base_url=base_url,
        ws_url=ws_url,
        api_key=api_key,
        channel=channel,
        after=after,
        interval_seconds=interval_seconds,
        concurrency=concurrency,
        model=model,
        verify_route=verify_route,
    )
    target = SyncTarget(
        organization=organization,
        name=name,
        base_url=_url(base_url),
        ws_url=_url(ws_url),
        model=model,
        voice=voice,
        verify_route=verify_route,
        verify_http=verify_http,
        prune=prune,
        enabled=enabled,
        interval_seconds=interval_seconds,
        concurrency=concurrency,
        channel=channel,
        after=after,
    )
    _key_store(target, api_key)
    return _save(target)


def target_update(*, target: SyncTarget, api_key: str = "", **changes: Any) -> SyncTarget:
    """Change a target's settings (``TARGET_FIELDS``); a non-blank ``api_key`` replaces the key.

    Changing ``base_url``, ``ws_url``, ``model`` or ``verify_route`` without the key raises
    ValidationError on ``api_key``: the stored key is never sent to a URL it was not entered
    for. An ``after`` that would make a cycle, or is the target itself, raises ValidationError
    on ``after``.
    """
    unknown = set(changes) - set(TARGET_FIELDS)
    if unknown:
        raise TypeError(f"not a target setting: {sorted(unknown)}")
    with transaction.atomic():
        # Every target of the organization is locked, so two saves cannot close an ``after``
        # cycle between them.
        siblings = SyncTarget.objects.select_for_update().filter(
            organization_id=target.organization_id
        )
        list(siblings.order_by("pk"))
        stored = SyncTarget.objects.get(pk=target.pk)
        wanted = {field: getattr(stored, field) for field in TARGET_FIELDS} | changes
        validate_target(
            organization=stored.organization,
            stored=stored,
            name=wanted["name"],
            base_url=wanted["base_url"],
            ws_url=wanted["ws_url"],
            api_key=api_key,
            channel=wanted["channel"],
            after=wanted["after"],
            interval_seconds=wanted["interval_seconds"],
            concurrency=wanted["concurrency"],
            model=wanted["model"],
            verify_route=wanted["verify_route"],
        )
        wanted["base_url"], wanted["ws_url"] = _url(wanted["base_url"]), _url(wanted["ws_url"])
        for field, value in wanted.items():
            setattr(stored, field, value)
        if api_key.strip():
            _key_store(stored, api_key)
        return _save(stored)


def _save(target: SyncTarget) -> SyncTarget:
    try:
        with transaction.atomic():
            target.save()
            target_schedule(target)
    except IntegrityError as exc:  # a concurrent save took the name
        raise ValidationError(
            {"name": ["This organization already has a target with this name."]}
        ) from exc
    return target


def target_get(*, organization: Organization, target_id: str) -> SyncTarget:
    target = SyncTarget.objects.filter(organization=organization, public_id=target_id).first()
    if target is None:
        raise TargetNotFound(target_id)
    return target


def target_for_run(*, organization_id: str, target_id: str) -> SyncTarget:
    """The target named by a run message, only if it belongs to the organization it names.

    Both are public ids; raises TargetNotFound for a target of another organization.
    """
    target = (
        SyncTarget.objects.select_related("organization")
        .filter(public_id=target_id, organization__public_id=organization_id)
        .first()
    )
    if target is None:
        raise TargetNotFound(target_id)
    return target


@dataclass(frozen=True)
class Backlog:
    """What one enabled target still has to do: its pending and failed dictionaries."""

    target: SyncTarget
    pending: int
    failed: int
    oldest_pending_at: datetime | None  # the oldest change among the pending dictionaries


def target_backlogs() -> list[Backlog]:
    """Every enabled target's backlog, across organizations (for the operator's metrics).

    Each target counts only the live dictionaries of its own organization, by the rule of
    ``sync.channels.effective_status``: failed when its state there is failed; pending unless it
    was pushed at its due revision. Targets on ``latest`` without ``after`` (due: the current
    revision) take two queries together, whatever their number; each other target one more
    (``_channel_backlog``).
    """
    targets = (
        SyncTarget.objects.filter(enabled=True)
        .select_related("organization")
        .only("public_id", "name", "interval_seconds", "organization__slug", "channel", "after")
    )
    state = SyncState.objects.filter(
        target=OuterRef("organization__sync_targets"), dictionary=OuterRef("pk")
    )
    failed = Exists(state.filter(status=SyncStatus.FAILED))
    pushed = Exists(
        state.filter(pushed_revision=OuterRef("revision")).exclude(status=SyncStatus.PENDING)
    )
    pending = Q(failed=False, pushed=False)
    rows = (
        Dictionary.objects.filter(
            deleted_at__isnull=True,
            organization__sync_targets__enabled=True,
            organization__sync_targets__channel=Channel.LATEST,
            organization__sync_targets__after__isnull=True,
        )
        .annotate(failed=failed, pushed=pushed)
        .values("organization__sync_targets")
        .annotate(
            pending=Count("pk", filter=pending),
            failed_count=Count("pk", filter=Q(failed=True)),
            oldest=Min("updated_at", filter=pending),
        )
    )
    found = {row["organization__sync_targets"]: row for row in rows}
    found |= {t.pk: _channel_backlog(t) for t in targets if not follows_every_revision(t)}
    return [
        Backlog(
            target,
            found.get(target.pk, {}).get("pending", 0),
            found.get(target.pk, {}).get("failed_count", 0),
            found.get(target.pk, {}).get("oldest"),
        )
        for target in targets.order_by("pk")
    ]


def _channel_backlog(target: SyncTarget) -> dict[str, Any]:
    """A channel target's counts: a live dictionary is pending when it has a due revision the
    target was not pushed at; its age runs from when that revision became deliverable (made,
    or approved), not from when it was written."""
    state = SyncState.objects.filter(target=target, dictionary=OuterRef("pk"))
    due = Revision.objects.filter(dictionary=OuterRef("pk"), number=OuterRef("due_number"))
    ready = due.annotate(at=Greatest("created_at", Coalesce("reviewed_at", "created_at")))
    dictionaries = Dictionary.objects.filter(
        organization_id=target.organization_id, deleted_at__isnull=True
    ).annotate(due_number=due_number(target))
    pending = Q(failed=False, pushed=False, due_number__isnull=False)
    return dictionaries.annotate(
        failed=Exists(state.filter(status=SyncStatus.FAILED)),
        pushed=Exists(
            state.filter(pushed_revision=OuterRef("due_number")).exclude(status=SyncStatus.PENDING)
        ),
        ready_at=Subquery(ready.values("at")[:1]),
    ).aggregate(
        pending=Count("pk", filter=pending),
        failed_count=Count("pk", filter=Q(failed=True)),
        oldest=Min("ready_at", filter=pending),
    )


def sync_failures(*, organization_ids: list[int] | None, limit: int) -> list[SyncState]:
    """Failed syncs of live dictionaries to enabled targets of the organizations (None: every
    organization), newest attempt first; one query, with each state's dictionary and target."""
    states = SyncState.objects.filter(
        status=SyncStatus.FAILED, dictionary__deleted_at__isnull=True, target__enabled=True
    ).select_related("dictionary", "target", "target__organization")
    if organization_ids is not None:
        states = states.filter(target__organization_id__in=organization_ids)
    return list(states.order_by("-last_attempt_at", "-pk")[:limit])

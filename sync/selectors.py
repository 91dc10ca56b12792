"""Every read of sync's data, scoped through ``orgs.scoping``: targets, runs, backlogs, failures."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from orgs.actors import Actor
from orgs.scoping import get_or_raise, restrict
from pronunciations.models import Dictionary, Revision
from sync.channels import due_number, follows_every_revision
from sync.errors import RunNotFound, TargetNotFound
from sync.models import Channel, RunStatus, SyncRun, SyncState, SyncStatus, SyncTarget
from sync.system_actors import SYNC_RUN

FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SUPERSEDED)


def target_list(*, actor: Actor) -> QuerySet[SyncTarget]:
    """The targets the actor may read, by name."""
    return restrict(SyncTarget, actor).order_by("name", "pk")


def target_get(*, actor: Actor, target_id: str) -> SyncTarget:
    """A target the actor may read; raises TargetNotFound (also for another organization's)."""
    return get_or_raise(restrict(SyncTarget, actor), TargetNotFound(target_id), public_id=target_id)


def target_for_run(*, organization_id: str, target_id: str) -> SyncTarget:
    """The target named by a run message, only if it belongs to the organization it names.

    Both are public ids; raises TargetNotFound for a target of another organization.
    """
    return get_or_raise(
        restrict(SyncTarget, SYNC_RUN).select_related("organization"),
        TargetNotFound(target_id),
        public_id=target_id,
        organization__public_id=organization_id,
    )


@dataclass(frozen=True)
class Backlog:
    """What one enabled target still has to do: its pending and failed dictionaries."""

    target: SyncTarget
    pending: int
    failed: int
    oldest_pending_at: datetime | None  # the oldest change among the pending dictionaries


def target_backlogs(*, actor: Actor) -> list[Backlog]:
    """Every enabled target's backlog in the organizations the actor reaches (all of them for
    the operator's metrics).

    Each target counts only the live dictionaries of its own organization, by the rule of
    ``sync.channels.effective_status``: failed when its state there is failed; pending unless it
    was pushed at its due revision. Targets on ``latest`` without ``after`` (due: the current
    revision) take two queries together, whatever their number; each other target one more
    (``_channel_backlog``).
    """
    targets = (
        restrict(SyncTarget, actor)
        .filter(enabled=True)
        .select_related("organization")
        .only("public_id", "name", "interval_seconds", "organization__slug", "channel", "after")
    )
    state = restrict(SyncState, actor).filter(
        target=OuterRef("organization__sync_targets"), dictionary=OuterRef("pk")
    )
    failed = Exists(state.filter(status=SyncStatus.FAILED))
    pushed = Exists(
        state.filter(pushed_revision=OuterRef("revision")).exclude(status=SyncStatus.PENDING)
    )
    pending = Q(failed=False, pushed=False)
    rows = (
        restrict(Dictionary, actor)
        .filter(
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
    found |= {t.pk: _channel_backlog(t, actor) for t in targets if not follows_every_revision(t)}
    return [
        Backlog(
            target,
            found.get(target.pk, {}).get("pending", 0),
            found.get(target.pk, {}).get("failed_count", 0),
            found.get(target.pk, {}).get("oldest"),
        )
        for target in targets.order_by("pk")
    ]


def _channel_backlog(target: SyncTarget, actor: Actor) -> dict[str, Any]:
    """A channel target's counts: a live dictionary is pending when it has a due revision the
    target was not pushed at; its age runs from when that revision became deliverable (made,
    or approved), not from when it was written."""
    state = restrict(SyncState, actor).filter(target=target, dictionary=OuterRef("pk"))
    due = restrict(Revision, actor).filter(dictionary=OuterRef("pk"), number=OuterRef("due_number"))
    ready = due.annotate(at=Greatest("created_at", Coalesce("reviewed_at", "created_at")))
    dictionaries = (
        restrict(Dictionary, actor)
        .filter(organization_id=target.organization_id, deleted_at__isnull=True)
        .annotate(due_number=due_number(target))
    )
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


def sync_failures(*, actor: Actor, limit: int) -> list[SyncState]:
    """Failed syncs of live dictionaries to enabled targets the actor may read, newest attempt
    first; one query, with each state's dictionary and target."""
    states = (
        restrict(SyncState, actor)
        .filter(status=SyncStatus.FAILED, dictionary__deleted_at__isnull=True, target__enabled=True)
        .select_related("dictionary", "target", "target__organization")
    )
    return list(states.order_by("-last_attempt_at", "-pk")[:limit])


def run_get(*, actor: Actor, run_id: str) -> SyncRun:
    """A run of a target the actor may read; raises RunNotFound (also for another
    organization's run)."""
    return get_or_raise(
        restrict(SyncRun, actor).select_related("target"),
        RunNotFound(run_id),
        public_id=run_id,
    )


def run_state(run: SyncRun) -> str:
    """``queued``, ``running`` or ``finished`` (then ``status`` says how)."""
    if run.status in FINISHED:
        return "finished"
    return str(run.status)

"""Push dictionaries to an SLNG target and verify them with a real TTS session.

A run lists upstream once, reads each dictionary's due revision on this target (its channel and
``after``: ``sync.channels``), plans creates, replaces (SLNG has no update: DELETE then POST at
once), prunes and unchanged (compared by content, so unchanged costs no write) with the pure
``plan``, executes the plan, then verifies every pushed dictionary and records the verified
content (``Verification``), which a target following this one waits for. Runs are idempotent
and hold a per-target lease, so two never interleave and a run killed at any point is repaired
by the next one.
"""

import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pronunciations.models import Dictionary, Mode
from pronunciations.validation import normalize_name
from sync import metrics, runs
from sync.channels import Due, due_payloads, dues
from sync.client import (
    RetryPolicy,
    SlngClient,
    SlngConflict,
    SlngError,
    SlngNotFound,
    SlngRejected,
    SlngVerificationFailed,
)
from sync.crypto import SecretUnreadable
from sync.models import RunStatus, SyncRun, SyncState, SyncStatus, SyncTarget, Verification
from sync.signals import content_verified
from sync.targets import TargetKeyUnusable, target_api_key, target_for_run

logger = logging.getLogger(__name__)

Action = Literal["create", "replace", "unchanged", "prune"]
Progress = Callable[[int, int, "PlanItem"], None]


class TargetBusy(Exception):
    """Another run holds the target's lease."""


@dataclass
class PlanItem:
    """One step of a run. A create, replace or unchanged item names the revision it pushes
    (``revision``, ``content_hash``) and carries SLNG's body (``payload``); an unchanged item
    already verified at that revision carries none (nothing to send or check)."""

    action: Action
    name: str
    dictionary: Dictionary | None = None
    upstream: dict[str, Any] | None = None
    state: SyncState | None = None
    revision: int | None = None
    content_hash: str = ""
    payload: dict[str, Any] | None = None


def client_for(target: SyncTarget) -> SlngClient:
    """A client for the target, with the key decrypted only here and timeouts from settings.

    Raises TargetKeyUnusable when the target's URLs are not those its key was entered for.
    """
    return SlngClient(
        base_url=target.base_url,
        ws_url=target.ws_url,
        api_key=target_api_key(target),
        timeout=settings.LEXICON_SLNG_TIMEOUT_SECONDS,
        retry=RetryPolicy(
            base=settings.LEXICON_SLNG_RETRY_BASE_SECONDS,
            cap=settings.LEXICON_SLNG_RETRY_CAP_SECONDS,
            deadline=settings.LEXICON_SLNG_RETRY_DEADLINE_SECONDS,
        ),
    )


def same_content(payload: dict[str, Any], upstream: dict[str, Any]) -> bool:
    """Upstream equals local when modes and metadata are equal (SLNG's hash is opaque)."""
    upstream_modes = {k: v for k, v in upstream.get("modes", {}).items() if v.get("rules")}
    local_modes = {k: v for k, v in payload["modes"].items() if v.get("rules") or k == "rewrite"}
    upstream_modes.setdefault("rewrite", {"rules": []})
    return upstream_modes == local_modes and (upstream.get("metadata") or {}) == payload["metadata"]


def untouched(state: SyncState | None, due: Due, found: dict[str, Any]) -> bool:
    """Verified at the due revision, and upstream still holds what we pushed (same id and hash).

    Such a dictionary needs no content loading and no comparison: this is what keeps an
    unchanged re-sync to one list call (bench/sync.py).
    """
    return (
        state is not None
        and state.status == SyncStatus.VERIFIED
        and state.pushed_revision == due.number
        and state.upstream_id == found.get("id")
        and state.upstream_hash == found.get("content_hash")
    )


def upstream_by_key(upstream_list: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """SLNG's list by lookup key (its normalized name, or ours of its name)."""
    return {d.get("normalized_name") or normalize_name(d["name"]): d for d in upstream_list}


def winners(dues: Iterable[Due]) -> dict[str, Due]:
    """One due revision per name: a name deleted and created again (or restored) has several
    dictionaries; the newest due revision among them says what the name should be upstream."""
    by_name: dict[str, Due] = {}
    for due in dues:
        held = by_name.get(due.dictionary.normalized_name)
        if held is None or (due.at, due.dictionary.pk) > (held.at, held.dictionary.pk):
            by_name[due.dictionary.normalized_name] = due
    return by_name


def plan(
    *,
    dues: Mapping[str, Due],
    upstream: Mapping[str, dict[str, Any]],
    states: Mapping[int, SyncState],
    payloads: Mapping[int, dict[str, Any]],
    prune: bool,
) -> list[PlanItem]:
    """What a run must do, decided from data only (no query, no request): pure.

    ``dues`` is each name's due revision (``winners``), ``upstream`` SLNG's list by key,
    ``states`` the target's states by dictionary pk, ``payloads`` the bodies of the due
    revisions that are not ``untouched``. A due deletion prunes upstream (when ``prune``); a
    name without a due revision, or upstream only, is left alone.
    """
    items: list[PlanItem] = []
    prunes: list[PlanItem] = []
    for key in sorted(dues):
        due, found = dues[key], upstream.get(key)
        dictionary, state = due.dictionary, states.get(due.dictionary.pk)
        if due.deleted:
            if prune and found is not None:
                prunes.append(PlanItem("prune", found["name"], upstream=found))
            continue
        item = PlanItem(
            "unchanged", dictionary.name, dictionary, found, state, due.number, due.content_hash
        )
        if not _fresh(due, states, upstream, key):
            item.payload = payloads[dictionary.pk]
            if found is None:
                item.action = "create"
            elif not same_content(item.payload, found):
                item.action = "replace"
        items.append(item)
    items.sort(key=lambda item: normalize_name(item.name))
    return items + sorted(prunes, key=lambda item: normalize_name(item.name))


def _fresh(
    due: Due, states: Mapping[int, SyncState], upstream: Mapping[str, dict[str, Any]], key: str
) -> bool:
    found = upstream.get(key)
    return found is not None and untouched(states.get(due.dictionary.pk), due, found)


def sync_plan(target: SyncTarget, upstream_list: list[dict[str, Any]]) -> list[PlanItem]:
    """Read what the target's plan needs (its due revisions, states, bodies) and plan."""
    upstream = upstream_by_key(upstream_list)
    states = {s.dictionary_id: s for s in SyncState.objects.filter(target=target)}
    due = winners(dues(target))
    stale = [d for key, d in due.items() if not d.deleted and not _fresh(d, states, upstream, key)]
    return plan(
        dues=due, upstream=upstream, states=states, payloads=due_payloads(stale), prune=target.prune
    )


# -- the lease ----------------------------------------------------------------------------


def _lease_acquire(target_id: int, token: str) -> bool:
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    until = now + timedelta(seconds=settings.LEXICON_SYNC_LEASE_SECONDS)
    taken = SyncTarget.objects.filter(free, pk=target_id).update(
        lease_token=token, lease_until=until
    )
    return taken == 1


def _lease_extend(target_id: int, token: str) -> None:
    until = timezone.now() + timedelta(seconds=settings.LEXICON_SYNC_LEASE_SECONDS)
    SyncTarget.objects.filter(pk=target_id, lease_token=token).update(lease_until=until)


def _lease_release(target_id: int, token: str) -> None:
    SyncTarget.objects.filter(pk=target_id, lease_token=token).update(
        lease_token="", lease_until=None
    )


# -- executing a plan ---------------------------------------------------------------------


def verification_text(payload: dict[str, Any]) -> str:
    """The shortest text that exercises the pushed content: its shortest rewrite match."""
    rules = payload["modes"].get(Mode.REWRITE.value, {}).get("rules", [])
    matches = [rule["match"] for rule in rules]
    return min(matches, key=len) if matches else "Hello."


class _Runner:
    """Executes one plan for one target, recording outcomes in SyncState, Verification and
    SyncRun. ``newly_verified`` counts content verified here for the first time."""

    def __init__(self, target: SyncTarget, run: SyncRun, client: SlngClient, token: str) -> None:
        self.target, self.run, self.client, self.token = target, run, client, token
        self.lease_extended = time.monotonic()
        self.newly_verified = 0

    def execute(self, plan: list[PlanItem], progress: Progress | None) -> None:
        for done, item in enumerate(plan, start=1):
            if item.action == "prune":
                self._prune(item)
            else:
                self._sync_one(item)
            self._keep_lease()
            if progress is not None:
                progress(done, len(plan), item)

    def _keep_lease(self) -> None:
        """Extend the lease once a tenth of it has passed (not once per dictionary)."""
        if time.monotonic() - self.lease_extended > settings.LEXICON_SYNC_LEASE_SECONDS / 10:
            _lease_extend(self.target.pk, self.token)
            self.lease_extended = time.monotonic()

    def _sync_one(self, item: PlanItem) -> None:
        if item.payload is None:  # verified at this revision and untouched upstream
            self.run.unchanged += 1
            return
        assert item.dictionary is not None  # noqa: S101 - set for every item with a payload
        state = item.state
        if state is None:
            state, _ = SyncState.objects.get_or_create(
                target=self.target, dictionary=item.dictionary
            )
        try:
            upstream = self._push(item, item.payload, state)
            _record_pushed(state, item, upstream)
            self._verify(item, item.payload, state)
        except (SlngRejected, SlngVerificationFailed) as exc:
            _record_failure(state, exc)
            self.run.failed += 1
            metrics.dictionary_failed(self.target, exc)

    def _push(self, item: PlanItem, payload: dict[str, Any], state: SyncState) -> dict[str, Any]:
        state.attempts += 1
        state.last_attempt_at = timezone.now()
        if item.action == "unchanged":
            self.run.unchanged += 1
            assert item.upstream is not None  # noqa: S101 - unchanged items carry upstream
            return item.upstream
        if item.action == "replace":
            self.run.replaced += 1
            return self._replace(payload, state)
        self.run.created += 1
        try:
            return self.client.create_dictionary(payload)
        except SlngConflict:  # created by an interrupted run, or a retried POST that did land
            found = self.client.get_dictionary(payload["name"])
            return found if same_content(payload, found) else self._replace(payload, state)

    def _replace(self, payload: dict[str, Any], state: SyncState) -> dict[str, Any]:
        """DELETE then POST at once; the window the name is missing upstream is recorded."""
        started = time.monotonic()
        with contextlib.suppress(SlngNotFound):
            self.client.delete_dictionary(payload["name"])
        created = self.client.create_dictionary(payload)
        state.window_ms = int((time.monotonic() - started) * 1000)
        return created

    def _verify(self, item: PlanItem, payload: dict[str, Any], state: SyncState) -> None:
        name, text = payload["name"], verification_text(payload)
        try:
            self._verify_ws(name, text)
        except SlngVerificationFailed as exc:
            if exc.code != "pronunciation_not_found":
                raise
            logger.info("verification of %s found no dictionary; pushing once more", name)
            self._ensure_upstream(payload)
            time.sleep(settings.LEXICON_SYNC_VERIFY_RETRY_DELAY_SECONDS)
            self._verify_ws(name, text)
        if self.target.verify_http:
            target = self.target
            self.client.verify_http(
                name, model=target.model, voice=target.voice, text=text, route=target.verify_route
            )
        state.status = SyncStatus.VERIFIED
        state.verified_at = timezone.now()
        with transaction.atomic():  # the state and the fact a follower reads, together
            state.save()
            self.newly_verified += _record_verified(self.target, item, state.verified_at)
        self.run.verified += 1

    def _verify_ws(self, name: str, text: str) -> None:
        target = self.target
        self.client.verify(
            name, model=target.model, voice=target.voice, text=text, route=target.verify_route
        )

    def _ensure_upstream(self, payload: dict[str, Any]) -> None:
        try:
            self.client.get_dictionary(payload["name"])
        except SlngNotFound:
            self.client.create_dictionary(payload)

    def _prune(self, item: PlanItem) -> None:
        with contextlib.suppress(SlngNotFound):
            self.client.delete_dictionary(item.name)
        SyncState.objects.filter(
            target=self.target,
            dictionary__normalized_name=normalize_name(item.name),
            dictionary__deleted_at__isnull=False,
        ).delete()
        self.run.deleted += 1


def _record_pushed(state: SyncState, item: PlanItem, upstream: dict[str, Any]) -> None:
    state.status = SyncStatus.SYNCED
    state.pushed_revision = item.revision
    state.pushed_hash = item.content_hash
    state.upstream_id = str(upstream.get("id", ""))
    state.upstream_hash = str(upstream.get("content_hash", ""))
    state.last_error_code = state.last_error_message = ""
    state.synced_at = timezone.now()
    state.save()


def _record_verified(target: SyncTarget, item: PlanItem, at: datetime) -> int:
    """Record that the item's content is verified on the target; 1 when that is new."""
    _, created = Verification.objects.update_or_create(
        target=target,
        dictionary=item.dictionary,
        content_hash=item.content_hash,
        defaults={"revision": item.revision or 0, "verified_at": at},
    )
    return int(created)


def _record_failure(state: SyncState, exc: SlngError) -> None:
    state.status = SyncStatus.FAILED
    state.last_error_code = exc.code or type(exc).__name__
    state.last_error_message = exc.message[:2000]
    state.save()


def target_run(
    *,
    target_id: str,
    organization_id: str,
    trigger: str,
    progress: Progress | None = None,
    run_id: str = "",
) -> SyncRun:
    """Run one sync of the organization's target (both public ids): the queued run ``run_id``
    when it is the target's (sync/runs.py), else a new run.

    Raises TargetNotFound when the target is not that organization's (a forged or stale
    message does nothing), TargetBusy if another run holds its lease. A key that cannot be used
    (URLs changed since it was entered) ends the run failed before anything is sent. SLNG errors
    that stop the whole run (unreachable, key refused) mark the run failed and leave every local
    row as it was; errors of one dictionary mark only that dictionary failed.
    """
    target = target_for_run(organization_id=organization_id, target_id=target_id)
    try:
        client = client_for(target)
    except (TargetKeyUnusable, SecretUnreadable) as exc:
        logger.warning("sync of %s refused: %s", target, exc)
        error = f"{type(exc).__name__}: {exc}"
        return runs.run_refused(target=target, trigger=trigger, run_id=run_id, error=error)
    token = uuid.uuid4().hex
    if not _lease_acquire(target.pk, token):
        client.close()
        raise TargetBusy(f"target {target_id} is being synced by another run")
    run = runs.run_start(target=target, trigger=trigger, run_id=run_id)
    started = time.monotonic()
    runner = _Runner(target, run, client, token)
    try:
        plan = sync_plan(target, client.list_dictionaries())
        runner.execute(plan, runs.run_recording(run, len(plan), progress))
        run.status = RunStatus.FAILED if run.failed else RunStatus.SUCCEEDED
    except SlngError as exc:
        run.status, run.error = RunStatus.FAILED, f"{type(exc).__name__}: {exc.message}"
        logger.warning("sync run %s of %s failed: %s", run.pk, target, run.error)
    finally:
        client.close()
        run.http_calls = client.calls.http
        run.finished_at = timezone.now()
        run.duration_ms = int((time.monotonic() - started) * 1000)
        run.save()
        _lease_release(target.pk, token)
    if runner.newly_verified:
        content_verified.send(
            sender=SyncTarget, target_id=target.pk, organization_id=target.organization_id
        )
    return run


def target_plan(*, target_id: str, organization_id: str) -> list[PlanItem]:
    """The plan a run would execute now (one list call upstream, no writes anywhere).

    Raises TargetNotFound and TargetKeyUnusable as ``target_run`` does.
    """
    target = target_for_run(organization_id=organization_id, target_id=target_id)
    with client_for(target) as client:
        return sync_plan(target, client.list_dictionaries())

"""Push dictionaries to an SLNG target and verify them with a real TTS session.

A run lists upstream once, plans creates, replaces (SLNG has no update: DELETE then POST at
once), prunes and unchanged (compared by content, so unchanged costs no write), executes the
plan, then verifies every pushed dictionary. Runs are idempotent and hold a per-target lease, so
two never interleave and a run killed at any point is repaired by the next one.
"""

import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from pronunciations.content import current_modes, current_wire
from pronunciations.models import Dictionary, Mode
from pronunciations.selectors import dictionary_list, dictionary_live
from pronunciations.validation import normalize_name
from sync import metrics, runs
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
from sync.models import RunStatus, SyncRun, SyncState, SyncStatus, SyncTarget
from sync.targets import TargetKeyUnusable, target_api_key, target_for_run

logger = logging.getLogger(__name__)

Action = Literal["create", "replace", "unchanged", "prune"]
Progress = Callable[[int, int, "PlanItem"], None]


class TargetBusy(Exception):
    """Another run holds the target's lease."""


@dataclass
class PlanItem:
    action: Action
    name: str
    dictionary: Dictionary | None = None
    upstream: dict[str, Any] | None = None
    state: SyncState | None = None


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


def dictionary_payload(dictionary: Dictionary) -> dict[str, Any]:
    """The create body SLNG gets for a dictionary (rules must be prefetched or are queried)."""
    modes = current_wire(dictionary)
    return {"name": dictionary.name, "modes": modes, "metadata": dictionary.metadata or {}}


def same_content(payload: dict[str, Any], upstream: dict[str, Any]) -> bool:
    """Upstream equals local when modes and metadata are equal (SLNG's hash is opaque)."""
    upstream_modes = {k: v for k, v in upstream.get("modes", {}).items() if v.get("rules")}
    local_modes = {k: v for k, v in payload["modes"].items() if v.get("rules") or k == "rewrite"}
    upstream_modes.setdefault("rewrite", {"rules": []})
    return upstream_modes == local_modes and (upstream.get("metadata") or {}) == payload["metadata"]


def _untouched(state: SyncState | None, dictionary: Dictionary, found: dict[str, Any]) -> bool:
    """Verified at this revision, and upstream still holds what we pushed (same id and hash).

    Such a dictionary needs no rule loading and no comparison: this is what keeps an unchanged
    re-sync to one list call (bench/sync.py).
    """
    return (
        state is not None
        and state.status == SyncStatus.VERIFIED
        and state.pushed_revision == dictionary.revision
        and state.upstream_id == found.get("id")
        and state.upstream_hash == found.get("content_hash")
    )


def _compare(dictionary: Dictionary, found: dict[str, Any] | None) -> Action:
    if found is None:
        return "create"
    return "unchanged" if same_content(dictionary_payload(dictionary), found) else "replace"


def sync_plan(target: SyncTarget, upstream_list: list[dict[str, Any]]) -> list[PlanItem]:
    """Decide, for every local and upstream dictionary, what the run must do."""
    upstream = {d.get("normalized_name") or normalize_name(d["name"]): d for d in upstream_list}
    states = {s.dictionary_id: s for s in SyncState.objects.filter(target=target)}
    live = dictionary_live(organization=target.organization)
    plan: list[PlanItem] = []
    to_compare = []
    for dictionary in live.only("pk", "name", "normalized_name", "revision"):
        found, state = upstream.get(dictionary.normalized_name), states.get(dictionary.pk)
        if found is not None and _untouched(state, dictionary, found):
            plan.append(PlanItem("unchanged", dictionary.name, dictionary, found, state))
        else:
            to_compare.append(dictionary.pk)
    for dictionary in dictionary_list(organization=target.organization).filter(pk__in=to_compare):
        found = upstream.get(dictionary.normalized_name)
        action = _compare(dictionary, found)
        plan.append(PlanItem(action, dictionary.name, dictionary, found, states.get(dictionary.pk)))
    plan.sort(key=lambda item: normalize_name(item.name))
    if target.prune:
        plan += _prunes(target, upstream, {normalize_name(item.name) for item in plan})
    return plan


def _prunes(
    target: SyncTarget, upstream: dict[str, dict[str, Any]], live_names: set[str]
) -> list[PlanItem]:
    """Upstream dictionaries whose local dictionary was deleted here (others are left alone)."""
    deleted_here = set(
        Dictionary.objects.filter(organization=target.organization, deleted_at__isnull=False)
        .exclude(normalized_name__in=live_names)
        .values_list("normalized_name", flat=True)
    )
    return [
        PlanItem("prune", found["name"], upstream=found)
        for key, found in sorted(upstream.items())
        if key in deleted_here
    ]


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


def verification_text(dictionary: Dictionary) -> str:
    """The shortest text that exercises the dictionary: its shortest rewrite match."""
    matches = [rule.match for rule in current_modes(dictionary).get(Mode.REWRITE, ())]
    return min(matches, key=len) if matches else "Hello."


class _Runner:
    """Executes one plan for one target, recording outcomes in SyncState and SyncRun."""

    def __init__(self, target: SyncTarget, run: SyncRun, client: SlngClient, token: str) -> None:
        self.target, self.run, self.client, self.token = target, run, client, token
        self.lease_extended = time.monotonic()

    def execute(self, plan: list[PlanItem], progress: Progress | None) -> None:
        for done, item in enumerate(plan, start=1):
            if item.action == "prune":
                self._prune(item)
            else:
                assert item.dictionary is not None  # noqa: S101 - set for non-prune items
                self._sync_one(item, item.dictionary)
            self._keep_lease()
            if progress is not None:
                progress(done, len(plan), item)

    def _keep_lease(self) -> None:
        """Extend the lease once a tenth of it has passed (not once per dictionary)."""
        if time.monotonic() - self.lease_extended > settings.LEXICON_SYNC_LEASE_SECONDS / 10:
            _lease_extend(self.target.pk, self.token)
            self.lease_extended = time.monotonic()

    def _sync_one(self, item: PlanItem, dictionary: Dictionary) -> None:
        state = item.state
        if (
            item.action == "unchanged"
            and state is not None
            and (
                state.status == SyncStatus.VERIFIED and state.pushed_revision == dictionary.revision
            )
        ):
            self.run.unchanged += 1
            return
        if state is None:
            state, _ = SyncState.objects.get_or_create(target=self.target, dictionary=dictionary)
        try:
            upstream = self._push(item, dictionary, state)
            _record_pushed(state, dictionary, upstream)
            self._verify(dictionary, state)
        except (SlngRejected, SlngVerificationFailed) as exc:
            _record_failure(state, exc)
            self.run.failed += 1
            metrics.dictionary_failed(self.target, exc)

    def _push(self, item: PlanItem, dictionary: Dictionary, state: SyncState) -> dict[str, Any]:
        state.attempts += 1
        state.last_attempt_at = timezone.now()
        payload = dictionary_payload(dictionary)
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
            found = self.client.get_dictionary(dictionary.name)
            return found if same_content(payload, found) else self._replace(payload, state)

    def _replace(self, payload: dict[str, Any], state: SyncState) -> dict[str, Any]:
        """DELETE then POST at once; the window the name is missing upstream is recorded."""
        started = time.monotonic()
        with contextlib.suppress(SlngNotFound):
            self.client.delete_dictionary(payload["name"])
        created = self.client.create_dictionary(payload)
        state.window_ms = int((time.monotonic() - started) * 1000)
        return created

    def _verify(self, dictionary: Dictionary, state: SyncState) -> None:
        text = verification_text(dictionary)
        try:
            self._verify_ws(dictionary.name, text)
        except SlngVerificationFailed as exc:
            if exc.code != "pronunciation_not_found":
                raise
            logger.info("verification of %s found no dictionary; pushing once more", dictionary)
            self._ensure_upstream(dictionary)
            time.sleep(settings.LEXICON_SYNC_VERIFY_RETRY_DELAY_SECONDS)
            self._verify_ws(dictionary.name, text)
        if self.target.verify_http:
            target = self.target
            self.client.verify_http(
                dictionary.name,
                model=target.model,
                voice=target.voice,
                text=text,
                route=target.verify_route,
            )
        state.status = SyncStatus.VERIFIED
        state.verified_at = timezone.now()
        state.save()
        self.run.verified += 1

    def _verify_ws(self, name: str, text: str) -> None:
        target = self.target
        self.client.verify(
            name, model=target.model, voice=target.voice, text=text, route=target.verify_route
        )

    def _ensure_upstream(self, dictionary: Dictionary) -> None:
        try:
            self.client.get_dictionary(dictionary.name)
        except SlngNotFound:
            self.client.create_dictionary(dictionary_payload(dictionary))

    def _prune(self, item: PlanItem) -> None:
        with contextlib.suppress(SlngNotFound):
            self.client.delete_dictionary(item.name)
        SyncState.objects.filter(
            target=self.target,
            dictionary__normalized_name=normalize_name(item.name),
            dictionary__deleted_at__isnull=False,
        ).delete()
        self.run.deleted += 1


def _record_pushed(state: SyncState, dictionary: Dictionary, upstream: dict[str, Any]) -> None:
    state.status = SyncStatus.SYNCED
    state.pushed_revision = dictionary.revision
    state.pushed_hash = dictionary.content_hash
    state.upstream_id = str(upstream.get("id", ""))
    state.upstream_hash = str(upstream.get("content_hash", ""))
    state.last_error_code = state.last_error_message = ""
    state.synced_at = timezone.now()
    state.save()


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
    try:
        plan = sync_plan(target, client.list_dictionaries())
        recording = runs.run_recording(run, len(plan), progress)
        _Runner(target, run, client, token).execute(plan, recording)
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
    return run


def target_plan(*, target_id: str, organization_id: str) -> list[PlanItem]:
    """The plan a run would execute now (one list call upstream, no writes anywhere).

    Raises TargetNotFound and TargetKeyUnusable as ``target_run`` does.
    """
    target = target_for_run(organization_id=organization_id, target_id=target_id)
    with client_for(target) as client:
        return sync_plan(target, client.list_dictionaries())

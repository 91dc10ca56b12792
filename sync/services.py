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

from pronunciations.content import modes_from_rules, modes_to_wire
from pronunciations.models import Dictionary, Mode
from pronunciations.selectors import dictionary_list
from sync.client import (
    RetryPolicy,
    SlngClient,
    SlngConflict,
    SlngError,
    SlngNotFound,
    SlngRejected,
    SlngVerificationFailed,
)
from sync.crypto import secret_decrypt
from sync.models import RunStatus, SyncRun, SyncState, SyncStatus, SyncTarget

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


def client_for(target: SyncTarget) -> SlngClient:
    """A client for the target, with the key decrypted only here and timeouts from settings."""
    return SlngClient(
        base_url=target.base_url,
        ws_url=target.ws_url,
        api_key=secret_decrypt(target.encrypted_api_key),
        timeout=settings.LEXICON_SLNG_TIMEOUT_SECONDS,
        retry=RetryPolicy(
            base=settings.LEXICON_SLNG_RETRY_BASE_SECONDS,
            cap=settings.LEXICON_SLNG_RETRY_CAP_SECONDS,
            deadline=settings.LEXICON_SLNG_RETRY_DEADLINE_SECONDS,
        ),
    )


def dictionary_payload(dictionary: Dictionary) -> dict[str, Any]:
    """The create body SLNG gets for a dictionary (rules must be prefetched or are queried)."""
    modes = modes_to_wire(modes_from_rules(dictionary.rules.all()))
    return {"name": dictionary.name, "modes": modes, "metadata": dictionary.metadata or {}}


def same_content(payload: dict[str, Any], upstream: dict[str, Any]) -> bool:
    """Upstream equals local when modes and metadata are equal (SLNG's hash is opaque)."""
    upstream_modes = {k: v for k, v in upstream.get("modes", {}).items() if v.get("rules")}
    local_modes = {k: v for k, v in payload["modes"].items() if v.get("rules") or k == "rewrite"}
    upstream_modes.setdefault("rewrite", {"rules": []})
    return upstream_modes == local_modes and (upstream.get("metadata") or {}) == payload["metadata"]


def sync_plan(target: SyncTarget, upstream_list: list[dict[str, Any]]) -> list[PlanItem]:
    """Decide, for every local and upstream dictionary, what the run must do."""
    upstream = {d.get("normalized_name") or d["name"].lower(): d for d in upstream_list}
    plan: list[PlanItem] = []
    live = list(dictionary_list(organization=target.organization))
    for dictionary in live:
        found = upstream.get(dictionary.normalized_name)
        if found is None:
            plan.append(PlanItem("create", dictionary.name, dictionary))
        elif same_content(dictionary_payload(dictionary), found):
            plan.append(PlanItem("unchanged", dictionary.name, dictionary, found))
        else:
            plan.append(PlanItem("replace", dictionary.name, dictionary, found))
    if target.prune:
        live_names = {d.normalized_name for d in live}
        deleted_here = set(
            Dictionary.objects.filter(organization=target.organization, deleted_at__isnull=False)
            .exclude(normalized_name__in=live_names)
            .values_list("normalized_name", flat=True)
        )
        plan += [
            PlanItem("prune", found["name"], upstream=found)
            for key, found in sorted(upstream.items())
            if key in deleted_here
        ]
    return plan


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
    matches = [rule.match for rule in dictionary.rules.all() if rule.mode == Mode.REWRITE]
    return min(matches, key=len) if matches else "Hello."


class _Runner:
    """Executes one plan for one target, recording outcomes in SyncState and SyncRun."""

    def __init__(self, target: SyncTarget, run: SyncRun, client: SlngClient, token: str) -> None:
        self.target, self.run, self.client, self.token = target, run, client, token

    def execute(self, plan: list[PlanItem], progress: Progress | None) -> None:
        for done, item in enumerate(plan, start=1):
            if item.action == "prune":
                self._prune(item)
            else:
                assert item.dictionary is not None  # noqa: S101 - set for non-prune items
                self._sync_one(item, item.dictionary)
            _lease_extend(self.target.pk, self.token)
            if progress is not None:
                progress(done, len(plan), item)

    def _sync_one(self, item: PlanItem, dictionary: Dictionary) -> None:
        state, _ = SyncState.objects.get_or_create(target=self.target, dictionary=dictionary)
        up_to_date = (
            item.action == "unchanged"
            and state.status == SyncStatus.VERIFIED
            and state.pushed_revision == dictionary.revision
        )
        if up_to_date:
            self.run.unchanged += 1
            return
        try:
            upstream = self._push(item, dictionary, state)
            _record_pushed(state, dictionary, upstream)
            self._verify(dictionary, state)
        except (SlngRejected, SlngVerificationFailed) as exc:
            _record_failure(state, exc)
            self.run.failed += 1

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
        target = self.target
        try:
            self.client.verify(dictionary.name, model=target.model, voice=target.voice, text=text)
        except SlngVerificationFailed as exc:
            if exc.code != "pronunciation_not_found":
                raise
            logger.info("verification of %s found no dictionary; pushing once more", dictionary)
            self._ensure_upstream(dictionary)
            time.sleep(settings.LEXICON_SYNC_VERIFY_RETRY_DELAY_SECONDS)
            self.client.verify(dictionary.name, model=target.model, voice=target.voice, text=text)
        state.status = SyncStatus.VERIFIED
        state.verified_at = timezone.now()
        state.save()
        self.run.verified += 1

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
            dictionary__normalized_name=item.name.lower(),
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


def target_run(*, target_id: int, trigger: str, progress: Progress | None = None) -> SyncRun:
    """Run one sync of the target. Raises TargetBusy if another run holds its lease.

    SLNG errors that stop the whole run (unreachable, key refused) mark the run failed and leave
    every local row as it was; errors of one dictionary mark only that dictionary failed.
    """
    token = uuid.uuid4().hex
    if not _lease_acquire(target_id, token):
        raise TargetBusy(f"target {target_id} is being synced by another run")
    target = SyncTarget.objects.select_related("organization").get(pk=target_id)
    run = SyncRun.objects.create(target=target, trigger=trigger)
    started = time.monotonic()
    client = client_for(target)
    try:
        plan = sync_plan(target, client.list_dictionaries())
        _Runner(target, run, client, token).execute(plan, progress)
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
        _lease_release(target_id, token)
    return run


def target_plan(*, target_id: int) -> list[PlanItem]:
    """The plan a run would execute now (one list call upstream, no writes anywhere)."""
    target = SyncTarget.objects.select_related("organization").get(pk=target_id)
    with client_for(target) as client:
        return sync_plan(target, client.list_dictionaries())

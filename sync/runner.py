"""Executing a run's plan: concurrent pushes and verifications, recorded by the run's thread.

Up to the target's ``concurrency`` dictionaries are in flight at once, each on a worker thread
of a bounded pool: the work is waiting on SLNG (a POST, a TTS session), so threads overlap those
waits and the GIL costs little. A worker does one dictionary's network part only, back to back:
the push (for a replace, the DELETE and the POST that ends its window, so the window stays one
round trip as with one worker) and then its verification. Workers never touch the database:
each returns an ``Outcome`` and the run's own thread writes it (``SyncState``, ``Verification``,
the run's counts and progress) in the order outcomes arrive, so every record is exact and no
Django connection is opened on a worker. That thread also keeps the target's lease while it
waits, so a long run keeps a second run out; a lease found taken stops the run (``LeaseLost``).

The workers share one client: a rate-limited answer (429, ``rate_limit``) pauses every worker's
next call for its Retry-After (``sync.client.SharedPause``). With ``concurrency`` 1 one
dictionary is in flight at a time, in plan order, as before issue 17.
"""

import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orgs.scoping import restrict
from pronunciations.models import Mode
from pronunciations.validation import normalize_name
from sync import events, metrics
from sync.client import (
    SlngClient,
    SlngConflict,
    SlngError,
    SlngNotFound,
    SlngRejected,
    SlngVerificationFailed,
    codes,
)
from sync.models import SyncRun, SyncState, SyncStatus, SyncTarget, Verification
from sync.plans import PlanItem, Progress, same_content
from sync.system_actors import SYNC_RUN

logger = logging.getLogger("sync.services")
# What stops one dictionary only (it is marked failed); any other SlngError stops the run.
DICTIONARY_ERRORS = (SlngRejected, SlngVerificationFailed)
# A dictionary compiled over SLNG's limits for the target's model: refused before sending.
REFUSED_CODE = "compiled_over_limit"


class LeaseLost(Exception):
    """The run's lease ran out and another run took the target: this run stops at once."""


class Lease:
    """A run's hold on its target, kept while the run works. ``extend`` returns False when the
    hold is no longer this run's; ``seconds`` is how long one extension lasts."""

    def __init__(self, extend: Callable[[], bool], seconds: float) -> None:
        self._extend, self.seconds = extend, seconds
        self._extended = time.monotonic()

    def keep(self) -> None:
        """Extend the lease once a tenth of it has passed (not once per dictionary).

        Raises LeaseLost when the target's lease is another run's.
        """
        if time.monotonic() - self._extended <= self.seconds / 10:
            return
        if not self._extend():
            raise LeaseLost("the target's lease ran out and another run took it")
        self._extended = time.monotonic()


@dataclass
class Outcome:
    """What a worker did for one plan item, for the run's thread to record: when its push
    started, what SLNG holds after it, the replace's window, whether it was verified, and the
    error that stopped it (if any)."""

    attempted_at: datetime | None = None
    upstream: dict[str, Any] | None = None
    window_ms: int | None = None
    verified: bool = False
    error: BaseException | None = None


def verification_text(payload: dict[str, Any]) -> str:
    """The shortest text that exercises the pushed content: its shortest rewrite match."""
    rules = payload["modes"].get(Mode.REWRITE.value, {}).get("rules", [])
    matches = [rule["match"] for rule in rules]
    return min(matches, key=len) if matches else "Hello."


class Runner:
    """Executes one plan for one target, recording outcomes in SyncState, Verification and
    SyncRun. ``newly_verified`` counts content verified here for the first time."""

    def __init__(self, target: SyncTarget, run: SyncRun, client: SlngClient, lease: Lease) -> None:
        self.target, self.run, self.client, self.lease = target, run, client, lease
        self.newly_verified = 0
        self.done = 0

    def execute(self, plan: list[PlanItem], progress: Progress | None) -> None:
        """Run the plan with at most ``target.concurrency`` items in flight, record each
        outcome, then raise what stopped the run, if anything did (after the items in flight
        finished and were recorded: nothing that happened upstream goes unrecorded)."""
        width = max(1, self.target.concurrency)
        pending = iter(plan)
        in_flight: dict[Future[Outcome], PlanItem] = {}
        stop: BaseException | None = None
        pool = ThreadPoolExecutor(width, thread_name_prefix=f"sync-{self.target.public_id}")
        try:
            while True:
                while stop is None and len(in_flight) < width:
                    item = next(pending, None)
                    if item is None:
                        break
                    if item.action != "prune" and item.payload is None:  # verified, untouched
                        self.run.unchanged += 1
                        self._done(plan, item, progress)
                        continue
                    if item.action == "refused":  # over SLNG's limits once compiled: not sent
                        self._record_refused(item)
                        self._done(plan, item, progress)
                        continue
                    in_flight[pool.submit(self._work, item)] = item
                if not in_flight:
                    break
                finished, _ = wait(
                    in_flight, timeout=self.lease.seconds / 10, return_when=FIRST_COMPLETED
                )
                stop = stop or _stopped(self.lease)
                for future in finished:
                    item = in_flight.pop(future)
                    error = self._record(item, future.result())
                    if error is None:
                        self._done(plan, item, progress)
                    stop = stop or error
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        if stop is not None:
            raise stop

    def _done(self, plan: list[PlanItem], item: PlanItem, progress: Progress | None) -> None:
        self.done += 1
        if progress is not None:
            progress(self.done, len(plan), item)

    # -- on a worker: SLNG only, never the database ------------------------------------------

    def _work(self, item: PlanItem) -> Outcome:
        outcome = Outcome()
        try:
            if item.action == "prune":
                with contextlib.suppress(SlngNotFound):
                    self.client.delete_dictionary(item.name)
                return outcome
            assert item.payload is not None  # noqa: S101 - items without one are not sent here
            outcome.attempted_at = timezone.now()
            outcome.upstream = self._push(item, item.payload, outcome)
            self._verify(item.payload)
            outcome.verified = True
        except Exception as exc:  # the run's thread records it, and re-raises what stops the run
            outcome.error = exc
        return outcome

    def _push(self, item: PlanItem, payload: dict[str, Any], outcome: Outcome) -> dict[str, Any]:
        if item.action == "unchanged":
            assert item.upstream is not None  # noqa: S101 - unchanged items carry upstream
            return item.upstream
        if item.action == "replace":
            return self._replace(payload, outcome)
        try:
            return self.client.create_dictionary(payload)
        except SlngConflict:  # created by an interrupted run, or a retried POST that did land
            found = self.client.get_dictionary(payload["name"])
            return found if same_content(payload, found) else self._replace(payload, outcome)

    def _replace(self, payload: dict[str, Any], outcome: Outcome) -> dict[str, Any]:
        """DELETE then POST at once, on this worker; the window the name is missing upstream
        is recorded. The POST does not wait out a pause other workers' answers started."""
        started = time.monotonic()
        with contextlib.suppress(SlngNotFound):
            self.client.delete_dictionary(payload["name"])
        created = self.client.create_dictionary(payload, urgent=True)
        outcome.window_ms = int((time.monotonic() - started) * 1000)
        return created

    def _verify(self, payload: dict[str, Any]) -> None:
        name, text = payload["name"], verification_text(payload)
        try:
            self._verify_ws(name, text)
        except SlngVerificationFailed as exc:
            if exc.code != codes.NOT_FOUND:
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

    # -- on the run's thread: the records ------------------------------------------------------

    def _record(self, item: PlanItem, outcome: Outcome) -> BaseException | None:
        """Write one item's outcome; return the error that stops the run, if it has one."""
        error = outcome.error
        stops = None if error is None or isinstance(error, DICTIONARY_ERRORS) else error
        if item.action == "prune":
            if error is None:
                self._record_prune(item)
            return error
        if stops is not None and outcome.upstream is None:
            return stops  # SLNG stored nothing we know of (a POST that landed anyway: a 409 next)
        assert item.dictionary is not None  # noqa: S101 - set for every item with a payload
        state = item.state
        if state is None:
            state, _ = restrict(SyncState, SYNC_RUN).get_or_create(
                target=self.target, dictionary=item.dictionary
            )
        self._count(item)
        state.attempts += 1
        state.last_attempt_at = outcome.attempted_at
        if outcome.window_ms is not None:
            state.window_ms = outcome.window_ms
        if outcome.upstream is not None:
            _record_pushed(state, item, outcome.upstream)
        if outcome.verified:
            self._record_verified(item, state)
        elif isinstance(error, DICTIONARY_ERRORS):
            _record_failure(state, error)
            events.sync_failed(self.target, item, error)
            self.run.failed += 1
            metrics.dictionary_failed(self.target, error)
        return stops

    def _count(self, item: PlanItem) -> None:
        if item.action == "unchanged":
            self.run.unchanged += 1
        elif item.action == "replace":
            self.run.replaced += 1
        else:
            self.run.created += 1

    def _record_verified(self, item: PlanItem, state: SyncState) -> None:
        state.status = SyncStatus.VERIFIED
        state.verified_at = timezone.now()
        with transaction.atomic():  # the state and the fact a follower reads, together
            state.save()
            new = _record_verification(self.target, item, state.verified_at)
            if new:
                events.sync_verified(self.target, item)
            self.newly_verified += new
        self.run.verified += 1

    def _record_refused(self, item: PlanItem) -> None:
        """A dictionary compiled over SLNG's limits: failed, saying the model, count and limit."""
        assert item.dictionary is not None  # noqa: S101 - refused items are dictionaries
        state = (
            item.state
            or restrict(SyncState, SYNC_RUN).get_or_create(
                target=self.target, dictionary=item.dictionary
            )[0]
        )
        state.status = SyncStatus.FAILED
        state.last_error_code = REFUSED_CODE
        state.last_error_message = item.refusal
        state.attempts += 1
        state.last_attempt_at = timezone.now()
        state.save()
        self.run.failed += 1

    def _record_prune(self, item: PlanItem) -> None:
        restrict(SyncState, SYNC_RUN).filter(
            target=self.target,
            dictionary__normalized_name=normalize_name(item.name),
            dictionary__deleted_at__isnull=False,
        ).delete()
        self.run.deleted += 1


def _stopped(lease: Lease) -> LeaseLost | None:
    try:
        lease.keep()
    except LeaseLost as exc:
        return exc
    return None


def _record_pushed(state: SyncState, item: PlanItem, upstream: dict[str, Any]) -> None:
    state.status = SyncStatus.SYNCED
    state.pushed_revision = item.revision
    state.pushed_hash = item.content_hash
    state.upstream_id = str(upstream.get("id", ""))
    state.upstream_hash = str(upstream.get("content_hash", ""))
    state.compiled_with = item.compiled
    state.last_error_code = state.last_error_message = ""
    state.synced_at = timezone.now()
    state.save()


def _record_verification(target: SyncTarget, item: PlanItem, at: datetime) -> int:
    """Record that the item's content is verified on the target; 1 when that is new."""
    _, created = restrict(Verification, SYNC_RUN).update_or_create(
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

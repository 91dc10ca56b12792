"""The events pronunciations publishes (orgs.events): what happened to a revision, in one shape."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from orgs.events import Event, EventType, publish
from pronunciations.models import Action, ImportJob, JobState, ReviewState, Revision, ScanJob

# A new revision's event by its review state (record) or the decision made on it (review).
_BY_STATE = {
    ReviewState.AUTO: EventType.REVISION_CREATED,
    ReviewState.PROPOSED: EventType.REVISION_PROPOSED,
    ReviewState.APPROVED: EventType.REVISION_APPROVED,
    ReviewState.REJECTED: EventType.REVISION_REJECTED,
    ReviewState.WITHDRAWN: EventType.REVISION_WITHDRAWN,
}
_BY_ACTION = {
    Action.DELETE: EventType.DICTIONARY_DELETED,
    Action.UNDELETE: EventType.DICTIONARY_RESTORED,
}


def revision_data(revision: Revision) -> dict[str, Any]:
    """What every revision event says: the dictionary, the revision, who and why."""
    dictionary = revision.dictionary
    return {
        "dictionary": dictionary.name,
        "dictionary_id": dictionary.public_id,
        "revision": revision.number,
        "action": revision.action,
        "review_state": revision.review_state,
        "author": revision.author,
        "comment": revision.comment,
        "content_hash": revision.content_hash,
        "reviewed_by": revision.reviewed_by or None,
    }


def revision_events(
    revisions: Iterable[Revision], *, decided: bool = False
) -> dict[int, list[Event]]:
    """Each revision's event by its review state, and a deletion's or restore's own (a deletion
    takes effect at once, reviewed or not), per organization. A ``decided`` revision now
    ``auto`` was approved by policy (review turned off): that is its approval."""
    events: dict[int, list[Event]] = defaultdict(list)
    for revision in revisions:
        data = revision_data(revision)
        organization_id = revision.dictionary.organization_id
        state = ReviewState(revision.review_state)
        if decided and state == ReviewState.AUTO:
            events[organization_id].append((EventType.REVISION_APPROVED, data))
        elif state in _BY_STATE:
            events[organization_id].append((_BY_STATE[state], data))
        if revision.action in _BY_ACTION and not decided:
            events[organization_id].append((_BY_ACTION[Action(revision.action)], data))
    return events


def revisions_published(revisions: Iterable[Revision], *, decided: bool = False) -> None:
    """Publish the revisions' events (``revision_events``), one signal per organization."""
    for organization_id, published in revision_events(revisions, decided=decided).items():
        publish(organization_id=organization_id, events=published)


def _failure(error: dict[str, Any] | None) -> dict[str, Any]:
    """A failed job's error as its event tells it: status, SLNG's code, the message."""
    error = error or {}
    return {"status": error.get("status"), "code": error.get("code"), "message": error.get("error")}


def import_job_data(job: ImportJob) -> dict[str, Any]:
    """What an import job's event says: the job, its file, and its outcome in counts (the
    names and the plan are on the job: GET its ``url``)."""
    options, report = job.options or {}, job.report or {}
    data: dict[str, Any] = {
        "job_id": job.public_id,
        "file_name": job.file_name,
        "format": job.file_format,
        "mode": options.get("mode", "merge"),
        "dry_run": bool(options.get("dry_run")),
    }
    if job.state == JobState.SUCCEEDED:
        names = report.get("dictionaries", {})
        data["dictionaries"] = {key: len(names.get(key, [])) for key in _OUTCOMES}
        data["rules"] = report.get("rules", {})
        return data
    errors = len(report.get("errors", [])) + int(report.get("errors_not_listed", 0))
    return {**data, **_failure(job.error), "errors": errors}


def scan_job_data(job: ScanJob) -> dict[str, Any]:
    """What a scan job's event says: the scan, and its summary or its failure."""
    data: dict[str, Any] = {"scan_id": job.public_id}
    if job.state != JobState.SUCCEEDED:
        return {**data, **_failure(job.error)}
    result = job.result or {}
    keys = ("language", "dictionaries", "turns", "summary")
    return {**data, **{key: result.get(key) for key in keys}}


_OUTCOMES = ("created", "changed", "unchanged")


def job_ended(job: ImportJob | ScanJob) -> None:
    """Publish that a background job ended (``import.finished`` or ``import.failed``,
    ``scan.finished`` or ``scan.failed``), once the transaction recording its state commits."""
    succeeded = job.state == JobState.SUCCEEDED
    if isinstance(job, ImportJob):
        type_ = EventType.IMPORT_FINISHED if succeeded else EventType.IMPORT_FAILED
        data = import_job_data(job)
    else:
        type_ = EventType.SCAN_FINISHED if succeeded else EventType.SCAN_FAILED
        data = scan_job_data(job)
    publish(organization_id=job.organization_id, events=[(type_.value, data)])

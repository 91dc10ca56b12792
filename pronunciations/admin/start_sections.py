"""pronunciations on the admin's start page: a box to find a word, the changes waiting for
review, the dictionaries whose checks fail, and the recent changes."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from orgs import permissions, start_page
from orgs.models import Role
from pronunciations import review, selectors
from pronunciations.diff import diff_summary, snapshot_diff
from pronunciations.models import ReviewState

RECENT_CHANGES = 15
WAITING_SHOWN = 5
FAILING_SHOWN = 20


def _rule_count(snapshot: dict[str, Any]) -> int:
    return sum(len(mode.get("rules", [])) for mode in snapshot.get("modes", {}).values())


def _url(page: str, pk: int) -> str:
    return reverse(f"admin:pronunciations_dictionary_{page}", args=[pk])


def find_word(request: HttpRequest) -> dict[str, Any] | None:
    if permissions.organization_ids(request, Role.VIEWER) == []:
        return None
    return {"where_url": reverse("admin:pronunciations_dictionary_where")}


def recent_changes(request: HttpRequest) -> dict[str, Any] | None:
    """The newest revisions of the user's organizations' dictionaries, with what each changed.

    Two queries (the revisions and the ones before them), whatever the number of dictionaries.
    """
    actor = permissions.actor(request)
    if actor.organization_ids(Role.VIEWER) == []:
        return None
    rows = []
    recent = selectors.revision_recent(actor=actor, limit=RECENT_CHANGES)
    for revision, previous in recent:
        dictionary = revision.dictionary
        if previous is None:
            count = _rule_count(revision.snapshot)
            summary = f"created with {count} rule{'' if count == 1 else 's'}"
        else:
            summary = diff_summary(snapshot_diff(previous.snapshot, revision.snapshot))
        live = dictionary.deleted_at is None  # a deleted dictionary's pages answer 404
        rows.append(
            {
                "revision": revision,
                "dictionary": dictionary,
                "summary": summary,
                "change_url": _url("change", dictionary.pk) if live else "",
                "revisions_url": _url("revisions", dictionary.pk) if live else "",
            }
        )
    organizations = {revision.dictionary.organization_id for revision, _ in recent}
    return {"rows": rows, "show_organization": len(organizations) > 1}


def waiting_for_review(request: HttpRequest) -> dict[str, Any] | None:
    """For reviewers and admins: how many changes wait for their review, and the newest.

    Two queries (the newest proposals, their count), whatever the number of dictionaries.
    """
    actor = permissions.actor(request)
    if actor.organization_ids(Role.REVIEWER) == []:
        return None
    revisions, total = selectors.revision_proposed(
        actor=actor, limit=WAITING_SHOWN, minimum=Role.REVIEWER
    )
    rows = [
        {
            "revision": revision,
            "dictionary": revision.dictionary,
            "refusal": review.revision_permissions(
                permissions.actor(request, revision.dictionary.organization_id), revision
            ).reason(ReviewState.APPROVED),
        }
        for revision in revisions
    ]
    return {"rows": rows, "total": total, "review_url": reverse(REVIEW_URL)}


def failing_checks(request: HttpRequest) -> dict[str, Any] | None:
    """Live dictionaries whose current revision fails checks, with the first failure of each.

    Two queries (the dictionaries' current revisions, their count).
    """
    actor = permissions.actor(request)
    if actor.organization_ids(Role.VIEWER) == []:
        return None
    revisions, total = selectors.failing_checks(actor=actor, limit=FAILING_SHOWN)
    rows = [
        {
            "revision": revision,
            "dictionary": revision.dictionary,
            "checks": len(revision.check_results or []),
            "first": next(iter(review.check_failures(revision).values()), [""])[0],
            "change_url": _url("change", revision.dictionary_id),
        }
        for revision in revisions
    ]
    return {"rows": rows, "total": total, "more": total - len(rows)}


REVIEW_URL = "admin:pronunciations_dictionary_review"

SECTIONS = (
    start_page.StartSection(
        "find_word", "admin/pronunciations/start/find_word.html", find_word, 10
    ),
    start_page.StartSection(
        "waiting_for_review",
        "admin/pronunciations/start/waiting_for_review.html",
        waiting_for_review,
        20,
    ),
    start_page.StartSection(
        "failing_checks", "admin/pronunciations/start/failing_checks.html", failing_checks, 30
    ),
    start_page.StartSection(
        "recent_changes", "admin/pronunciations/start/recent_changes.html", recent_changes, 50
    ),
)

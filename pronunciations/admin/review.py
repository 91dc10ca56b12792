"""The Review page: the proposed revisions of the user's organizations, decided by a reviewer.

Mixed into DictionaryAdmin. Every member sees what waits for review (viewers and editors
read-only, with the reason they cannot decide); reviewers and admins approve or reject with a
comment through ``pronunciations.review.revision_decide``, which refuses their own change, a
revision that is no longer proposed (a stale page) and one whose checks fail. Each proposal is
shown against the dictionary's approved revision (what the ``approved`` channel serves), so the
diff is what approving changes; a Listen button per changed rule where an app offers Listen.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from orgs import permissions
from orgs.models import Role
from pronunciations import review, selectors, validation
from pronunciations.admin.extensions import listen_urls
from pronunciations.admin.pages import DictionaryPages
from pronunciations.diff import diff_lines, diff_summary, snapshot_diff
from pronunciations.errors import PronunciationError
from pronunciations.models import Action, Dictionary, ReviewState, Revision

# Proposals listed on one page, newest first (the page says how many more wait).
REVIEW_LIMIT = 50
# At most this many rules of one proposal get a Listen button.
LISTEN_LIMIT = 10


def _listen_texts(diff: dict[str, Any]) -> list[str]:
    """The matches of the rewrite rules a diff adds or changes: what a reviewer wants to hear."""
    rewrite = diff["modes"]["rewrite"]
    texts = [rule["match"] for rule in rewrite["added"]]
    texts += [change["to"]["match"] for change in rewrite["changed"]]
    return texts[:LISTEN_LIMIT]


def _row(
    request: HttpRequest, revision: Revision, approved: Revision | None, listen_url: str
) -> dict[str, Any]:
    dictionary = revision.dictionary
    diff = snapshot_diff(approved.snapshot if approved else {}, revision.snapshot)
    who = permissions.actor(request, dictionary.organization_id)
    allowed = review.revision_permissions(who, revision)
    results = revision.check_results or []
    live = dictionary.deleted_at is None
    return {
        "revision": revision,
        "dictionary": dictionary,
        "approved": approved,
        "deletes": revision.action == Action.DELETE,
        "lines": diff_lines(diff),
        "summary": diff_summary(diff),
        "listen_url": listen_url if revision.action != Action.DELETE else "",
        "listen_texts": _listen_texts(diff),
        "listen_id": f"modes-{dictionary.pk}-{revision.number}",
        "modes": revision.snapshot.get("modes", {}),
        "results": results,
        "passed": sum(1 for result in results if result.get("passed")),
        "approve_refusal": allowed.reason(ReviewState.APPROVED),
        "reject_refusal": allowed.reason(ReviewState.REJECTED),
        "withdraw_refusal": allowed.reason(review.WITHDRAW),
        "change_url": reverse("admin:pronunciations_dictionary_change", args=[dictionary.pk])
        if live
        else "",
        "revisions_url": reverse("admin:pronunciations_dictionary_revisions", args=[dictionary.pk])
        if live
        else "",
    }


def review_rows(
    request: HttpRequest, limit: int = REVIEW_LIMIT
) -> tuple[list[dict[str, Any]], int]:
    """The page's proposals and how many wait in all; a fixed number of queries: the proposals,
    their count, the approved revisions of their dictionaries and the Listen extension's."""
    ids = permissions.organization_ids(request, Role.VIEWER)
    revisions, total = selectors.revision_proposed(organization_ids=ids, limit=limit)
    dictionaries = {revision.dictionary_id: revision.dictionary for revision in revisions}
    approved = selectors.approved_revisions(dictionaries) if dictionaries else {}
    listen = listen_urls(request, list(dictionaries.values()))
    rows = [
        _row(
            request,
            revision,
            approved.get(revision.dictionary_id),
            listen.get(revision.dictionary_id, ""),
        )
        for revision in revisions
    ]
    return rows, total


def _int(request: HttpRequest, name: str) -> int:
    try:
        return validation.validate_int_parameter(
            request.POST.get(name, ""), name=name, low=1, high=2**63 - 1
        )
    except ValidationError as exc:
        raise BadRequest(f"{name}: {' '.join(exc.message_dict[name])}") from exc


def review_context(request: HttpRequest) -> dict[str, Any]:
    """The Review page's context: the proposals, how many wait, and whether the user decides."""
    rows, total = review_rows(request)
    organizations = {row["dictionary"].organization_id for row in rows}
    return {
        "rows": rows,
        "total": total,
        "more": total - len(rows),
        "read_only": permissions.organization_ids(request, Role.REVIEWER) == [],
        "show_organization": len(organizations) > 1,
        "decide_url": reverse("admin:pronunciations_dictionary_review_decide"),
    }


def _posted(request: HttpRequest) -> tuple[Dictionary, int, str]:
    """The dictionary (among the user's organizations'), revision number and action posted."""
    ids = permissions.organization_ids(request, Role.VIEWER)
    scope = Dictionary.objects.select_related("organization")
    scope = scope if ids is None else scope.filter(organization_id__in=ids)
    pk, number = _int(request, "dictionary"), _int(request, "number")
    action = request.POST.get("decision", "")
    if action not in (*review.DECISIONS, review.WITHDRAW):
        raise BadRequest("decision: must be approved, rejected or withdraw")
    return get_object_or_404(scope, pk=pk), number, action


_DONE = {
    ReviewState.APPROVED: "Approved",
    ReviewState.REJECTED: "Rejected",
    review.WITHDRAW: "Withdrew",
}


def decide(request: HttpRequest) -> tuple[int, str]:
    """Carry out the posted decision through the review services: the message saying what
    happened, or why it was refused."""
    dictionary, number, action = _posted(request)
    try:
        review.revision_act(
            organization=dictionary.organization,
            dictionary=dictionary,
            number=number,
            actor=permissions.actor(request, dictionary.organization_id),
            action=action,
            comment=request.POST.get("comment", ""),
        )
    except (PronunciationError, ValidationError) as exc:
        return messages.ERROR, refusal_text(exc)
    return messages.SUCCESS, f"{_DONE[action]} revision {number} of {dictionary.name}."


def refusal_text(exc: PronunciationError | ValidationError) -> str:
    """A refusal in words: the message, then each problem (what a failing check expected and
    got; what is wrong with the comment), without field paths."""
    if isinstance(exc, ValidationError):
        problems = [" ".join(ms) for ms in exc.message_dict.values()]
        return "The comment was refused: " + "; ".join(problems) + "."
    details = [" ".join(ms) for ms in exc.field_errors.values()]
    return " ".join([exc.message, *details])


class ReviewAdminMixin(DictionaryPages):
    """The Review page and its decisions; reads dictionaries deleted or not."""

    def get_urls(self) -> list[Any]:
        pages = self.page_urls(
            ("review/", "review", self.review_view),
            ("review/decide/", "review_decide", self.review_decide_view),
        )
        return [*pages, *super().get_urls()]  # type: ignore[misc]

    def review_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_module_permission(request):
            raise PermissionDenied
        return self.render_page(request, "review.html", "Review", review_context(request))

    def review_decide_view(self, request: HttpRequest) -> HttpResponse:
        """Approve, reject or withdraw one revision (the form of one proposal); every refusal
        of the service is a message."""
        if request.method != "POST" or not self.has_module_permission(request):
            raise PermissionDenied
        level, text = decide(request)
        messages.add_message(request, level, text)
        return HttpResponseRedirect(reverse("admin:pronunciations_dictionary_review"))

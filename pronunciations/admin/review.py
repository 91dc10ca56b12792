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
from orgs.actors import Actor
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


def _refusals(request: HttpRequest, revision: Revision) -> tuple[str, str]:
    """Why the user may not approve, and why not reject, this revision ("" when they may):
    the service says the same (``review.revision_decide``); the page says it first."""
    organization = revision.dictionary.organization
    if not permissions.allowed(request, organization.pk, Role.REVIEWER):
        why = f"Deciding needs the reviewer or admin role in {organization.name}."
        return why, why
    if revision.author_ref and revision.author_ref == Actor.for_user(request.user).ref:
        why = "This is your own change: another reviewer must approve or reject it."
        return why, why
    if revision.checks_failed > 0:
        count = revision.checks_failed
        return (
            f"{count} check{'' if count == 1 else 's'} fail: fix them in a new revision "
            "and approve that one.",
            "",
        )
    return "", ""


def _row(
    request: HttpRequest, revision: Revision, approved: Revision | None, listen_url: str
) -> dict[str, Any]:
    dictionary = revision.dictionary
    diff = snapshot_diff(approved.snapshot if approved else {}, revision.snapshot)
    approve_refusal, reject_refusal = _refusals(request, revision)
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
        "approve_refusal": approve_refusal,
        "reject_refusal": reject_refusal,
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
    rows = []
    for revision in revisions:
        base = approved.get(revision.dictionary_id)
        rows.append(_row(request, revision, base, listen.get(revision.dictionary_id, "")))
    older: dict[int, list[int]] = {}
    for row in reversed(rows):  # oldest first: each row learns the older proposals it supersedes
        revision = row["revision"]
        row["supersedes"] = [
            n for n in older.get(revision.dictionary_id, []) if n < revision.number
        ]
        older.setdefault(revision.dictionary_id, []).append(revision.number)
    return rows, total


def _int(request: HttpRequest, name: str) -> int:
    try:
        return validation.validate_int_parameter(
            request.POST.get(name, ""), name=name, low=1, high=2**63 - 1
        )
    except ValidationError as exc:
        raise BadRequest(f"{name}: {' '.join(exc.message_dict[name])}") from exc


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
        rows, total = review_rows(request)
        reviewer_somewhere = permissions.organization_ids(request, Role.REVIEWER) != []
        organizations = {row["dictionary"].organization_id for row in rows}
        context = {
            "rows": rows,
            "total": total,
            "more": total - len(rows),
            "read_only": not reviewer_somewhere,
            "show_organization": len(organizations) > 1,
            "decide_url": reverse("admin:pronunciations_dictionary_review_decide"),
        }
        return self.render_page(request, "review.html", "Review", context)

    def review_decide_view(self, request: HttpRequest) -> HttpResponse:
        """Approve or reject one revision (the form of one proposal); every refusal of the
        service (role, own change, not proposed any more, failing checks) is a message."""
        if request.method != "POST" or not self.has_module_permission(request):
            raise PermissionDenied
        ids = permissions.organization_ids(request, Role.VIEWER)
        scope = Dictionary.objects.select_related("organization")
        scope = scope if ids is None else scope.filter(organization_id__in=ids)
        pk, number = _int(request, "dictionary"), _int(request, "number")
        decision = request.POST.get("decision", "")
        if decision not in review.DECISIONS:
            raise BadRequest("decision: must be approved or rejected")
        dictionary = get_object_or_404(scope, pk=pk)
        role = permissions.role_in(request, dictionary.organization_id)
        try:
            review.revision_decide(
                organization=dictionary.organization,
                dictionary=dictionary,
                number=number,
                reviewer=Actor.for_user(request.user, role),
                decision=decision,
                comment=request.POST.get("comment", ""),
            )
        except (PronunciationError, ValidationError) as exc:
            messages.error(request, refusal_text(exc))
        else:
            verb = "Approved" if decision == ReviewState.APPROVED else "Rejected"
            messages.success(request, f"{verb} revision {number} of {dictionary.name}.")
        return HttpResponseRedirect(reverse("admin:pronunciations_dictionary_review"))

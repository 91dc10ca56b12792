"""The Review page: the proposed revisions of the user's organizations, decided by a reviewer.

Mixed into DictionaryAdmin. Every member sees what waits for review (viewers and editors
read-only, with the reason they cannot decide); reviewers and admins approve or reject with a
comment through ``pronunciations.review.revision_act``, which refuses their own change, a
revision that is no longer proposed (a stale page) and one whose checks fail. Each proposal is
shown against the dictionary's approved revision (what the ``approved`` channel serves), so the
diff is what approving changes; a Listen button per changed rule where an app offers Listen.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from orgs import permissions
from orgs.models import Role
from orgs.scoping import restrict
from pronunciations import check_explain, lint, preview, review, selectors, validation
from pronunciations.admin.extensions import listen_urls
from pronunciations.admin.pages import DictionaryPages
from pronunciations.admin.wording import rule_path
from pronunciations.content import modes_from_wire
from pronunciations.diff import diff_lines, diff_summary, snapshot_diff
from pronunciations.errors import PronunciationError
from pronunciations.models import Action, Dictionary, Mode, ReviewState, Revision
from pronunciations.validation import Modes, RuleSpec

# Proposals listed on one page, newest first (the page says how many more wait).
REVIEW_LIMIT = 50
# At most this many rules of one proposal get a Listen button.
LISTEN_LIMIT = 10


def _listen_texts(diff: dict[str, Any]) -> list[str]:
    """The matches of the rules a diff adds or changes, rewrite and IPA: what a reviewer wants
    to hear (an IPA rule is heard through the target model's markup, sync.speak)."""
    texts: list[str] = []
    for mode in ("rewrite", "ipa"):
        changes = diff["modes"][mode]
        texts += [rule["match"] for rule in changes["added"]]
        texts += [change["to"]["match"] for change in changes["changed"]]
    return list(dict.fromkeys(texts))[:LISTEN_LIMIT]


def _changed_ipa(revision: Revision, approved: Revision | None) -> list[tuple[str, str]]:
    diff = snapshot_diff(approved.snapshot if approved else {}, revision.snapshot)["modes"]["ipa"]
    rules = [*diff["added"], *(change["to"] for change in diff["changed"])]
    return [(rule["match"], rule["ipa"]) for rule in rules]


def _inaudible(
    revisions: list[Revision], approved: dict[int, Revision]
) -> dict[tuple[int, str], str]:
    """What lint's sources say is not audible of the IPA rules each proposal adds or changes,
    by (organization, match): one call per organization, whatever the number of proposals."""
    by_org: dict[int, dict[str, str]] = {}
    for revision in revisions:
        changed = _changed_ipa(revision, approved.get(revision.dictionary_id))
        by_org.setdefault(revision.dictionary.organization_id, {}).update(changed)
    found: dict[tuple[int, str], str] = {}
    for organization_id, rules in by_org.items():
        if not rules:
            continue
        specs = tuple(RuleSpec(match, ipa) for match, ipa in rules.items())
        modes: Modes = {Mode.REWRITE: (), Mode.IPA: specs}
        for warning in lint.source_warnings(modes, organization_id):
            where = rule_path(warning.field)
            if warning.code == "not_audible" and where is not None:
                found[(organization_id, specs[where[1]].match)] = warning.message
    return found


def _row(
    request: HttpRequest,
    revision: Revision,
    approved: Revision | None,
    listen_url: str,
    inaudible: dict[tuple[int, str], str],
) -> dict[str, Any]:
    dictionary = revision.dictionary
    diff = snapshot_diff(approved.snapshot if approved else {}, revision.snapshot)
    who = permissions.actor(request, dictionary.organization_id)
    allowed = review.revision_permissions(who, revision)
    results = revision.check_results or []
    modes = modes_from_wire(revision.snapshot.get("modes", {}))
    explained = check_explain.explain_failures(lambda text: preview.rewrite(modes, text), results)
    live = dictionary.deleted_at is None
    return {
        "revision": revision,
        "dictionary": dictionary,
        "approved": approved,
        "deletes": revision.action == Action.DELETE,
        "lines": diff_lines(diff),
        "summary": diff_summary(diff),
        "listen_url": listen_url if revision.action != Action.DELETE else "",
        "not_audible": [
            f"{match}: {inaudible[(dictionary.organization_id, match)]}"
            for match, _ in _changed_ipa(revision, approved)
            if (dictionary.organization_id, match) in inaudible
        ],
        "listen_texts": _listen_texts(diff),
        "listen_id": f"modes-{dictionary.pk}-{revision.number}",
        "modes": revision.snapshot.get("modes", {}),
        "results": [
            {**result, "explained": why} for result, why in zip(results, explained, strict=True)
        ],
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
    revisions, total = selectors.revision_proposed(actor=permissions.actor(request), limit=limit)
    dictionaries = {revision.dictionary_id: revision.dictionary for revision in revisions}
    approved = selectors.approved_revisions(dictionaries) if dictionaries else {}
    listen = listen_urls(request, list(dictionaries.values()))
    inaudible = _inaudible(list(revisions), approved)
    rows = [
        _row(
            request,
            revision,
            approved.get(revision.dictionary_id),
            listen.get(revision.dictionary_id, ""),
            inaudible,
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
        "state_url": reverse("admin:pronunciations_dictionary_review_state"),
    }


def waiting_state(request: HttpRequest) -> dict[str, Any]:
    """The proposals that wait now (``"<dictionary pk>-<number>"``, as the page's ids) and how
    many wait in all: two queries."""
    actor = permissions.actor(request)
    revisions, total = selectors.revision_proposed(actor=actor, limit=REVIEW_LIMIT)
    return {"total": total, "waiting": [f"{r.dictionary_id}-{r.number}" for r in revisions]}


def _posted(request: HttpRequest) -> tuple[Dictionary, int, str]:
    """The dictionary (among the user's organizations'), revision number and action posted."""
    scope = restrict(Dictionary, permissions.actor(request)).select_related("organization")
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
            ("review/state/", "review_state", self.review_state_view),
        )
        return [*pages, *super().get_urls()]  # type: ignore[misc]

    def review_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_module_permission(request):
            raise PermissionDenied
        return self.render_page(request, "review.html", "Review", review_context(request))

    def review_state_view(self, request: HttpRequest) -> JsonResponse:
        """What waits now, for an open Review page to follow decisions made elsewhere."""
        if not self.has_module_permission(request):
            raise PermissionDenied
        return JsonResponse(waiting_state(request))

    def review_decide_view(self, request: HttpRequest) -> HttpResponse:
        """Approve, reject or withdraw one revision (the form of one proposal); every refusal
        of the service is a message."""
        if request.method != "POST" or not self.has_module_permission(request):
            raise PermissionDenied
        level, text = decide(request)
        messages.add_message(request, level, text)
        return HttpResponseRedirect(reverse("admin:pronunciations_dictionary_review"))

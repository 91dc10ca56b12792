"""What the admin says after a save, a restore or an import: what was written, and whether it
is only proposed (waiting for review) or its checks fail, in the linguist's words."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from orgs.actors import Actor
from orgs.models import Organization
from orgs.scoping import restrict
from pronunciations.models import Dictionary, ReviewState, Revision

# Reads keyed by rows this page already scoped to the user (the page checks the role).
OUTCOMES = Actor.system("review outcome")

PROPOSED = "proposed — waits for review"


def proposal_note(revision: Revision) -> str:
    """ " Proposed — waits for review: …" for a revision that waits for a reviewer, else ""."""
    if revision.review_state != ReviewState.PROPOSED:
        return ""
    return (
        f" {PROPOSED.capitalize()}: a reviewer approves it before it reaches production (the "
        "approved channel)."
    )


def import_note(organization_id: object) -> str:
    """The same note for an import into an organization that requires review, else ""."""
    if not str(organization_id or "").isdigit():
        return ""
    reviewed = restrict(Organization, OUTCOMES).filter(
        pk=int(str(organization_id)), review_required=True
    )
    if not reviewed.exists():
        return ""
    return (
        f" Every change is {PROPOSED}: a reviewer approves it before it reaches production "
        "(the approved channel)."
    )


def written_note(dictionary: Dictionary, before: int) -> str:
    """The note after an import wrote into ``dictionary`` (``before``: its revision before):
    ``proposal_note`` of the revision it wrote, "" when it wrote none."""
    dictionary.refresh_from_db(fields=["revision"])
    if dictionary.revision == before:
        return ""
    return proposal_note(dictionary.revisions.get(number=dictionary.revision))


def _failing(revision: Revision) -> str:
    failed, total = revision.checks_failed, len(revision.check_results or [])
    first = next(r for r in revision.check_results if not r.get("passed"))
    count = "Its check fails" if total == 1 else f"{failed} of its {total} checks fail"
    return (
        f" {count}, so it cannot be approved: “{first.get('text', '')}” should read "
        f"“{first.get('expect', '')}” but reads “{first.get('got', '')}”."
    )


def saved(dictionary: Dictionary, before: int | None) -> tuple[int, str]:
    """The message level and text after the change page saved ``dictionary`` (``before``: its
    revision before the save, None when it was created)."""
    if before is not None and dictionary.revision == before:
        return messages.INFO, f"Nothing changed: {dictionary.name} stays at revision {before}."
    revision = dictionary.revisions.get(number=dictionary.revision)
    verb = "Created" if before is None else "Saved"
    text = f"{verb} {dictionary.name} as revision {revision.number}."
    text += proposal_note(revision)
    if revision.checks_failed > 0:
        return messages.WARNING, text + _failing(revision)
    return messages.SUCCESS, text


def remember(request: HttpRequest, dictionary: Dictionary, before: int | None) -> None:
    """Note the dictionary the change page saved (as the service answered it) and its revision
    before, for ``SaveMessages``."""
    request._lexicon_saved = (dictionary, before)  # type: ignore[attr-defined]


class SaveMessages:
    """Mixed into the dictionary admin: after a save, the message says what was written
    (``saved``: proposed, failing checks, nothing changed) instead of Django's "changed
    successfully"."""

    def message_user(self, request: HttpRequest, message: Any, *args: Any, **kwargs: Any) -> None:
        remembered = getattr(request, "_lexicon_saved", None)
        level = args[0] if args else kwargs.pop("level", messages.INFO)
        if remembered is not None and level == messages.SUCCESS:
            level, message = saved(*remembered)
        super().message_user(request, message, level, *args[1:], **kwargs)  # type: ignore[misc]

"""sync on the admin's start page: the syncs that failed, with where to act on each."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from orgs import permissions, start_page
from orgs.models import Role
from sync.failures import explain
from sync.selectors import sync_failures

FAILED_SYNCS = 20


def failed_syncs(request: HttpRequest) -> dict[str, Any] | None:
    """The user's organizations' failed syncs; one query, whatever the number of targets."""
    actor = permissions.actor(request)
    if actor.organization_ids(Role.VIEWER) == []:
        return None
    states = sync_failures(actor=actor, limit=FAILED_SYNCS + 1)
    rows = [
        {
            "state": state,
            "dictionary_url": reverse(
                "admin:pronunciations_dictionary_change", args=[state.dictionary_id]
            ),
            "target_url": reverse("admin:sync_synctarget_change", args=[state.target_id])
            if permissions.allowed(request, state.target.organization_id, Role.ADMIN)
            else "",
            "why": explain(state.last_error_code),
        }
        for state in states[:FAILED_SYNCS]
    ]
    return {"rows": rows, "more": len(states) > FAILED_SYNCS, "limit": FAILED_SYNCS}


SECTION = start_page.StartSection(
    "failed_syncs", "sync/admin/start_failed_syncs.html", failed_syncs, order=40
)

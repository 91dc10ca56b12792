"""A sync run's page, read-only: what one run of a target did, linked from the sync panel.

Runs are listed on their target's page; this page only answers the panel's "run N" links, so
it is left out of the admin's index.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from orgs.admin import OrgScopedAdmin
from orgs.models import Role
from sync.admin.targets import RUN_COUNTS
from sync.failures import explain_run
from sync.models import RunStatus, SyncRun

RUN_FIELDS = (
    "public_id",
    "target",
    "trigger",
    "status",
    "what_happened",
    "started_at",
    "finished_at",
    "duration_ms",
    *RUN_COUNTS,
    "http_calls",
    "error",
)


@admin.register(SyncRun)
class SyncRunAdmin(OrgScopedAdmin):
    org_field = "target__organization"
    view_role = Role.VIEWER
    fields = readonly_fields = RUN_FIELDS
    list_display = ["__str__", "trigger", "status", "started_at", "finished_at"]
    list_select_related = ["target__organization"]

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        return {}  # reached from the sync panel's links, not listed in the index

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="what happened")
    def what_happened(self, obj: SyncRun) -> str:
        if obj.status == RunStatus.SUPERSEDED:
            return "Not run: a later run of the target did this run's work."
        if obj.finished_at is None:
            return "Waiting for a sync worker." if obj.status == RunStatus.QUEUED else "Running."
        if obj.error:
            why = explain_run(obj.error)
            return f"{why.what} {why.todo}"
        if obj.failed:
            return f"{obj.failed} dictionaries failed: their sync panels say why."
        return (
            "Every dictionary was checked: pushed and verified where it had changed, left "
            "alone where SLNG already held it."
        )

"""Sync's writes: targets and their schedules, runs as they go, and the push-and-verify run.

``targets`` stores a target with its key bound to its URLs; ``schedules`` keeps its periodic
sweep in step; ``runs`` records a run from queued to finished; ``push`` runs one sync of a
target (plan, push, verify); the pure plan (``sync.plans``) is re-exported with them. The
submodules import one another by their own names, never this package, so re-exporting them
here makes no import cycle.
"""

from sync.plans import (
    Action,
    PlanItem,
    Progress,
    plan,
    same_content,
    sync_plan,
    untouched,
    upstream_by_key,
    winners,
)
from sync.runner import verification_text
from sync.services.push import TargetBusy, client_for, target_plan, target_run
from sync.services.schedules import RUN_TASK, schedule_args, schedule_name, target_schedule
from sync.services.targets import (
    target_api_key,
    target_create,
    target_key_usable,
    target_update,
)

__all__ = [
    "RUN_TASK",
    "Action",
    "PlanItem",
    "Progress",
    "TargetBusy",
    "client_for",
    "plan",
    "same_content",
    "schedule_args",
    "schedule_name",
    "sync_plan",
    "target_api_key",
    "target_create",
    "target_key_usable",
    "target_plan",
    "target_run",
    "target_schedule",
    "target_update",
    "untouched",
    "upstream_by_key",
    "verification_text",
    "winners",
]

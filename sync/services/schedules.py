"""Each sync target's periodic sweep: a django-celery-beat task kept in step with the target."""

import json
from typing import Any

from django_celery_beat.models import IntervalSchedule, PeriodicTask

from sync.models import SyncTarget

RUN_TASK = "sync.run_target"


def schedule_name(target: SyncTarget) -> str:
    return f"sync {target.public_id}"


def schedule_args(target: SyncTarget) -> str:
    """The task arguments of the target's schedule: public ids, its organization among them."""
    return json.dumps([target.public_id, target.organization.public_id, "schedule"])


def target_schedule(target: SyncTarget) -> PeriodicTask:
    """Create or reset the target's periodic sweep (a django-celery-beat task).

    What the task runs (task, arguments, routing) is always rewritten from the target. When it
    runs follows the target's ``interval_seconds``, unless an admin gave the schedule a crontab,
    solar or clocked schedule, which is kept.
    """
    stored = PeriodicTask.objects.filter(name=schedule_name(target)).first()
    when: dict[str, Any] = {}
    if stored is None or not (stored.crontab_id or stored.solar_id or stored.clocked_id):
        when["interval"], _ = IntervalSchedule.objects.get_or_create(
            every=target.interval_seconds, period=IntervalSchedule.SECONDS
        )
    task, _ = PeriodicTask.objects.update_or_create(
        name=schedule_name(target),
        defaults={
            "task": RUN_TASK,
            "args": schedule_args(target),
            "kwargs": "{}",
            "queue": None,
            "exchange": None,
            "routing_key": None,
            "headers": "{}",
            "priority": None,
            "enabled": target.enabled,
            **when,
        },
    )
    return task

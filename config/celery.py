"""The Celery application: tasks come from the Django apps, settings from CELERY_* in Django."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_prerun

from orgs.request_id import bind_task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("lexicon")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def bind_request_id(task: Any = None, task_id: str = "", **_: Any) -> None:
    """Task logs carry the request id of the request that queued the task (or the task's id)."""
    bind_task(getattr(task, "request", None), task_id)

"""The Celery application: tasks come from the Django apps, settings from CELERY_* in Django."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_prerun, worker_init, worker_process_shutdown
from kombu.transport import TRANSPORT_ALIASES

from orgs.request_id import bind_task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

# A filesystem:// broker (the local run's) writes each message whole (config/file_broker.py).
TRANSPORT_ALIASES["filesystem"] = "config.file_broker:Transport"

app = Celery("lexicon")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def bind_request_id(task: Any = None, task_id: str = "", **_: Any) -> None:
    """Task logs carry the request id of the request that queued the task (or the task's id)."""
    bind_task(getattr(task, "request", None), task_id)


@worker_init.connect
def serve_worker_metrics(**_: Any) -> None:
    """A worker serves its pool's counters when LEXICON_METRICS_WORKER_PORT is set."""
    from config.metrics.exporter import start_exporter

    start_exporter()


@worker_process_shutdown.connect
def forget_pool_process(pid: int | None = None, **_: Any) -> None:
    """A pool process that exits leaves its counters in the sums and drops its live gauges."""
    from django.conf import settings

    from config.metrics.directory import process_exited

    process_exited(settings.LEXICON_METRICS_DIR, pid or os.getpid())

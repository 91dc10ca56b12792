"""Gauges computed when Prometheus scrapes the web: sync backlogs, import jobs, queue depth.

They read the database and the broker, so they are the same whichever process answers; they
are served by the web's ``/metrics`` only (the workers export their own counters). A source
that cannot be read leaves its gauges out and reports 0 in ``lexicon_metrics_source_up``.
"""

import logging
from collections.abc import Iterator

from django.db import DatabaseError
from django.utils import timezone
from kombu.exceptions import ChannelError
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from config.celery import app
from orgs.actors import Actor
from pronunciations.transfer.jobs import import_job_counts
from sync.selectors import target_backlogs

logger = logging.getLogger(__name__)
TARGET_LABELS = ["organization", "target", "target_name"]
# The operator reads every organization's backlog (the scrape has no user).
OPERATOR = Actor.system("metrics scrape")


def _sync_families() -> list[Metric]:
    pending = GaugeMetricFamily(
        "lexicon_sync_dictionaries_pending",
        "Live dictionaries changed since their last push to the target (or never pushed).",
        labels=TARGET_LABELS,
    )
    failed = GaugeMetricFamily(
        "lexicon_sync_dictionaries_failed",
        "Live dictionaries whose last push or verification at the target failed.",
        labels=TARGET_LABELS,
    )
    age = GaugeMetricFamily(
        "lexicon_sync_oldest_pending_age_seconds",
        "Age of the oldest change still pending at the target (0 when nothing is pending).",
        labels=TARGET_LABELS,
    )
    interval = GaugeMetricFamily(
        "lexicon_sync_target_interval_seconds",
        "The target's schedule: seconds between two scheduled runs.",
        labels=TARGET_LABELS,
    )
    now = timezone.now()
    for backlog in target_backlogs(actor=OPERATOR):
        target = backlog.target
        labels = [target.organization.slug, target.public_id, target.name]
        oldest = backlog.oldest_pending_at
        pending.add_metric(labels, backlog.pending)
        failed.add_metric(labels, backlog.failed)
        age.add_metric(labels, (now - oldest).total_seconds() if oldest else 0)
        interval.add_metric(labels, target.interval_seconds)
    return [pending, failed, age, interval]


def _one_label(name: str, documentation: str, label: str, values: dict[str, int]) -> Metric:
    gauge = GaugeMetricFamily(name, documentation, labels=[label])
    for key, count in values.items():
        gauge.add_metric([key], count)
    return gauge


def queue_depths() -> dict[str, int]:
    """Messages waiting in the broker for each of the app's queues.

    Tasks with a countdown that a worker has already taken (Redis hands them out at once and
    the worker holds them) are not counted: they are not waiting for a worker.
    """
    depths = {}
    with app.connection_for_write() as connection:  # the broker readyz checks
        connection.ensure_connection(max_retries=1, timeout=2)
        for name in sorted(app.amqp.queues):
            channel = connection.channel()
            try:
                depths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except ChannelError:  # Redis drops an empty queue's key: nothing is waiting
                depths[name] = 0
            finally:
                channel.close()
    return depths


class ScrapeCollector(Collector):
    """The database's and the broker's gauges, read once per scrape."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "lexicon_metrics_source_up",
            "1 when the scrape could read the source (database, broker), else 0.",
            labels=["source"],
        )
        try:
            jobs = _one_label(
                "lexicon_import_jobs",
                "Background import jobs by state.",
                "state",
                import_job_counts(),
            )
            families = [*_sync_families(), jobs]
        except DatabaseError as exc:
            logger.warning("metrics: database unreadable: %s", type(exc).__name__)
            up.add_metric(["database"], 0)
        else:
            up.add_metric(["database"], 1)
            yield from families
        try:
            queues = _one_label(
                "lexicon_celery_queue_depth",
                "Celery messages waiting in the broker.",
                "queue",
                queue_depths(),
            )
        except Exception as exc:  # kombu raises several types for an unreachable broker
            logger.warning("metrics: broker unreadable: %s", type(exc).__name__)
            up.add_metric(["broker"], 0)
        else:
            up.add_metric(["broker"], 1)
            yield queues
        yield up

"""Prometheus metrics: request counters, scrape-time gauges, ``/metrics`` and the worker exporter.

- ``middleware``: counts every request by route name, method and status, and answers
  ``/metrics`` on the web process;
- ``collectors``: gauges computed from the database and the broker at scrape time;
- ``exposition``: the registry a scrape reads, and who may read it (LEXICON_METRICS_TOKEN);
- ``exporter``: a Celery worker's own ``/metrics`` (LEXICON_METRICS_WORKER_PORT);
- ``directory``: the multiprocess directory each gunicorn and each worker writes its files to.

Sync's counters live in ``sync.metrics`` (apps do not import config).
"""

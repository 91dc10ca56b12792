"""gunicorn settings for the web service (``gunicorn -c config/gunicorn.py config.wsgi``).

Synchronous workers, behind a buffering proxy, gave the lowest tail latency in bench/load.py;
``GUNICORN_WORKER_CLASS=gthread`` with ``GUNICORN_THREADS=4`` keeps client connections alive
instead. Each worker (or thread) keeps its database connection (``DATABASE_CONN_MAX_AGE``).
Every value can be overridden from the environment; command-line flags override this file.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))  # above 1, gunicorn runs gthread
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None

"""gunicorn settings for the web service (``gunicorn -c config/gunicorn.py config.wsgi``).

Threaded workers keep client connections alive and overlap database waits; each thread keeps its
own database connection (``DATABASE_CONN_MAX_AGE``). Every value can be overridden from the
environment, and command-line flags override this file.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None

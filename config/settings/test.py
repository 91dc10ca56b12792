"""Test settings: real PostgreSQL (DATABASE_URL or the local server), fast password hashing."""

import os
from urllib.parse import urlsplit, urlunsplit

from config.env import parse_database_url
from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR

DATABASES = {
    "default": parse_database_url(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"), BASE_DIR
    )
}
if DATABASES["default"]["ENGINE"] == "config.postgresql":
    # Between transactional tests, flush deletes rows rather than truncating every table.
    DATABASES["default"]["ENGINE"] = "config.postgresql.testing"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False

# pytest-xdist runs the tests in worker processes gw0, gw1, ...: each has its own test database
# (pytest-django's suffix) and, below, its own Redis databases.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_WORKER_INDEX = int(_XDIST_WORKER.removeprefix("gw") or 0)


def worker_redis_url(url: str, offset: int) -> str:
    """``url``'s Redis database moved by ``offset`` (of the 16 a Redis server has by default);
    a URL of another broker is kept."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("redis"):
        return url
    database = (int(parts.path.strip("/") or 0) + offset) % 16
    return urlunsplit(parts._replace(path=f"/{database}"))


# Celery talks to the local Redis (a database of its own) in tests that run a real worker. Worker
# gwN takes the database 2N after the given one and the rate-limit tests' cache the next one, so
# parallel workers never share a queue (``purge`` empties only its own) or a count. The
# subprocesses the tests start (Celery, the local run) inherit PYTEST_XDIST_WORKER and agree.
CELERY_BROKER_URL = worker_redis_url(
    os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"), 2 * _WORKER_INDEX
)
# The Redis cache of tests/hostile/test_rate_limits.py (flushed around each of its tests).
LEXICON_TEST_CACHE_URL = os.environ.get("LEXICON_TEST_CACHE_URL") or (
    worker_redis_url(CELERY_BROKER_URL, 1) if _XDIST_WORKER else "redis://127.0.0.1:6379/13"
)
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# Sync retries and pauses are shortened so fault tests take milliseconds, not minutes.
LEXICON_SLNG_TIMEOUT_SECONDS = 5.0
LEXICON_SLNG_RETRY_BASE_SECONDS = 0.01
LEXICON_SLNG_RETRY_CAP_SECONDS = 0.05
LEXICON_SLNG_RETRY_DEADLINE_SECONDS = 3.0
LEXICON_SYNC_VERIFY_RETRY_DELAY_SECONDS = 0.3
LEXICON_SYNC_DEBOUNCE_SECONDS = 0
# Webhook retries in tens of milliseconds, and an endpoint paused after a few failures.
LEXICON_WEBHOOK_RETRY_BASE_SECONDS = 0.05
LEXICON_WEBHOOK_RETRY_CAP_SECONDS = 0.2
LEXICON_WEBHOOK_MAX_ATTEMPTS = 4
LEXICON_WEBHOOK_PAUSE_AFTER = 6
# Targets in tests point at the emulator on loopback (sync.reach refuses other inside hosts).
LEXICON_PRIVATE_TARGETS = ["127.0.0.1"]

"""Test settings: real PostgreSQL (DATABASE_URL or the local server), fast password hashing."""

import os

from config.env import parse_database_url
from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR

DATABASES = {
    "default": parse_database_url(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"), BASE_DIR
    )
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False

# Celery talks to the local Redis (a database of its own) in tests that run a real worker.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
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

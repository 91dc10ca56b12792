"""Settings of the background work: Celery and its queues, sync to SLNG, Listen, imports and
webhooks, read from the environment with defaults for the embedded local run (imported by base)."""

from pathlib import Path

from kombu import Queue

from config.env import env_bool, env_int, env_list, env_str
from config.settings.paths import BASE_DIR, LEXICON_VAR_DIR

# Celery. The local run uses a file broker under var/ (no server needed); tests and production
# set CELERY_BROKER_URL to Redis. Outcomes live in SyncState/SyncRun rows, not a result backend.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
_BROKER_DIR = Path(LEXICON_VAR_DIR or BASE_DIR / "var") / "celery-broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = (
    {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "control_folder": str(_BROKER_DIR / "control"),
        # How often an idle worker lists the folder (kombu's default is every second).
        "polling_interval": 0.2,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
)
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 3)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Fair queues (issue 22): imports, sync, webhook deliveries and anything else each have a queue,
# so a burst of one kind (or a slow webhook endpoint) never delays another; compose runs a worker
# per queue (docs: operations). A worker started without -Q consumes them all (the local run and
# the tests name them anyway).
LEXICON_QUEUES = ("default", "imports", "sync", "webhooks")
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in LEXICON_QUEUES]
CELERY_TASK_ROUTES = {
    "pronunciations.run_import": {"queue": "imports", "routing_key": "imports"},
    "sync.*": {"queue": "sync", "routing_key": "sync"},
    "webhooks.*": {"queue": "webhooks", "routing_key": "webhooks"},
}
CELERY_TIMEZONE = "UTC"

# Sync to SLNG.
# Fernet key that encrypts SLNG API keys at rest. Unset (local runs only), one is derived from
# DJANGO_SECRET_KEY; production requires it.
LEXICON_ENCRYPTION_KEY = env_str("LEXICON_ENCRYPTION_KEY", "")
# Hosts a sync target may reach although they are loopback, private, link-local or reserved
# (sync.reach): comma-separated, "host" or "host:port", matched as written in the target's URL
# ("127.0.0.1" lets http://127.0.0.1:8765 through, not http://localhost:8765). Empty: public
# hosts only. The local run (.ci/serve) and the tests list the emulator's host.
LEXICON_PRIVATE_TARGETS = env_list("LEXICON_PRIVATE_TARGETS", [])
# Targets must use https and wss (hosts listed above excepted); production turns it on.
LEXICON_TARGETS_REQUIRE_TLS = env_bool("LEXICON_TARGETS_REQUIRE_TLS", False)
LEXICON_SLNG_TIMEOUT_SECONDS = float(env_str("LEXICON_SLNG_TIMEOUT_SECONDS", "10"))
LEXICON_SLNG_RETRY_BASE_SECONDS = float(env_str("LEXICON_SLNG_RETRY_BASE_SECONDS", "1"))
LEXICON_SLNG_RETRY_CAP_SECONDS = float(env_str("LEXICON_SLNG_RETRY_CAP_SECONDS", "30"))
LEXICON_SLNG_RETRY_DEADLINE_SECONDS = float(env_str("LEXICON_SLNG_RETRY_DEADLINE_SECONDS", "120"))
# A run holds its target's lease this long past its last progress; a killed run's lease expires.
LEXICON_SYNC_LEASE_SECONDS = env_int("LEXICON_SYNC_LEASE_SECONDS", 300)
LEXICON_SYNC_DEBOUNCE_SECONDS = env_int("LEXICON_SYNC_DEBOUNCE_SECONDS", 2)
LEXICON_SYNC_INTERVAL_SECONDS = env_int("LEXICON_SYNC_INTERVAL_SECONDS", 300)
# After a pronunciation_not_found verification, the dictionary is pushed once more and verified
# again after this pause (SLNG may need a moment before TTS sees a new dictionary).
LEXICON_SYNC_VERIFY_RETRY_DELAY_SECONDS = float(
    env_str("LEXICON_SYNC_VERIFY_RETRY_DELAY_SECONDS", "2")
)
# A run that finds its target busy retries after this many seconds (up to 120 times); the
# target's schedule catches anything left after that.
LEXICON_SYNC_BUSY_RETRY_SECONDS = env_int("LEXICON_SYNC_BUSY_RETRY_SECONDS", 5)
# Listen (POST …/speak): the longest text spoken, how long the target's TTS may take for both
# clips together before the answer is 503, Listen calls per API key (or admin user), how long
# an answer stays cached (0: not cached) and the most audio bytes one clip may have.
LEXICON_SPEAK_MAX_CHARS = env_int("LEXICON_SPEAK_MAX_CHARS", 500)
LEXICON_SPEAK_TIMEOUT_SECONDS = float(env_str("LEXICON_SPEAK_TIMEOUT_SECONDS", "8"))
LEXICON_SPEAK_RATE_LIMIT = env_str("LEXICON_SPEAK_RATE_LIMIT", "30/min")
LEXICON_SPEAK_CACHE_SECONDS = env_int("LEXICON_SPEAK_CACHE_SECONDS", 3600)
LEXICON_SPEAK_MAX_AUDIO_BYTES = env_int("LEXICON_SPEAK_MAX_AUDIO_BYTES", 4 * 1024 * 1024)
# Listen calls waiting on a TTS at once (sync.speak_slots); beyond, 429 rate_limit with
# Retry-After at once. Per web process; across every web process sharing the cache (keep it
# below the number of web workers, so a TTS that never answers cannot hold them all); and per
# organization across them.
LEXICON_SPEAK_PROCESS_SLOTS = env_int("LEXICON_SPEAK_PROCESS_SLOTS", 1)
LEXICON_SPEAK_SLOTS = env_int("LEXICON_SPEAK_SLOTS", 1)
LEXICON_SPEAK_ORGANIZATION_SLOTS = env_int("LEXICON_SPEAK_ORGANIZATION_SLOTS", 1)
# Webhooks (webhooks.sending): each POST's timeout, attempts of one delivery (exponential
# backoff from the base, capped), and failed attempts in a row after which an endpoint pauses.
LEXICON_WEBHOOK_TIMEOUT_SECONDS = float(env_str("LEXICON_WEBHOOK_TIMEOUT_SECONDS", "5"))
LEXICON_WEBHOOK_MAX_ATTEMPTS = env_int("LEXICON_WEBHOOK_MAX_ATTEMPTS", 8)
LEXICON_WEBHOOK_RETRY_BASE_SECONDS = float(env_str("LEXICON_WEBHOOK_RETRY_BASE_SECONDS", "30"))
LEXICON_WEBHOOK_RETRY_CAP_SECONDS = float(env_str("LEXICON_WEBHOOK_RETRY_CAP_SECONDS", "21600"))
LEXICON_WEBHOOK_PAUSE_AFTER = env_int("LEXICON_WEBHOOK_PAUSE_AFTER", 20)
# Largest import file accepted (413 beyond it).
LEXICON_MAX_UPLOAD_BYTES = env_int("LEXICON_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Bounds checked before and while any import file is parsed (pronunciations.uploads), 413
# beyond: what the parts of an XLSX that are read may inflate to, data rows, cells and columns.
LEXICON_MAX_INFLATED_BYTES = env_int("LEXICON_MAX_INFLATED_BYTES", 256 * 1024 * 1024)
LEXICON_MAX_IMPORT_ROWS = env_int("LEXICON_MAX_IMPORT_ROWS", 1_000_000)
LEXICON_MAX_IMPORT_CELLS = env_int("LEXICON_MAX_IMPORT_CELLS", 8_000_000)
LEXICON_MAX_IMPORT_COLUMNS = env_int("LEXICON_MAX_IMPORT_COLUMNS", 1024)
# An import whose file (for XLSX, its inflated sheet and strings) is larger than this runs as a
# background job (202 and a job URL); so does one the client asks for. Smaller ones answer at once.
LEXICON_IMPORT_SYNC_MAX_BYTES = env_int("LEXICON_IMPORT_SYNC_MAX_BYTES", 1024 * 1024)
# An import is planned and written a batch of whole dictionaries at a time, about this many rows
# (one COPY of their rules): its memory grows with this and the largest dictionary, not the file.
LEXICON_IMPORT_BATCH_ROWS = env_int("LEXICON_IMPORT_BATCH_ROWS", 5000)
# A running import job that has not reported progress for this long is dead (its worker was
# killed or lost): it is shown as failed, and a redelivered task does not run it again. The
# import task's time limit is derived from it (30 s less), so a live job is never taken for dead.
# How long the admin's import page keeps a file that was refused, for submitting it again.
LEXICON_IMPORT_KEEP_SECONDS = env_int("LEXICON_IMPORT_KEEP_SECONDS", 3600)
LEXICON_IMPORT_JOB_STALE_SECONDS = env_int("LEXICON_IMPORT_JOB_STALE_SECONDS", 600)
# Import jobs of one organization that run at once (issue 22): the others wait in the order they
# were queued, re-checking every LEXICON_IMPORT_WAIT_SECONDS, so one organization's burst never
# takes every worker slot of the imports queue from the others.
LEXICON_IMPORT_SLOTS_PER_ORGANIZATION = env_int("LEXICON_IMPORT_SLOTS_PER_ORGANIZATION", 1)
LEXICON_IMPORT_WAIT_SECONDS = float(env_str("LEXICON_IMPORT_WAIT_SECONDS", "2"))
# Errors and warnings listed in an import report; the rest are counted in one line.
LEXICON_MAX_REPORT_ITEMS = env_int("LEXICON_MAX_REPORT_ITEMS", 1000)

"""Base settings, read from the environment, with defaults for the embedded local run."""

from datetime import timedelta

from csp.constants import NONCE

from config.env import EnvError, env_bool, env_database, env_int, env_list, env_str
from config.logging import install_record_factory
from config.settings.paths import BASE_DIR

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-local-only-key-change-me-in-production")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "config.admin.AdminConfig",  # django.contrib.admin with the Lexicon site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "import_export",
    "csp",
    "axes",
    "corsheaders",
    "orgs",
    "pronunciations",
    "sync",
    "webhooks",
]

MIDDLEWARE = [
    "config.middleware.RequestIdMiddleware",
    # Counts and times every request, and answers /metrics (config/metrics).
    "config.metrics.middleware.MetricsMiddleware",
    # /healthz and /readyz, answered before host validation (probes use the process's address).
    "config.health.HealthMiddleware",
    # CORS (django-cors-headers) for /v1/ only, off unless LEXICON_CORS_ALLOWED_ORIGINS names
    # origins; it answers a preflight itself, before authentication.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Request line, header and body bounds, and clean path/query parameters, before any view.
    "config.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every answer (django-csp; CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # The admin login's lockout page (django-axes); last, as axes asks.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (issue 22): scripts only from this server, or inline with the
# request's nonce ({{ request.csp_nonce }}: the ReDoc page); nothing fetched from elsewhere.
# Styles may be inline (the admin's widgets and ReDoc set style attributes); ReDoc runs a worker
# from a blob, and Listen plays data: audio.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'", "data:", "blob:"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The admin login is throttled by django-axes: LEXICON_LOGIN_FAILURE_LIMIT failed sign-ins of
# one username from one address lock that pair (only that pair: other users, and the same user
# elsewhere, are unaffected) for LEXICON_LOGIN_COOLOFF_SECONDS; a success resets the count. The
# address is the one the API's failure limit counts (LEXICON_TRUSTED_PROXIES). Unlock at once
# with `manage.py axes_reset_username <user>` (or axes_reset_ip, axes_reset_ip_username, and
# axes_reset for everyone).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LEXICON_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(seconds=env_int("LEXICON_LOGIN_COOLOFF_SECONDS", 900))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "orgs.throttling.client_ip"
AXES_LOCKOUT_TEMPLATE = "admin/login_locked.html"
AXES_ENABLE_ADMIN = False  # attempts are managed with the commands above
AXES_VERBOSE = False

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", "sqlite:///db.sqlite3", BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Largest request body (413 beyond it, on every path, whatever the content type); upload views
# take LEXICON_MAX_UPLOAD_BYTES instead. config.middleware.RequestLimitsMiddleware checks the
# declared length before anything reads the body; the API's JSON parser checks the bytes read.
LEXICON_MAX_REQUEST_BYTES = env_int("LEXICON_MAX_REQUEST_BYTES", 1024 * 1024)
# Django's own bound on a buffered body (form fields of a multipart upload included) is the same
# number; a RequestDataTooBig that still escapes is SLNG's 413 too (api/exceptions.translate).
DATA_UPLOAD_MAX_MEMORY_SIZE = LEXICON_MAX_REQUEST_BYTES
# The rules editor posts 2 fields per rule (2 modes x 256 rules), past Django's default of 1000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 8000
# Request line and headers: the application answers 414/431 in SLNG's body up to these bounds;
# gunicorn (config/gunicorn.py) refuses only what is beyond its own, larger limits.
LEXICON_MAX_REQUEST_LINE_BYTES = env_int("LEXICON_MAX_REQUEST_LINE_BYTES", 4096)
LEXICON_MAX_HEADER_FIELD_BYTES = env_int("LEXICON_MAX_HEADER_FIELD_BYTES", 8190)
LEXICON_MAX_HEADER_FIELDS = env_int("LEXICON_MAX_HEADER_FIELDS", 100)
LEXICON_MAX_HEADER_BYTES = env_int("LEXICON_MAX_HEADER_BYTES", 32 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["orgs.authentication.BearerKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [
        "orgs.authentication.HasOrganization",
        "orgs.authentication.KeyRoleAllows",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["orgs.throttling.APIKeyRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["pronunciations.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's negotiation, answered at once for no Accept header or */* (the common case).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "pronunciations.api.negotiation.FastContentNegotiation",
    "EXCEPTION_HANDLER": "core.exceptions.slng_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # ?format= names a file format on export endpoints, not a DRF renderer.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Lexicon pronunciation dictionaries API",
    "DESCRIPTION": (
        "System of record for SLNG pronunciation dictionaries. The /v1/pronunciation/dictionaries "
        "operations are wire-compatible with SLNG's own API."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # System fonts (the page loads none from outside) and the schema's own tag order.
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": "system-ui, -apple-system, 'Segoe UI', sans-serif",
                "headings": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', sans-serif"},
            }
        }
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # A revision's review state appears in revisions and deleted dictionaries: one enum. Every
    # enum is named once, whatever field uses it (no hashed names in generated clients).
    "ENUM_NAME_OVERRIDES": {
        "ReviewStateEnum": "pronunciations.models.ReviewState",
        "WebhookEventTypeEnum": "orgs.events.EventType",
        "ActionEnum": "pronunciations.models.Action",
        "ModeEnum": ["rewrite", "ipa"],
    },
    # One tag per resource; every operation names one (tests/test_schema.py checks).
    "TAGS": [
        {
            "name": "dictionaries",
            "description": "SLNG-compatible dictionary create, read, update, delete.",
        },
        {
            "name": "revisions",
            "description": "History: revisions, diffs, restores and deleted dictionaries.",
        },
        {
            "name": "review",
            "description": "Approving or rejecting proposed revisions (when review is on).",
        },
        {
            "name": "checks",
            "description": "Test sentences: the exact text each must become, run on every write.",
        },
        {
            "name": "preview and lint",
            "description": "Try rules on a text and check them, writing nothing.",
        },
        {
            "name": "import and export",
            "description": "Dictionaries to and from CSV, JSON and XLSX files.",
        },
        {
            "name": "sync",
            "description": "Pushing dictionaries to SLNG targets and the state of each push.",
        },
        {
            "name": "listen",
            "description": "Hearing a pronunciation through a target's text-to-speech.",
        },
        {
            "name": "webhooks",
            "description": "Endpoints told about revisions, reviews, syncs and imports, signed "
            "per Standard Webhooks; their delivery logs (organization admins only).",
        },
    ],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pronunciations.api.schema_hooks.constrain_path_parameters",
        "pronunciations.api.schema_hooks.document_idempotency",
        "pronunciations.api.schema_hooks.document_rate_limits",
        "pronunciations.api.schema_hooks.document_roles",
        "pronunciations.api.schema_hooks.add_links",
        "pronunciations.api.schema_contract.declare_error_codes",
        "pronunciations.api.schema_contract.declare_statuses",
        "pronunciations.api.schema_contract.declare_headers",
        "pronunciations.api.schema_hooks.clean_component_names",
    ],
}

# Requests per API key ("<n>/<second|minute|hour|day>"); empty disables the limit. Counted in
# the default cache: set LEXICON_CACHE_URL=redis://… so every web worker shares the count.
# Browsers may call the API (/v1/ only) from these origins ("https://tools.example.com", comma-
# separated); empty (the default): no cross-origin access. Keys travel in Authorization, never in
# cookies, so credentials are not allowed.
CORS_ALLOWED_ORIGINS = env_list("LEXICON_CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/v1/"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = [
    *("authorization", "content-type", "if-match", "if-none-match", "idempotency-key"),
]
CORS_EXPOSE_HEADERS = [
    *("ETag", "Location", "X-Request-Id", "RateLimit", "RateLimit-Policy", "Retry-After"),
    "Idempotent-Replayed",
]

# Counted exactly (orgs.throttling) in fixed windows opened by a key's first request.
LEXICON_RATE_LIMIT = env_str("LEXICON_RATE_LIMIT", "1200/min")
# Failed authentications per client address and per presented key prefix (same format): a
# failure beyond either is 429 instead of 401. Only failures count, after the key was checked,
# so a valid key is always served (orgs.authentication).
LEXICON_AUTH_FAILURE_LIMIT = env_str("LEXICON_AUTH_FAILURE_LIMIT", "100/min")
# Proxies in front of the service that append to X-Forwarded-For. 0: the client address is
# REMOTE_ADDR and the header is ignored; N: the rightmost hop not added by those N proxies.
# Behind a proxy, leaving it 0 counts every client's failures against the proxy's address.
LEXICON_TRUSTED_PROXIES = env_int("LEXICON_TRUSTED_PROXIES", 0)
_CACHE_URL = env_str("LEXICON_CACHE_URL", "")
# A cache that does not answer in this time is treated as down (rate limits fail open).
_CACHE_TIMEOUT = float(env_str("LEXICON_CACHE_TIMEOUT_SECONDS", "1"))
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
            "OPTIONS": {"socket_timeout": _CACHE_TIMEOUT, "socket_connect_timeout": _CACHE_TIMEOUT},
        }
        if _CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
LEXICON_MAX_METADATA_BYTES = env_int("LEXICON_MAX_METADATA_BYTES", 16 * 1024)
# Live dictionaries per organization (issue 22); a create, import or undelete past it is 400.
LEXICON_MAX_DICTIONARIES = env_int("LEXICON_MAX_DICTIONARIES", 1000)
# Longest an export streams before it stops with an "EXPORT INCOMPLETE" line (issue 22).
LEXICON_EXPORT_MAX_SECONDS = env_int("LEXICON_EXPORT_MAX_SECONDS", 600)
# Deepest nesting of arrays and objects accepted in any JSON we parse (bodies, files, cells).
LEXICON_MAX_JSON_DEPTH = env_int("LEXICON_MAX_JSON_DEPTH", 32)
# last_used_at is written at most this often per key, so authentication stays a read.
LEXICON_KEY_LAST_USED_RESOLUTION_SECONDS = env_int("LEXICON_KEY_LAST_USED_RESOLUTION_SECONDS", 60)
# Each web process reuses a key it read for this long (0 to 1 s; 0: read on every request), so a
# revoked key stops working everywhere within it (orgs.key_cache).
LEXICON_KEY_CACHE_SECONDS = float(env_str("LEXICON_KEY_CACHE_SECONDS", "1"))

install_record_factory()
LOG_FORMAT = env_str("LOG_FORMAT", "text")  # "json" in production
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}
LEXICON_MAX_PREVIEW_CHARS = env_int("LEXICON_MAX_PREVIEW_CHARS", 100_000)
# The admin's "Where is this word?" page: the longest text, and how many dictionaries one search
# reads (the first ones by organization and name; the page says when there are more).
LEXICON_WHERE_MAX_CHARS = env_int("LEXICON_WHERE_MAX_CHARS", 1000)
LEXICON_WHERE_MAX_DICTIONARIES = env_int("LEXICON_WHERE_MAX_DICTIONARIES", 100)
# The espeak-ng program the admin's IPA suggestions call (a name on PATH or a path); empty turns
# the suggestions off.
LEXICON_ESPEAK = env_str("LEXICON_ESPEAK", "espeak-ng")
# Scans of agent texts (pronunciations.scan): the text's size, its rows (lines, records,
# cues), the size scanned while the request waits (larger scans run as a job), dictionaries
# measured against at once, and scans per organization (a window, like the API's rate limit).
LEXICON_SCAN_MAX_BYTES = env_int("LEXICON_SCAN_MAX_BYTES", 4 * 1024 * 1024)
LEXICON_SCAN_MAX_ROWS = env_int("LEXICON_SCAN_MAX_ROWS", 200_000)
LEXICON_SCAN_SYNC_MAX_BYTES = env_int("LEXICON_SCAN_SYNC_MAX_BYTES", 256 * 1024)
LEXICON_SCAN_MAX_DICTIONARIES = env_int("LEXICON_SCAN_MAX_DICTIONARIES", 20)
LEXICON_SCAN_RATE_LIMIT = env_str("LEXICON_SCAN_RATE_LIMIT", "30/min")
# Deleted dictionaries can be restored for this many days; purge_deleted_dictionaries removes
# older ones.
LEXICON_DELETED_RETENTION_DAYS = env_int("LEXICON_DELETED_RETENTION_DAYS", 30)
# The reads every get and list runs are prepared statements on PostgreSQL (config.postgresql);
# false behind a transaction-mode pooler that cannot keep them (PgBouncer before 1.21).
LEXICON_PREPARED_READS = env_bool("LEXICON_PREPARED_READS", True)
# Rendered dictionary bodies kept per web process, keyed by revision (pronunciations.api.bodies).
LEXICON_RESPONSE_CACHE_BYTES = env_int("LEXICON_RESPONSE_CACHE_BYTES", 32 * 1024 * 1024)

# Metrics (config/metrics; README "Metrics"). A scrape must send "Authorization: Bearer <token>";
# with no token (the default) /metrics answers 404 and workers serve nothing.
LEXICON_METRICS_TOKEN = env_str("LEXICON_METRICS_TOKEN", "")
# A token short enough to guess stops the start (issue 22); wrong tokens count as failed
# authentications of the address (LEXICON_AUTH_FAILURE_LIMIT), then 429.
METRICS_TOKEN_MIN_LENGTH = 32
if LEXICON_METRICS_TOKEN and len(LEXICON_METRICS_TOKEN) < METRICS_TOKEN_MIN_LENGTH:
    raise EnvError(
        f"LEXICON_METRICS_TOKEN must be at least {METRICS_TOKEN_MIN_LENGTH} characters, "
        f"got {len(LEXICON_METRICS_TOKEN)}: generate one with "
        '`python -c "import secrets; print(secrets.token_urlsafe(32))"`'
    )
# A Celery worker serves its pool's counters on this address and port (0: it serves none).
LEXICON_METRICS_WORKER_ADDRESS = env_str("LEXICON_METRICS_WORKER_ADDRESS", "127.0.0.1")
LEXICON_METRICS_WORKER_PORT = env_int("LEXICON_METRICS_WORKER_PORT", 0)
# prometheus-client's multiprocess directory: the library reads the variable itself when it is
# imported, so it comes from the environment only. gunicorn sets a private one when unset
# (config/gunicorn.py); a worker that serves metrics needs one of its own.
LEXICON_METRICS_DIR = env_str("PROMETHEUS_MULTIPROC_DIR", "")

# Celery, sync to SLNG, Listen, imports and webhooks: the background work's settings.
from config.settings.background import *  # noqa: E402, F403

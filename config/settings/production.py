"""Production settings: no defaults for secrets, hosts or the database, and secure transport."""

from cryptography.fernet import Fernet

from config.env import EnvError, env_bool, env_database, env_int, env_list, env_str
from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, MIDDLEWARE

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
DATABASES = {
    "default": {
        **env_database("DATABASE_URL", None, BASE_DIR),
        # Reuse each worker thread's connection (checked before reuse) instead of one per request.
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
    }
}
DEBUG = False
LEXICON_ENCRYPTION_KEY = env_str("LEXICON_ENCRYPTION_KEY").strip()


def _require_fernet_key(key: str) -> None:
    """An empty key (as .env.example ships it) stops the start, like a missing one (issue 22):
    base settings would silently derive one from the secret key instead."""
    if not key:
        raise EnvError("environment variable LEXICON_ENCRYPTION_KEY is required (it is empty)")
    try:
        Fernet(key.encode())
    except ValueError as exc:
        raise EnvError(
            "LEXICON_ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes)"
        ) from exc


_require_fernet_key(LEXICON_ENCRYPTION_KEY)
# Targets use https and wss, except hosts listed in LEXICON_PRIVATE_TARGETS (none by default).
LEXICON_TARGETS_REQUIRE_TLS = env_bool("LEXICON_TARGETS_REQUIRE_TLS", True)
LOG_FORMAT = "json"
LOGGING = {  # noqa: F405 - base's LOGGING with JSON lines
    **LOGGING,  # noqa: F405
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
}

# Static files served by the app itself (whitenoise, right after SecurityMiddleware), compressed
# and cache-busted.
_AFTER_SECURITY = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [
    *MIDDLEWARE[:_AFTER_SECURITY],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[_AFTER_SECURITY:],
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

"""Tiny readers that turn environment variables into typed settings values."""

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EnvError(RuntimeError):
    """A required variable is missing or a value cannot be parsed."""


def env_str(name: str, default: str | None = None) -> str:
    """Return the variable, or the default; with no default a missing variable stops startup."""
    value = os.environ.get(name)
    if value is not None:
        return value
    if default is None:
        raise EnvError(f"environment variable {name} is required")
    return default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(f"environment variable {name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise EnvError(f"environment variable {name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        if default is None:
            raise EnvError(f"environment variable {name} is required")
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str | None, base_dir: Path) -> dict[str, Any]:
    """Parse a DATABASE_URL (``sqlite:///path`` or ``postgres://user:pass@host:port/db``)."""
    return parse_database_url(env_str(name, default), base_dir)


def parse_database_url(url: str, base_dir: Path) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path.removeprefix("/")) or "db.sqlite3"
        # Local runs share the file between the web server and the worker: wait for locks and
        # take the write lock up front so concurrent writers queue instead of failing.
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(base_dir / path),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        options: dict[str, Any] = {"connect_timeout": 5}
        options.update(dict(parse_qsl(parts.query)))
        return {
            "ENGINE": "config.postgresql",
            "NAME": unquote(parts.path.removeprefix("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            "CONN_HEALTH_CHECKS": True,
        }
    raise EnvError(f"unsupported database URL scheme {parts.scheme!r}")

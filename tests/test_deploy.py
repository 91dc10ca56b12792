"""Production settings pass Django's deployment checks and refuse to start without secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "production-like-secret-key-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "lexicon.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "LEXICON_ENCRYPTION_KEY": Fernet.generate_key().decode(),
}


def _manage(*args: str, drop: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **PRODUCTION}
    env.pop(drop, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _manage("check", drop="DJANGO_SECRET_KEY")

    assert result.returncode != 0
    assert "environment variable DJANGO_SECRET_KEY is required" in result.stderr


def test_production_refuses_to_start_without_an_encryption_key() -> None:
    result = _manage("check", drop="LEXICON_ENCRYPTION_KEY")

    assert result.returncode != 0
    assert "LEXICON_ENCRYPTION_KEY is required" in result.stderr


def test_the_bench_ceiling_url_is_not_a_production_url() -> None:
    """bench/load.py's static ceiling lives in bench/urls.py, only under bench/settings.py."""
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve("/bench/static")


def test_production_refuses_to_start_with_an_empty_encryption_key() -> None:
    """Issue 22: .env.example ships ``LEXICON_ENCRYPTION_KEY=``; an empty key was accepted and
    silently replaced by one derived from the secret key."""
    env = {**os.environ, **PRODUCTION, "LEXICON_ENCRYPTION_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "LEXICON_ENCRYPTION_KEY is required (it is empty)" in result.stderr

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

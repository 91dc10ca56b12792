"""Encryption at rest for SLNG API keys (Fernet: AES-128-CBC with HMAC-SHA256)."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted with the configured key (the key changed?)."""


def _fernet() -> Fernet:
    key = settings.LEXICON_ENCRYPTION_KEY
    if not key:
        # Local runs only: production settings require LEXICON_ENCRYPTION_KEY.
        digest = hashlib.sha256(f"lexicon-secrets:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key.encode())


def secret_encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def secret_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise SecretUnreadable("the stored SLNG key cannot be decrypted") from exc

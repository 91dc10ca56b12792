"""Encryption at rest for SLNG API keys (Fernet: AES-128-CBC with HMAC-SHA256), and the MAC
that binds a stored key to the URLs it was entered for.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted with the configured key (the key changed?)."""


def _key_material() -> str:
    key = settings.LEXICON_ENCRYPTION_KEY
    if not key:
        # Local runs only: production settings require LEXICON_ENCRYPTION_KEY.
        digest = hashlib.sha256(f"lexicon-secrets:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return str(key)


def _fernet() -> Fernet:
    return Fernet(_key_material().encode())


def secret_encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def secret_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise SecretUnreadable("the stored SLNG key cannot be decrypted") from exc


def secret_mac(message: str) -> str:
    """HMAC-SHA256 of ``message`` under a key derived from the encryption key (hex).

    Only code holding the encryption key can produce it, so a row whose MAC does not match was
    changed by something other than the services that compute it.
    """
    mac_key = hashlib.sha256(f"lexicon-key-binding:{_key_material()}".encode()).digest()
    return hmac.new(mac_key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def secret_mac_matches(message: str, mac: str) -> bool:
    return hmac.compare_digest(secret_mac(message), mac)

"""API key format and hashing.

A key is ``lex_<prefix>_<secret>``: the 8-character prefix is stored in clear so a key can be
found and shown ("lex_ab12cd34…"), the whole key is stored only as a SHA-256 digest. Keys carry
256 bits of randomness, so a fast hash is enough (no stretching is needed against guessing).
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

KEY_PREFIX = "lex_"
_KEY_RE = re.compile(r"^lex_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$")
_PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True)
class NewKey:
    """A freshly generated key: ``plaintext`` is shown once and never stored."""

    plaintext: str
    prefix: str
    digest: str


def key_generate() -> NewKey:
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(8))
    plaintext = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(plaintext=plaintext, prefix=prefix, digest=key_digest(plaintext))


def key_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def key_prefix(plaintext: str) -> str | None:
    """Return the lookup prefix of a well-formed key, or None when the key is malformed."""
    found = _KEY_RE.match(plaintext)
    return found.group(1) if found else None


def key_matches(plaintext: str, digest: str) -> bool:
    return hmac.compare_digest(key_digest(plaintext), digest)

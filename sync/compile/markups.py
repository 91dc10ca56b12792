"""A markup: how one family of models takes phonemes inline in the text, and which routes use it.

Each markup lives in its own module (``deepgram``, ``cartesia``, ``kugelaudio``, ``elevenlabs``)
with the facts its vendor documents (docs/vendors.md cites each); ``routes`` maps SLNG's TTS
model routes to them. A route with no markup takes no phonemes: its IPA rules are not audible.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Markup:
    """``name`` tells compilations apart (two targets of one upstream must agree on it);
    ``wrap(match, ipa)`` is the text the model receives for a word; ``phone_set`` the symbols
    the vendor documents (empty: it documents IPA without a closed list); ``languages`` where
    the vendor says the markup works; ``warns(ipa)`` the problems worth telling a linguist."""

    name: str
    vendor: str
    wrap: Callable[[str, str], str]
    languages: tuple[str, ...]
    phone_set: frozenset[str] = frozenset()
    warns: Callable[[str], list[str]] = lambda ipa: []

    def __str__(self) -> str:
        return self.name


# The name of the compilation a model that takes no phonemes gets: the dictionary as stored.
PLAIN = "plain"

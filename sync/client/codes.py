"""What SLNG answers, in one table: each code's status, whether to retry, its words, its label.

The client (``sync.client.errors``) reads whether a code is worth retrying, the failure wording
(``sync.failures``) the words a linguist reads, and the metrics (``sync.metrics``) the label a
failure is counted under. Codes and statuses are SLNG's reference's (its error table and its
TTS error frames); the advice follows the reference's "Retry?" column.
"""

from dataclasses import dataclass

# The codes our own code names.
NOT_FOUND = "pronunciation_not_found"
RATE_LIMIT = "rate_limit"
AUTH_ERROR = "auth_error"
# The metric label of a code SLNG's reference does not list: the number of series stays bounded.
OTHER = "other"


@dataclass(frozen=True)
class Explanation:
    """``short`` fits in a badge; ``what`` says what happened, ``todo`` what to do about it."""

    short: str
    what: str
    todo: str


NOT_FOUND_WORDS = Explanation(
    "not found on SLNG",
    "SLNG could not find this dictionary when it was checked.",
    "Press Sync now to push it again. If it keeps failing, ask an organization admin to check "
    "that the target points at the right SLNG account.",
)
KEY_WORDS = Explanation(
    "key refused",
    "SLNG refused the target's API key.",
    "Ask an organization admin to enter a valid SLNG API key on the target, then press Sync now.",
)
UNAVAILABLE_WORDS = Explanation(
    "SLNG unavailable",
    "SLNG was temporarily unavailable.",
    "Nothing to fix here: the next run tries again by itself, or press Sync now in a few minutes.",
)
MODEL_WORDS = Explanation(
    "TTS model unavailable",
    "SLNG could not reach the TTS model it checks the dictionary with.",
    "The next run tries again by itself. If it keeps failing, ask an organization admin to check "
    "the target's model.",
)
RATE_WORDS = Explanation(
    "rate limited",
    "SLNG asked Lexicon to slow down: too many requests at once.",
    "Wait a few minutes: the next run tries again by itself.",
)
REFUSED_WORDS = Explanation(
    "content refused",
    "SLNG refused the dictionary's content.",
    "Look at SLNG's words below for the rule it names, fix it, and save: the dictionary is "
    "synced again.",
)
CONFLICT_WORDS = Explanation(
    "name taken on SLNG",
    "SLNG holds a dictionary with this name that could not be replaced.",
    "Press Sync now to try again. If it keeps failing, ask an organization admin to look at the "
    "target's dictionaries on SLNG.",
)
SETTINGS_WORDS = Explanation(
    "target settings refused",
    "SLNG refused the target's TTS settings (model or voice) while checking the dictionary.",
    "Ask an organization admin to check the model and voice of the target.",
)


@dataclass(frozen=True)
class Code:
    """One code SLNG answers. ``status``: the HTTP status it comes with (None: none); ``frame``:
    it comes in a TTS error frame; ``listed``: in SLNG's reference, counted under its own label."""

    code: str
    status: int | None
    frame: bool
    retryable: bool
    words: Explanation
    listed: bool = True

    @property
    def label(self) -> str:
        return self.code if self.listed else OTHER


CODES = (
    Code("invalid_pronunciation", 400, False, False, REFUSED_WORDS),
    Code("pronunciation_unauthenticated", 401, False, False, KEY_WORDS),
    Code(NOT_FOUND, 404, True, False, NOT_FOUND_WORDS),
    Code("pronunciation_conflict", 409, False, False, CONFLICT_WORDS),
    Code("pronunciation_unavailable", 503, False, True, UNAVAILABLE_WORDS),
    Code(RATE_LIMIT, 429, True, True, RATE_WORDS),
    Code(AUTH_ERROR, None, True, False, KEY_WORDS),
    Code("config_error", None, True, False, SETTINGS_WORDS),
    Code("provider_error", None, True, True, MODEL_WORDS),
    Code("backend_connection_failed", None, True, True, MODEL_WORDS),
    # A gateway in front of SLNG may answer these plain codes: worded, counted as ``other``.
    Code("unauthenticated", 401, False, False, KEY_WORDS, listed=False),
    Code("unavailable", 503, False, True, UNAVAILABLE_WORDS, listed=False),
)
BY_CODE = {row.code: row for row in CODES}


def row(code: str) -> Code | None:
    """The table's row for ``code``; None for a code SLNG's reference and gateway never use."""
    return BY_CODE.get(code)


def retryable_frame(code: str) -> bool:
    """Whether a TTS error frame with ``code`` is worth trying again later (unknown: no)."""
    found = BY_CODE.get(code)
    return found is not None and found.frame and found.retryable


def retryable_status(status: int) -> bool:
    """Whether an HTTP status means "try again later": any 5xx, or a status a retryable code of
    the table comes with (429)."""
    return status >= 500 or any(r.retryable and r.status == status for r in CODES)


def label(code: str) -> str:
    """The metric label of ``code``: itself when SLNG's reference lists it, else ``other``."""
    found = BY_CODE.get(code)
    return found.label if found is not None else OTHER

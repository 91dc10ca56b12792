"""Sync failures in plain words: what happened and what to do, for the admin's panel and badges.

A dictionary's failure is recorded with SLNG's code (``SyncState.last_error_code``, or the
client's error type when SLNG gave none); a run that failed as a whole records the error type
and message (``SyncRun.error``). Both are explained here, in one table.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Explanation:
    """``short`` fits in a badge; ``what`` says what happened, ``todo`` what to do about it."""

    short: str
    what: str
    todo: str


_NOT_FOUND = Explanation(
    "not found on SLNG",
    "SLNG could not find this dictionary when it was checked.",
    "Press Sync now to push it again. If it keeps failing, ask an organization admin to check "
    "that the target points at the right SLNG account.",
)
_KEY = Explanation(
    "key refused",
    "SLNG refused the target's API key.",
    "Ask an organization admin to enter a valid SLNG API key on the target, then press Sync now.",
)
_UNAVAILABLE = Explanation(
    "SLNG unavailable",
    "SLNG was temporarily unavailable.",
    "Nothing to fix here: the next run tries again by itself, or press Sync now in a few minutes.",
)
_MODEL = Explanation(
    "TTS model unavailable",
    "SLNG could not reach the TTS model it checks the dictionary with.",
    "The next run tries again by itself. If it keeps failing, ask an organization admin to check "
    "the target's model.",
)
_RATE = Explanation(
    "rate limited",
    "SLNG asked Lexicon to slow down: too many requests at once.",
    "Wait a few minutes: the next run tries again by itself.",
)
_REFUSED = Explanation(
    "content refused",
    "SLNG refused the dictionary's content.",
    "Look at SLNG's words below for the rule it names, fix it, and save: the dictionary is "
    "synced again.",
)
_CONFLICT = Explanation(
    "name taken on SLNG",
    "SLNG holds a dictionary with this name that could not be replaced.",
    "Press Sync now to try again. If it keeps failing, ask an organization admin to look at the "
    "target's dictionaries on SLNG.",
)
_SETTINGS = Explanation(
    "target settings refused",
    "SLNG refused the target's TTS settings (model or voice) while checking the dictionary.",
    "Ask an organization admin to check the model and voice of the target.",
)
_KEY_AGAIN = Explanation(
    "key must be entered again",
    "The target's SLNG key was entered for other URLs, so Lexicon does not send it.",
    "Ask an organization admin to enter the SLNG API key again on the target.",
)
_LEASE_LOST = Explanation(
    "run taken over",
    "The run stalled past its hold on the target, and another run took the target over.",
    "Nothing to fix here: the run that took over does the work.",
)
_KEY_UNREADABLE = Explanation(
    "key unreadable",
    "The stored SLNG key can no longer be read (the encryption key changed).",
    "Ask an organization admin to enter the SLNG API key again on the target.",
)
_OVER_LIMIT = Explanation(
    "too large for the model",
    "Compiled for the target's model (IPA rules become rewrite rules in its phoneme markup), "
    "the dictionary is over SLNG's limits, so nothing was sent.",
    "The words below name the model, the count and the limit: remove rules, shorten the IPA, "
    "or split the dictionary, then save.",
)

_BY_CODE = {
    "pronunciation_not_found": _NOT_FOUND,
    "pronunciation_unauthenticated": _KEY,
    "unauthenticated": _KEY,
    "auth_error": _KEY,
    "pronunciation_unavailable": _UNAVAILABLE,
    "unavailable": _UNAVAILABLE,
    "backend_connection_failed": _MODEL,
    "provider_error": _MODEL,
    "rate_limit": _RATE,
    "invalid_pronunciation": _REFUSED,
    "pronunciation_conflict": _CONFLICT,
    "config_error": _SETTINGS,
    "compiled_over_limit": _OVER_LIMIT,
    # The client's error types, recorded when SLNG gave no code.
    "SlngNotFound": _NOT_FOUND,
    "SlngUnauthorized": _KEY,
    "SlngUnavailable": _UNAVAILABLE,
    "SlngRejected": _REFUSED,
    "SlngConflict": _CONFLICT,
    "TargetKeyUnusable": _KEY_AGAIN,
    "SecretUnreadable": _KEY_UNREADABLE,
    "LeaseLost": _LEASE_LOST,
}


def explain(code: str) -> Explanation:
    """What an SLNG code (or the client's error type) means for the linguist."""
    known = _BY_CODE.get(code)
    if known is not None:
        return known
    return Explanation(
        "failed",
        f"SLNG answered with an error ({code or 'no code'}).",
        "Press Sync now to try again. If it keeps failing, give SLNG's words below to an "
        "organization admin.",
    )


def explain_run(error: str) -> Explanation:
    """A run's error (``"<type>: <message>"``, see sync.services.target_run) explained."""
    kind = error.split(":", 1)[0].strip()
    if kind == "SlngVerificationFailed":
        return explain("")
    return explain(kind)

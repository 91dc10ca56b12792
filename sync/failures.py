"""Sync failures in plain words: what happened and what to do, for the admin's panel and badges.

A dictionary's failure is recorded with SLNG's code (``SyncState.last_error_code``, or the
client's error type when SLNG gave none); a run that failed as a whole records the error type
and message (``SyncRun.error``). Both are explained here: SLNG's codes by their words in the table
of ``sync.client.codes``, the error types below.
"""

from sync.client import codes
from sync.client.codes import Explanation

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

# The client's error types, recorded when SLNG gave no code, and the run's own failures.
_BY_TYPE = {
    "SlngNotFound": codes.NOT_FOUND_WORDS,
    "SlngUnauthorized": codes.KEY_WORDS,
    "SlngUnavailable": codes.UNAVAILABLE_WORDS,
    "SlngRejected": codes.REFUSED_WORDS,
    "SlngConflict": codes.CONFLICT_WORDS,
    "compiled_over_limit": _OVER_LIMIT,
    "TargetKeyUnusable": _KEY_AGAIN,
    "SecretUnreadable": _KEY_UNREADABLE,
    "LeaseLost": _LEASE_LOST,
}


def explain(code: str) -> Explanation:
    """What an SLNG code (its words in ``sync.client.codes``) or the client's error type means
    for the linguist."""
    row = codes.row(code)
    if row is not None:
        return row.words
    known = _BY_TYPE.get(code)
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

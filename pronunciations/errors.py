"""Errors of pronunciations' own resources (revisions, rules, deleted dictionaries, review);
SLNG's errors, which every app raises, are ``core.errors`` and re-exported here."""

from core.errors import (
    BadHost,
    Busy,
    DictionaryConflict,
    DictionaryLimitReached,
    DictionaryNotFound,
    Forbidden,
    HeadersTooLarge,
    InvalidDictionary,
    InvalidParameter,
    LengthRequired,
    NotFound,
    PreconditionFailed,
    PronunciationError,
    RequestTooLarge,
    Unauthenticated,
    Unavailable,
    UriTooLong,
    parameter_message,
)


class RevisionNotFound(NotFound):
    def __init__(self, name: str, number: object) -> None:
        super().__init__(f"Revision {number} of pronunciation dictionary {name} not found")


class RuleNotFound(NotFound):
    def __init__(self, name: str, mode: str, match: str) -> None:
        super().__init__(
            f"Rule not found in the {mode} mode of pronunciation dictionary {name}: {match}"
        )


class DeletedDictionaryNotFound(NotFound):
    def __init__(self, dictionary_id: str) -> None:
        super().__init__(f"Deleted pronunciation dictionary not found: {dictionary_id}")


class RevisionNotProposed(PronunciationError):
    """Only a proposed revision can be approved, rejected or withdrawn: this one was decided
    already, withdrawn, superseded by a later revision, or never needed review."""

    status = 409
    code = "pronunciation_conflict"

    def __init__(self, name: str, number: int, state: str) -> None:
        reasons = {
            "approved": "was approved already",
            "rejected": "was rejected already",
            "superseded": "was superseded: a later revision was made or approved",
            "withdrawn": "was withdrawn by its author",
            "auto": "needs no review: it was approved automatically (review was off)",
        }
        super().__init__(
            f"Revision {number} of pronunciation dictionary {name} {reasons.get(state, state)}; "
            "only a proposed revision can be approved, rejected or withdrawn."
        )


class RevisionNotNewest(PronunciationError):
    """Only a dictionary's newest revision can be approved: approving an older one would serve
    something that is no longer the dictionary (a deletion of a dictionary since restored)."""

    status = 409
    code = "pronunciation_conflict"

    def __init__(self, name: str, number: int, newest: int) -> None:
        super().__init__(
            f"Revision {number} of pronunciation dictionary {name} is not its newest: revision "
            f"{newest} is. Only the newest revision can be approved; review revision {newest}."
        )


class LayerInUse(PronunciationError):
    """A layer that live dictionaries include cannot be deleted: they would lose its rules
    without a revision of their own saying so."""

    status = 409
    code = "pronunciation_conflict"

    def __init__(self, name: str, includers: list[str]) -> None:
        super().__init__(
            f"Pronunciation dictionary {name} is a layer of {', '.join(includers)}: remove it "
            "from their includes before deleting it."
        )


__all__ = [
    "PronunciationError",
    "InvalidDictionary",
    "InvalidParameter",
    "parameter_message",
    "NotFound",
    "DictionaryNotFound",
    "DictionaryConflict",
    "LayerInUse",
    "RequestTooLarge",
    "LengthRequired",
    "UriTooLong",
    "HeadersTooLarge",
    "Unauthenticated",
    "Unavailable",
    "PreconditionFailed",
    "Forbidden",
    "Busy",
    "BadHost",
    "DictionaryLimitReached",
    "DeletedDictionaryNotFound",
    "RevisionNotFound",
    "RevisionNotNewest",
    "RevisionNotProposed",
    "RuleNotFound",
]

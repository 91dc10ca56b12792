"""Revision comments and reviewers' comments."""

from django.core.exceptions import ValidationError

from core.text import unstorable_errors
from pronunciations.validation.limits import COMMENT_MAX_LENGTH


def validate_comment(comment: object, *, field: str = "comment") -> str:
    """A revision comment: absent or null (empty), else a string of at most 500 characters."""
    if comment is None:
        return ""
    if not isinstance(comment, str):
        raise ValidationError({field: ["must be a string"]})
    problems = unstorable_errors(comment)
    if len(comment) > COMMENT_MAX_LENGTH:
        problems.insert(0, f"must be at most {COMMENT_MAX_LENGTH} characters")
    if problems:
        raise ValidationError({field: problems})
    return comment


def validate_review_comment(comment: object, *, required: bool) -> str:
    """A reviewer's comment on approving or rejecting: bounded like a revision comment; when
    ``required`` (a rejection) it must say something, so the author learns why."""
    clean = validate_comment(comment)
    if required and not clean.strip():
        raise ValidationError({"comment": ["a rejection needs a comment saying why"]})
    return clean

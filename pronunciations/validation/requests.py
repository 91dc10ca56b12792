"""Validation of requests' own inputs: preview text, Listen, and path and query parameters.

Re-exported by ``pronunciations.validation``: import them from there.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from pronunciations.models import Mode
from pronunciations.validation import (
    MATCH_MAX_LENGTH,
    NAME_MAX_LENGTH,
    FieldErrors,
    name_errors,
    replace_unstorable,
    unstorable_errors,
)


def _bounded_text(text: str, *, field: str, limit: int) -> str:
    """``text`` when it has at most ``limit`` characters, all storable."""
    if len(text) > limit:
        raise ValidationError({field: [f"must be at most {limit} characters, got {len(text)}"]})
    if problems := unstorable_errors(text):
        raise ValidationError({field: problems})
    return text


def validate_preview_text(text: object) -> str:
    """Preview input: a string of at most LEXICON_MAX_PREVIEW_CHARS storable characters."""
    if not isinstance(text, str):
        raise ValidationError({"text": ["text is required and must be a string"]})
    return _bounded_text(text, field="text", limit=settings.LEXICON_MAX_PREVIEW_CHARS)


def validate_where_text(text: object) -> str:
    """The admin's "Where is this word?" text: at most LEXICON_WHERE_MAX_CHARS storable
    characters, not blank."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError({"q": ["type a word or a sentence"]})
    return _bounded_text(text, field="q", limit=settings.LEXICON_WHERE_MAX_CHARS)


LANGUAGE_TAG_MAX_LENGTH = 35  # BCP 47's longest well-formed tag most software keeps


def validate_ipa_suggestion(text: object, language: object) -> tuple[str, str]:
    """An IPA suggestion's request: the match to pronounce (at most a match's length) and an
    optional language tag; both storable text."""
    errors: FieldErrors = {}
    if not isinstance(text, str) or len(text) > MATCH_MAX_LENGTH:
        errors["text"] = [f"must be a match of at most {MATCH_MAX_LENGTH} characters"]
    elif problems := unstorable_errors(text):
        errors["text"] = problems
    if not isinstance(language, str) or len(language) > LANGUAGE_TAG_MAX_LENGTH:
        errors["language"] = [
            f"must be a language tag of at most {LANGUAGE_TAG_MAX_LENGTH} characters"
        ]
    elif problems := unstorable_errors(language):
        errors["language"] = problems
    if errors:
        raise ValidationError(errors)
    return str(text), str(language)


@dataclass(frozen=True)
class SpeakInput:
    """A validated Listen request: the text, and the optional target and voice to speak with."""

    text: str
    target: str | None
    voice: str | None


SPEAK_LABEL_MAX_LENGTH = 100


def validate_speak(body: Mapping[str, Any]) -> SpeakInput:
    """Listen input: non-empty ``text`` of at most LEXICON_SPEAK_MAX_CHARS storable characters,
    and optional ``target`` / ``voice`` strings of at most 100 characters."""
    errors: FieldErrors = {}
    text = body.get("text")
    limit = settings.LEXICON_SPEAK_MAX_CHARS
    if not isinstance(text, str) or not text.strip():
        errors["text"] = ["text is required and must be a non-empty string"]
    elif len(text) > limit:
        errors["text"] = [f"must be at most {limit} characters, got {len(text)}"]
    elif unstorable_errors(text):
        errors["text"] = unstorable_errors(text)
    labels: dict[str, str | None] = {}
    for field in ("target", "voice"):
        value = body.get(field)
        if value is not None and not isinstance(value, str):
            errors[field] = [f"{field} must be a string"]
        elif isinstance(value, str) and (
            len(value) > SPEAK_LABEL_MAX_LENGTH or unstorable_errors(value)
        ):
            errors[field] = [f"{field} must be at most {SPEAK_LABEL_MAX_LENGTH} plain characters"]
        labels[field] = value if isinstance(value, str) else None
    if errors:
        raise ValidationError(errors)
    return SpeakInput(text=str(text), target=labels["target"] or None, voice=labels["voice"])


# -- path, query and form parameters, checked before they reach the database ---------------

_ID_RE = re.compile(r"[A-Za-z0-9_]{1,64}")
_DIGITS_RE = re.compile(r"[0-9]{1,10}")


class ParameterError(ValidationError):
    """A refused path, query or form parameter, keyed by the parameter's name.

    Every check of a request parameter raises this rather than a bare ValidationError: the API's
    exception handler turns it into an error whose message names the parameter
    (``errors.InvalidParameter``), where a body's errors keep SLNG's generic message.
    """

    def __init__(self, problems: Mapping[str, Sequence[str]]) -> None:
        super().__init__({name: list(messages) for name, messages in problems.items()})


def parameter_errors(value: str) -> list[str]:
    """What no path or query parameter may hold, whatever it means: NUL and the other
    characters of unstorable_errors (their length is bounded by the request line's)."""
    return unstorable_errors(value)


def validate_int_parameter(raw: str, *, name: str, low: int, high: int) -> int:
    """An integer parameter in ASCII digits ("²" is a digit to str.isdigit, not to int)."""
    if not _DIGITS_RE.fullmatch(raw) or not low <= int(raw) <= high:
        raise ParameterError({name: [f"must be an integer from {low} to {high}"]})
    return int(raw)


def validate_public_id(raw: str, *, name: str) -> str:
    """A public id parameter (``pd_<ulid>``, ``tgt_<ulid>``): letters, digits and ``_`` only."""
    if not _ID_RE.fullmatch(raw):
        raise ParameterError({name: ["must be an id of letters, digits and '_' (at most 64)"]})
    return raw


def validate_names_parameter(raw: str, *, name: str = "names") -> list[str]:
    """A comma-separated list of dictionary names; each must be a valid name."""
    names = [part.strip() for part in raw.split(",") if part.strip()]
    problems = [f"{part!r}: {p}" for part in names for p in name_errors(part)]
    if problems:
        raise ParameterError({name: [replace_unstorable(p) for p in problems]})
    return names


def validate_cursor_parameter(raw: str, *, name: str = "cursor") -> str:
    """A list page's cursor (the ``next_cursor`` a page answered: a normalized name, or empty
    for the first page): at most NAME_MAX_LENGTH characters."""
    if len(raw) > NAME_MAX_LENGTH:
        raise ParameterError({name: ["must be a next_cursor from a previous page"]})
    return raw


def validate_name_parameter(raw: object, *, name: str = "name") -> str:
    """A dictionary name given as a parameter (the path's ``{name}``, an import's
    ``dictionary``): the rules of ``name_errors``, refused as a parameter."""
    if problems := name_errors(raw):
        raise ParameterError({name: problems})
    assert isinstance(raw, str)  # noqa: S101 - narrowed by name_errors
    return raw


def validate_rule_parameters(mode: str, match: str) -> tuple[Mode, str]:
    """A rule's path: ``{mode}`` one of the modes, ``{match}`` (percent-decoded) a match to look
    up by its comparison key: not blank, at most MATCH_MAX_LENGTH characters."""
    errors: FieldErrors = {}
    if mode not in Mode.values:
        errors["mode"] = [f"must be one of {', '.join(Mode.values)}"]
    if not match.strip():
        errors["match"] = ["must not be empty or whitespace only"]
    elif len(match) > MATCH_MAX_LENGTH:
        errors["match"] = [f"must be at most {MATCH_MAX_LENGTH} characters"]
    elif problems := parameter_errors(match):
        errors["match"] = problems
    if errors:
        raise ParameterError(errors)
    return Mode(mode), match

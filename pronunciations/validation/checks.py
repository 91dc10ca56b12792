"""Validation of a dictionary's checks (test sentences): their shape, bounds and characters.

A check is ``{"text": …, "expect": …, "note": …?}``: ``expect`` is the exact text SLNG must
send to the model once the dictionary's rules have rewritten ``text``. Re-exported by
``pronunciations.validation``: import from there.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from core.text import FieldErrors, list_errors, text_errors, unstorable_errors

MAX_CHECKS = 256
CHECK_TEXT_MAX_LENGTH = 1000
CHECK_NOTE_MAX_LENGTH = 500


@dataclass(frozen=True)
class Check:
    """A validated check; ``note`` is empty when there is none."""

    text: str
    expect: str
    note: str = ""


def _note_errors(note: object) -> list[str]:
    if note is None:
        return []
    if not isinstance(note, str):
        return ["must be a string"]
    problems = unstorable_errors(note)
    if len(note) > CHECK_NOTE_MAX_LENGTH:
        problems.insert(0, f"must be at most {CHECK_NOTE_MAX_LENGTH} characters")
    return problems


def _clean_check(
    item: object, path: str, seen: dict[str, int], index: int, errors: FieldErrors
) -> Check | None:
    if not isinstance(item, Mapping):
        errors[path] = ["must be an object with text and expect"]
        return None
    text, expect, note = item.get("text"), item.get("expect"), item.get("note")
    found = {
        "text": text_errors(text, max_length=CHECK_TEXT_MAX_LENGTH, strip_edges=False),
        "expect": text_errors(expect, max_length=CHECK_TEXT_MAX_LENGTH, strip_edges=False),
        "note": _note_errors(note),
    }
    if not found["text"]:
        first = seen.setdefault(str(text), index)
        if first != index:  # two checks of one text could not both pass
            found["text"].append(f"duplicates checks[{first}].text")
    for field, problems in found.items():
        if problems:
            errors[f"{path}.{field}"] = problems
    if any(found.values()):
        return None
    return Check(text=str(text), expect=str(expect), note=str(note or ""))


def clean_checks(raw: object, errors: FieldErrors, *, field: str = "checks") -> tuple[Check, ...]:
    """Validate a list of checks (null means none); problems go into ``errors``, keyed like
    ``checks[3].expect``. Texts are compared exactly: the engine keeps the case it does not
    replace, so ``Hello`` and ``hello`` are different checks."""
    if raw is None:
        return ()
    if problems := list_errors(raw, items="checks", limit=MAX_CHECKS):
        errors[field] = problems
        return ()
    assert isinstance(raw, list)  # noqa: S101 - checked by list_errors
    seen: dict[str, int] = {}
    checks = [
        _clean_check(item, f"{field}[{index}]", seen, index, errors)
        for index, item in enumerate(raw)
    ]
    return tuple(check for check in checks if check is not None)


def validate_checks(raw: object, *, field: str = "checks") -> tuple[Check, ...]:
    """Validate a list of checks; raises one ValidationError listing every problem."""
    errors: FieldErrors = {}
    checks = clean_checks(raw, errors, field=field)
    if errors:
        raise ValidationError(errors)
    return checks

"""Text every request and store must keep: storable characters, bounded text and lists.

Each problem is a ``ValidationError`` with a ``code`` and ``params`` (see ``problem``): the API
shows its message, the admin words it for linguists from the code (pronunciations.admin.wording).
"""

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError

# Characters that PostgreSQL text, XML 1.0 or a spreadsheet cell cannot hold: NUL and the other
# C0 controls but tab, newline and carriage return; DEL and the C1 controls; unpaired surrogates
# (which cannot be encoded as UTF-8); and the non-characters U+FFFE and U+FFFF.
_UNSTORABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

FieldErrors = dict[str, list[str]]


def problem(message: str, code: str, **params: Any) -> ValidationError:
    """One structured problem: ``message`` may use ``%(name)s`` placeholders for ``params``."""
    return ValidationError(message, code=code, params=params or None)


def problem_text(error: ValidationError) -> str:
    """The message of one structured problem, as the API shows it."""
    return str(error.message % error.params) if error.params else str(error.message)


def unstorable_problems(value: str) -> list[ValidationError]:
    """Characters no store or export format of ours can hold (see _UNSTORABLE_RE), structured:
    code ``unstorable``, params ``char`` (U+XXXX) and ``offset`` (its index in ``value``)."""
    found = _UNSTORABLE_RE.search(value)
    if found is None:
        return []
    message = "must not contain control characters or unpaired surrogates (U+%(char)s)"
    return [problem(message, "unstorable", char=f"{ord(found[0]):04X}", offset=found.start())]


def invisible_problems(value: str) -> list[ValidationError]:
    """Invisible and bidirectional-control characters (Unicode category Cf: zero-width spaces
    and joiners, direction marks, embeddings and isolates, the byte-order mark, the soft
    hyphen), which make two different texts look the same (issue 22). Code ``invisible``,
    params ``char`` (U+XXXX), ``name`` (its Unicode name) and ``offset``."""
    if value.isascii() or value.isprintable():  # every Cf character is outside ASCII and
        return []  # not printable
    for offset, char in enumerate(value):
        if unicodedata.category(char) == "Cf":
            message = (
                "must not contain invisible or bidirectional-control characters "
                "(U+%(char)s %(name)s)"
            )
            code, name = f"{ord(char):04X}", unicodedata.name(char, "")
            return [problem(message, "invisible", char=code, name=name, offset=offset)]
    return []


def unstorable_errors(value: str) -> list[str]:
    """unstorable_problems as plain messages."""
    return [problem_text(error) for error in unstorable_problems(value)]


def replace_unstorable(value: str, replacement: str = "\ufffd") -> str:
    """``value`` with every character of _UNSTORABLE_RE replaced (exports of content stored
    before these characters were refused must still succeed)."""
    return _UNSTORABLE_RE.sub(replacement, value)


def text_errors(value: object, *, max_length: int, strip_edges: bool) -> list[str]:
    """Problems with a required text field: a non-blank string, bounded, storable."""
    return [
        problem_text(p)
        for p in text_problems(value, max_length=max_length, strip_edges=strip_edges)
    ]


def text_problems(value: object, *, max_length: int, strip_edges: bool) -> list[ValidationError]:
    """text_errors, structured (codes ``required``, ``empty``, ``too_long``, ``edge_whitespace``,
    ``unstorable``)."""
    if not isinstance(value, str):
        return [problem("is required and must be a string", "required")]
    if not value.strip():
        return [problem("must not be empty or whitespace only", "empty")]
    problems = []
    if len(value) > max_length:
        problems.append(
            problem(
                "must be at most %(limit)s characters", "too_long", limit=max_length, got=len(value)
            )
        )
    if strip_edges and value != value.strip():
        problems.append(problem("must not start or end with whitespace", "edge_whitespace"))
    return problems + unstorable_problems(value)


def plain_text(value: object, *, max_length: int, strip_edges: bool) -> bool:
    """True when ``text_problems`` would find nothing, told without building any problem (an
    import asks it of every rule); False when it may find some: ask ``text_problems`` then."""
    if type(value) is not str or len(value) > max_length:
        return False
    stripped = value.strip()
    if not stripped or (strip_edges and stripped != value):
        return False
    return _UNSTORABLE_RE.search(value) is None


def list_errors(raw: object, *, items: str, limit: int) -> list[str]:
    """Problems with a bounded array of ``items`` (rules, checks)."""
    return [problem_text(p) for p in list_problems(raw, items=items, limit=limit)]


def list_problems(raw: object, *, items: str, limit: int) -> list[ValidationError]:
    """list_errors, structured (codes ``not_list``, ``too_many`` with ``limit`` and ``got``)."""
    if not isinstance(raw, list):
        return [problem(f"must be an array of {items}", "not_list")]
    if len(raw) > limit:
        message = f"must have at most %(limit)s {items}, got %(got)s"
        return [problem(message, "too_many", limit=limit, got=len(raw))]
    return []

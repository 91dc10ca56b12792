"""Request parameters (path, query, form) every API view checks the same way: ids, integers,
dictionary names. A refusal is a ``ParameterError``, answered naming the parameter."""

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from django.core.exceptions import ValidationError

from core.text import invisible_problems, problem_text, replace_unstorable, unstorable_errors

NAME_MAX_LENGTH = 128
_NAME_RE = re.compile(r"[A-Za-z0-9._-]+")
# A name only of dots is a dot segment, or looks like one: HTTP clients remove "." and ".." from
# a URL's path (RFC 3986, section 5.2.4) before sending it, so such a dictionary could never be
# read, changed or deleted by its URL, here or at SLNG (issue 22).
_DOTS_ONLY_RE = re.compile(r"\.+")
_ID_RE = re.compile(r"[A-Za-z0-9_]{1,64}")
_DIGITS_RE = re.compile(r"[0-9]{1,10}")
# RFC 3339's date-time (section 5.6): a full date, a time and an offset ("Z" or "+hh:mm").
_DATE_TIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(?P<fraction>\.[0-9]{1,9})?(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


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


def validate_datetime_parameter(raw: str, *, name: str) -> datetime:
    """An RFC 3339 date-time parameter with its offset (``2026-12-01T09:00:00Z``); a "+" of
    the offset must be sent as ``%2B`` (a query string's "+" is a space). Answered in UTC:
    RFC 3339 allows offsets to 23:59, PostgreSQL only to 15:59 (a DataError, 500, for
    ``+18:19``); a moment before year 1 or after 9999 in UTC is the nearest one there is."""
    if parts := _DATE_TIME_RE.fullmatch(raw):
        fraction = (parts["fraction"] or "")[:7]  # datetime holds microseconds
        offset = "+00:00" if parts["offset"] in "Zz" else parts["offset"]
        try:
            found = datetime.fromisoformat(raw[:10] + "T" + raw[11:19] + fraction + offset)
        except ValueError:
            pass
        else:
            try:
                return found.astimezone(UTC)
            except OverflowError:
                if raw[:4] == "0001":
                    return datetime.min.replace(tzinfo=UTC)
                return datetime.max.replace(tzinfo=UTC)
    raise ParameterError(
        {name: ["must be an RFC 3339 date-time with its offset, e.g. 2026-12-01T09:00:00Z"]}
    )


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


def name_errors(name: object) -> list[str]:
    if not isinstance(name, str):
        return ["must be a string"]
    if not name:
        return ["must not be empty"]
    problems = []
    if len(name) > NAME_MAX_LENGTH:
        problems.append(f"must be at most {NAME_MAX_LENGTH} characters")
    problems += [problem_text(error) for error in invisible_problems(name)]
    if not _NAME_RE.fullmatch(name):
        problems.append("may contain only letters, digits, '.', '_' and '-'")
    elif _DOTS_ONLY_RE.fullmatch(name):
        problems.append("must not be only dots: HTTP clients remove '.' and '..' from a URL")
    return problems

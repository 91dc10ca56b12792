"""Dictionary names: their identity (``normalize_name``) and the checks of a name in a body."""

from django.core.exceptions import ValidationError

from core.parameters import name_errors


def normalize_name(name: str) -> str:
    """The identity of a dictionary name: what ``normalized_name`` stores and lookups compare.

    Valid names are ASCII, where Python's lower(), casefold() and PostgreSQL's lower() agree;
    callers validate the name (or a path parameter) before normalizing it.
    """
    return name.lower()


def validate_name(name: object, *, field: str = "name") -> str:
    problems = name_errors(name)
    if problems:
        raise ValidationError({field: problems})
    assert isinstance(name, str)  # noqa: S101 - narrowed by name_errors
    return name


def validate_body_name(body_name: object, path_name: str) -> None:
    """A body ``name`` next to a path name must be absent or the same dictionary's name."""
    if body_name is None:
        return
    if problems := name_errors(body_name):
        raise ValidationError({"name": problems})
    assert isinstance(body_name, str)  # noqa: S101 - narrowed by name_errors
    if normalize_name(body_name) != normalize_name(path_name):
        raise ValidationError(
            {"name": ["must match the dictionary in the path; renaming is not supported"]}
        )

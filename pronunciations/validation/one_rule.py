"""One rule as a PUT of ``…/rules/{mode}/{match}`` sends it, and where it may move to.

The rules of a rule in a whole dictionary apply (``pronunciations.validation.rule_problems``);
the API's rule endpoint, the scan's "add rule" and ``services.rule_put`` read these.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from core.text import problem
from pronunciations.models import Mode
from pronunciations.validation import VALUE_FIELD, match_key, rule_problems
from pronunciations.validation.comments import validate_comment
from pronunciations.validation.jsonvalues import Problems


@dataclass(frozen=True)
class RuleInput:
    """A validated PUT of one rule: its match as the body spelled it (None: the rule's own
    spelling, or the path's for a new rule), its value, where it goes (None: where it is, or
    last for a new rule), the comment, and whether it is switched off (None: as it is)."""

    match: str | None
    value: str
    position: int | None
    comment: str
    disabled: bool | None = None  # None: as the rule is (a new rule: on)


def validate_rule(mode: Mode, path_match: str, body: Mapping[str, Any]) -> RuleInput:
    """One rule of ``mode`` as a PUT sends it: the value field of the mode (``replace`` or
    ``ipa``), an optional ``match`` (the path's match, spelled as it is to be stored: the same
    comparison key), an optional ``position`` (a whole number from 0), ``comment`` and
    ``disabled`` (true or false; absent, a changed rule stays as it is).

    The rules of a rule in a whole dictionary apply (``rule_problems``); errors are keyed by
    the body's field names. The position's upper bound depends on the dictionary:
    ``validate_rule_position``.
    """
    value_field, other_field = VALUE_FIELD[mode], VALUE_FIELD[_OTHER_MODE[mode]]
    match = body.get("match", path_match)
    match_problems, value_problems = rule_problems(match, body.get(value_field))
    errors: Problems = {}
    if not match_problems and match_key(str(match)) != match_key(path_match):
        message = (
            "must be the path's match, in any case or spacing (to rename a rule, "
            "delete it and add the new one)"
        )
        match_problems = [problem(message, "renamed")]
    if match_problems:
        errors["match"] = match_problems
    if value_problems:
        errors[value_field] = value_problems
    if other_field in body:
        errors[other_field] = [problem(f"{mode.value} rules have no {other_field}", "other_mode")]
    disabled = body.get("disabled")
    if disabled is not None and not isinstance(disabled, bool):
        errors["disabled"] = [problem("must be true or false", "not_bool")]
    position = body.get("position")
    if position is not None and (
        isinstance(position, bool) or not isinstance(position, int) or position < 0
    ):
        errors["position"] = [problem("must be a whole number from 0", "position")]
    try:
        comment = validate_comment(body.get("comment"))
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    spelled = str(match) if "match" in body else None
    return RuleInput(spelled, str(body[value_field]), position, comment, disabled)


_OTHER_MODE = {Mode.REWRITE: Mode.IPA, Mode.IPA: Mode.REWRITE}


def validate_rule_position(position: int, *, last: int) -> int:
    """A rule's new position in its mode: ``0..last`` (``last`` is the index a rule appended
    now would get)."""
    if not 0 <= position <= last:
        raise ValidationError({"position": [f"must be a whole number from 0 to {last}"]})
    return position

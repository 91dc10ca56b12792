"""Validation of dictionary names, modes and metadata: the one home of these rules.

The API, the admin and the importers call these functions; services call them again. Each
check collects every problem and raises one ``ValidationError`` whose message dict is keyed by
field path, e.g. ``modes.rewrite.rules[3].match``.

The problems of modes and metadata are structured: each is a ``ValidationError`` with a
``code`` and ``params`` (the limit, the other rule's index, the character). The API shows their
messages (``message_dict``) as they are; the admin words them for linguists from the code and
params (``pronunciations.admin.wording``), so the rule itself is still stated only here.
"""

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError

from core.parameters import (
    NAME_MAX_LENGTH,
    ParameterError,
    name_errors,
    parameter_errors,
    validate_cursor_parameter,
    validate_int_parameter,
    validate_name_parameter,
    validate_names_parameter,
    validate_public_id,
)
from core.text import (
    FieldErrors,
    invisible_problems,
    list_errors,
    list_problems,
    plain_text,
    problem,
    problem_text,
    replace_unstorable,
    text_errors,
    text_problems,
    unstorable_errors,
    unstorable_problems,
)
from pronunciations.engine import rule_key
from pronunciations.models import Mode

# Checks (test sentences) live in checks.py, the language tag of metadata in language.py;
# requests' own inputs (preview text, Listen, path and query parameters) in requests.py. All are
# part of this module's interface.
from pronunciations.validation.checks import (
    CHECK_NOTE_MAX_LENGTH,
    CHECK_TEXT_MAX_LENGTH,
    MAX_CHECKS,
    Check,
    clean_checks,
    validate_checks,
)
from pronunciations.validation.comments import validate_comment, validate_review_comment

# IPA characters (hints, not errors: SLNG stores any text) live in ipa.py.
from pronunciations.validation.ipa import (
    IPA_RANGES,
    ipa_hint,
    ipa_phonemes,
    ipa_words,
    is_ipa_character,
    non_ipa_characters,
)

# Parsing JSON and metadata's rules live in jsonvalues.py.
from pronunciations.validation.jsonvalues import (
    Problems,
    clean_metadata,
    json_depth,
    parse_json,
)
from pronunciations.validation.language import language_tag_problems

# A dictionary's layers (includes, "layer only", the graph's cycles and depth) live in layers.py.
from pronunciations.validation.layers import (
    MAX_INCLUDES,
    MAX_LAYER_DEPTH,
    IncludeSpec,
    clean_includes,
    include_graph_problems,
    includer_depth,
    validate_includes,
)
from pronunciations.validation.limits import (
    COMMENT_MAX_LENGTH,
    MATCH_MAX_LENGTH,
    MAX_RULES_PER_MODE,
    VALUE_MAX_LENGTH,
)

# Names' identity and checks live in names.py.
from pronunciations.validation.names import normalize_name, validate_body_name, validate_name
from pronunciations.validation.requests import (
    SPEAK_LABEL_MAX_LENGTH,
    SpeakInput,
    validate_ipa_suggestion,
    validate_preview_text,
    validate_rule_parameters,
    validate_speak,
    validate_where_text,
)

# The field that carries a rule's output, per mode, on the wire.
VALUE_FIELD = {Mode.REWRITE: "replace", Mode.IPA: "ipa"}


@dataclass(frozen=True)
class RuleSpec:
    """A validated rule: ``value`` is the replace text (rewrite) or the IPA text (ipa)."""

    match: str
    value: str
    disabled: bool = False  # switched off: kept, never pushed nor previewed
    # ``match_key(match)`` where validation worked it out ("" elsewhere): the rule rows an import
    # writes take it from here instead of working it out again. Not part of the rule's value.
    key: str = field(default="", compare=False, repr=False)


Modes = dict[Mode, tuple[RuleSpec, ...]]


@dataclass(frozen=True)
class DictionaryInput:
    """A validated create or replace payload."""

    name: str
    modes: Modes
    metadata: dict[str, Any]
    includes: tuple[IncludeSpec, ...] | None = None  # None: keep the dictionary's layers
    layer_only: bool | None = None  # None: keep as it is


@functools.lru_cache(maxsize=2048)
def match_key(match: str) -> str:
    """The identity of a match for duplicate checks: the rewrite engine's own comparison key.

    The engine compares case-insensitively and treats any whitespace run as one space, so two
    matches with the same key could never both apply. Remembered for the last 2,048 matches: an
    import asks for each rule's key several times while it plans its dictionary.
    """
    return rule_key(match)


def _clean_rules(mode: Mode, raw: object, errors: Problems) -> tuple[RuleSpec, ...]:
    path = f"modes.{mode.value}.rules"
    if problems := list_problems(raw, items="rules", limit=MAX_RULES_PER_MODE):
        errors[path] = problems
        return ()
    assert isinstance(raw, list)  # noqa: S101 - checked by list_errors
    value_field = VALUE_FIELD[mode]
    seen: dict[str, int] = {}
    rules = []
    for index, item in enumerate(raw):
        if type(item) is dict:  # the common case first: a plain rule, told quickly
            match, value = item.get("match"), item.get(value_field)
            disabled = item.get("disabled", False)
            if (
                type(disabled) is bool
                and _plain_rule(match, value)
                and seen.setdefault(key := match_key(match), index) == index
            ):
                rules.append(RuleSpec(match, str(value), disabled, key))
                continue
        rule_path = f"{path}[{index}]"
        if not isinstance(item, Mapping):
            message = "must be an object with match and " + value_field
            errors[rule_path] = [problem(message, "not_object")]
            continue
        match, value = item.get("match"), item.get(value_field)
        match_problems, value_problems = rule_problems(match, value)
        disabled = item.get("disabled", False)
        if not isinstance(disabled, bool):
            errors[f"{rule_path}.disabled"] = [problem("must be true or false", "not_bool")]
        if not match_problems:
            assert isinstance(match, str)  # noqa: S101 - checked above
            first = seen.setdefault(match_key(match), index)
            if first != index:
                message = "duplicates rules[%(first)s].match (matches compare case-insensitively)"
                match_problems.append(problem(message, "duplicate", first=first))
        if match_problems:
            errors[f"{rule_path}.match"] = match_problems
        if value_problems:
            errors[f"{rule_path}.{value_field}"] = value_problems
        if not match_problems and not value_problems and isinstance(disabled, bool):
            rules.append(RuleSpec(match=str(match), value=str(value), disabled=disabled))
    return tuple(rules)


def _plain_rule(match: object, value: object) -> TypeGuard[str]:
    """True when ``rule_problems`` would find nothing (``match`` a string), told without
    building any problem; False when it may find some."""
    return (
        plain_text(match, max_length=MATCH_MAX_LENGTH, strip_edges=True)
        and plain_text(value, max_length=VALUE_MAX_LENGTH, strip_edges=False)
        and (str(match).isascii() or not invisible_problems(str(match)))
    )


def rule_problems(
    match: object, value: object
) -> tuple[list[ValidationError], list[ValidationError]]:
    """One rule's problems: of its match, and of its value (``replace`` or ``ipa``)."""
    match_problems = text_problems(match, max_length=MATCH_MAX_LENGTH, strip_edges=True)
    if isinstance(match, str):
        match_problems += invisible_problems(match)
    return match_problems, text_problems(value, max_length=VALUE_MAX_LENGTH, strip_edges=False)


def _clean_mode(mode: Mode, raw: object, errors: Problems) -> tuple[RuleSpec, ...]:
    if not isinstance(raw, Mapping):
        errors[f"modes.{mode.value}"] = [problem("must be an object with a rules array", "shape")]
        return ()
    if "rules" not in raw:
        if mode is Mode.REWRITE:
            errors["modes.rewrite.rules"] = [problem("modes.rewrite.rules is required", "required")]
        return ()
    return _clean_rules(mode, raw["rules"], errors)


def clean_modes(raw: object, errors: Problems) -> Modes:
    """Validate ``modes``; problems go into ``errors``. An empty ipa mode is dropped."""
    if not isinstance(raw, Mapping):
        errors["modes"] = [problem("modes is required and must be an object", "required")]
        return {}
    unsupported = sorted(str(key) for key in raw if key not in Mode.values)
    if unsupported:
        errors["modes"] = [
            problem("unsupported mode: %(mode)s", "unsupported", mode=key) for key in unsupported
        ]
    if Mode.REWRITE.value not in raw:
        errors.setdefault("modes", []).append(problem("modes.rewrite is required", "required"))
    modes: Modes = {Mode.REWRITE: ()}
    for mode in Mode:
        if mode.value in raw:
            modes[mode] = _clean_mode(mode, raw[mode.value], errors)
    if not modes.get(Mode.IPA):
        modes.pop(Mode.IPA, None)
    return modes


def validate_modes(raw: object) -> Modes:
    """Validate ``modes`` alone (used by preview and the admin)."""
    errors: Problems = {}
    modes = clean_modes(raw, errors)
    if errors:
        raise ValidationError(errors)
    return modes


def validate_dictionary(raw: object, *, require_name: bool = True) -> DictionaryInput:
    """Validate a whole create or replace payload and return its clean form."""
    if not isinstance(raw, Mapping):
        raise ValidationError({"body": ["request body must be a JSON object"]})
    errors: Problems = {}
    name = raw.get("name")
    if require_name:
        if name is None:
            errors["name"] = [problem("name is required", "required")]
        elif problems := name_errors(name):
            errors["name"] = [ValidationError(p) for p in problems]
    modes = clean_modes(raw.get("modes"), errors)
    metadata = clean_metadata(raw.get("metadata"), errors)
    includes = None
    if "includes" in raw:
        includes = clean_includes(raw["includes"], errors, own_name=str(name or ""))
    layer_only = raw.get("layer_only")
    if layer_only is not None and not isinstance(layer_only, bool):
        errors["layer_only"] = [problem("must be true or false", "not_bool")]
    if errors:
        raise ValidationError(errors)
    return DictionaryInput(str(name or ""), modes, metadata, includes, layer_only)


__all__ = [
    "COMMENT_MAX_LENGTH",
    "MATCH_MAX_LENGTH",
    "MAX_RULES_PER_MODE",
    "NAME_MAX_LENGTH",
    "VALUE_MAX_LENGTH",
    "FieldErrors",
    "invisible_problems",
    "list_errors",
    "list_problems",
    "name_errors",
    "problem",
    "problem_text",
    "replace_unstorable",
    "text_errors",
    "text_problems",
    "unstorable_errors",
    "unstorable_problems",
    "CHECK_NOTE_MAX_LENGTH",
    "CHECK_TEXT_MAX_LENGTH",
    "MAX_CHECKS",
    "IPA_RANGES",
    "SPEAK_LABEL_MAX_LENGTH",
    "Check",
    "clean_checks",
    "language_tag_problems",
    "validate_checks",
    "ParameterError",
    "SpeakInput",
    "ipa_hint",
    "ipa_phonemes",
    "ipa_words",
    "is_ipa_character",
    "non_ipa_characters",
    "parameter_errors",
    "validate_cursor_parameter",
    "validate_int_parameter",
    "validate_name_parameter",
    "validate_ipa_suggestion",
    "validate_names_parameter",
    "validate_preview_text",
    "validate_public_id",
    "validate_rule_parameters",
    "validate_speak",
    "validate_where_text",
    "Problems",
    "clean_metadata",
    "json_depth",
    "parse_json",
    "validate_comment",
    "validate_review_comment",
    "MAX_INCLUDES",
    "MAX_LAYER_DEPTH",
    "IncludeSpec",
    "clean_includes",
    "include_graph_problems",
    "includer_depth",
    "validate_includes",
    "normalize_name",
    "validate_body_name",
    "validate_name",
]

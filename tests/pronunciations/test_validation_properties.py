"""Hypothesis: validation accepts or refuses any JSON-like payload cleanly, and never crashes.

Generated text includes what no store or export format can hold (NUL, other C0 and C1
controls, lone surrogates, U+FFFE/U+FFFF) as well as ordinary Unicode: validation must never
crash on it and never accept it (issue 11).
"""

import json
from types import MappingProxyType
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from core.text import plain_text, text_problems
from pronunciations.content import modes_to_wire
from pronunciations.validation import (
    unstorable_errors,
    validate_comment,
    validate_dictionary,
    validate_modes,
    validate_preview_text,
)

UNSTORABLE = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\x9f", "\ud800", "\udfff"]
UNSTORABLE += ["\ufffe", "\uffff"]
unstorable = st.sampled_from(UNSTORABLE)
# Any code point, surrogates included (st.characters() leaves them out by default).
any_character = st.characters(codec=None, exclude_categories=())
texts = st.lists(any_character | unstorable, max_size=20).map("".join)
hostile_texts = st.tuples(texts, unstorable, texts).map("".join)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)
rule_text = st.lists(any_character | unstorable, max_size=140).map("".join)
rules = st.lists(
    st.fixed_dictionaries({"match": rule_text, "replace": rule_text}) | json_values, max_size=6
)
payloads = (
    st.fixed_dictionaries(
        {},
        optional={
            "name": texts | json_values,
            "modes": st.fixed_dictionaries(
                {},
                optional={
                    "rewrite": st.fixed_dictionaries({}, optional={"rules": rules | json_values})
                    | json_values,
                    "ipa": json_values,
                },
            )
            | json_values,
            "metadata": json_values,
        },
    )
    | json_values
)


def _strings(value: Any) -> list[str]:
    """Every string in a JSON-like value, dictionary keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [*_strings(key), *_strings(item)]]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


@settings(max_examples=400, deadline=None)
@given(payloads)
def test_any_payload_is_either_valid_or_refused_with_field_errors(payload: Any) -> None:
    try:
        clean = validate_dictionary(payload)
    except ValidationError as exc:
        refusal = exc.message_dict
    else:
        refusal = {}
    if refusal:
        assert all(isinstance(m, str) and m for ms in refusal.values() for m in ms)
        return
    again = validate_dictionary(
        {"name": clean.name, "modes": modes_to_wire(clean.modes), "metadata": clean.metadata}
    )
    assert again == clean


@settings(max_examples=400, deadline=None)
@given(payloads)
def test_what_validation_accepts_can_be_stored_and_encoded(payload: Any) -> None:
    """Issue 11: nothing accepted holds NUL, a control character or a lone surrogate."""
    try:
        clean = validate_dictionary(payload)
    except ValidationError:
        return
    stored = [clean.name, *_strings(modes_to_wire(clean.modes)), *_strings(clean.metadata)]
    assert all(not unstorable_errors(text) for text in stored)
    json.dumps(clean.metadata, ensure_ascii=False).encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(
    hostile_texts,
    st.sampled_from(["match", "replace", "ipa", "metadata key", "metadata value", "nested"]),
)
def test_an_unstorable_character_anywhere_is_refused_with_its_path(
    hostile: str, where: str
) -> None:
    """Issue 11: the refusal names the field path; it is never a crash or an acceptance."""
    rule = {"match": "ok", "replace": "fine"}
    modes: dict[str, Any] = {"rewrite": {"rules": [rule]}}
    metadata: dict[str, Any] = {}
    expected = {
        "match": "modes.rewrite.rules[0].match",
        "replace": "modes.rewrite.rules[0].replace",
        "ipa": "modes.ipa.rules[0].ipa",
        "metadata value": "metadata.k",
        "nested": "metadata.k[1].deep",
    }.get(where)
    if where in ("match", "replace"):
        rule[where] = f"a{hostile}b"  # never blank, never edged by whitespace
    elif where == "ipa":
        modes["ipa"] = {"rules": [{"match": "ok", "ipa": f"a{hostile}b"}]}
    elif where == "metadata key":
        metadata[hostile] = 1
    elif where == "metadata value":
        metadata["k"] = hostile
    else:
        metadata["k"] = [1, {"deep": hostile}]

    try:
        validate_dictionary({"name": "d", "modes": modes, "metadata": metadata})
    except ValidationError as exc:
        refusal = exc.message_dict
    else:
        raise AssertionError(f"accepted {hostile!r} in {where}")
    if expected is not None:
        assert expected in refusal
    else:
        [path] = refusal
        assert path.startswith("metadata.")
        assert not unstorable_errors(path)  # the path itself can be written in a response
    messages = [m for ms in refusal.values() for m in ms]
    assert any("control characters or unpaired surrogates" in m for m in messages)


@settings(max_examples=200, deadline=None)
@given(hostile_texts)
def test_preview_text_and_comments_refuse_unstorable_characters(hostile: str) -> None:
    """Issue 11: preview text and revision comments follow the same character rule."""
    for check, field in ((validate_preview_text, "text"), (validate_comment, "comment")):
        with pytest.raises(ValidationError) as caught:
            check(hostile)
        assert field in caught.value.message_dict


@settings(max_examples=400, deadline=None)
@given(rule_text | json_values, st.integers(0, 150), st.booleans())
def test_plain_text_is_text_without_problems(value: Any, limit: int, strip_edges: bool) -> None:
    """The quick check a rule's texts get first says yes exactly when the full one finds
    nothing."""
    full = text_problems(value, max_length=limit, strip_edges=strip_edges)
    assert plain_text(value, max_length=limit, strip_edges=strip_edges) == (not full)


def _outcome(modes: Any) -> Any:
    try:
        return validate_modes(modes)
    except ValidationError as exc:
        return exc.message_dict


edged = st.sampled_from(["", " ", "a", "A", "\u200b", "\t", "x" * 130, "é"])
quick_rules = st.lists(
    st.fixed_dictionaries(
        {"match": edged | rule_text, "replace": edged | rule_text},
        optional={"disabled": st.booleans() | json_values},
    )
    | json_values,
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(quick_rules)
def test_the_quick_path_for_plain_rules_changes_no_outcome(rules: list[Any]) -> None:
    """Rules as plain dicts take the quick path; the same rules as other mappings take the full
    one: the same rules kept, or the same problems at the same paths."""
    as_mappings = [MappingProxyType(r) if isinstance(r, dict) else r for r in rules]
    quick = _outcome({"rewrite": {"rules": rules}})
    full = _outcome({"rewrite": {"rules": as_mappings}})
    assert quick == full

"""Hypothesis: validation accepts or refuses any JSON-like payload cleanly, and never crashes."""

from typing import Any

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from pronunciations.content import modes_to_wire
from pronunciations.validation import validate_dictionary

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
rule_text = st.text(min_size=0, max_size=140)
rules = st.lists(
    st.fixed_dictionaries({"match": rule_text, "replace": rule_text}) | json_values, max_size=6
)
payloads = (
    st.fixed_dictionaries(
        {},
        optional={
            "name": st.text(max_size=140) | json_values,
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

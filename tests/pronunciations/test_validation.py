"""Every validation rule at its boundary, through the one validation module."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from pronunciations.models import Mode
from pronunciations.validation import RuleSpec, match_key, validate_dictionary, validate_name


def _errors(payload: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        validate_dictionary(payload)
    return caught.value.message_dict


def _payload(rules: Any = None, ipa: Any = None, **extra: Any) -> dict[str, Any]:
    modes: dict[str, Any] = {"rewrite": {"rules": rules if rules is not None else []}}
    if ipa is not None:
        modes["ipa"] = {"rules": ipa}
    return {"name": "d", "modes": modes, **extra}


@pytest.mark.parametrize("name", ["a", "A" * 128, "brand-pronunciations", "v1.2_beta", "-._"])
def test_valid_names(name: str) -> None:
    assert validate_name(name) == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "must not be empty"),
        ("a" * 129, "must be at most 128 characters"),
        ("with space", "may contain only letters, digits, '.', '_' and '-'"),
        ("ümlaut", "may contain only letters, digits, '.', '_' and '-'"),
        ("trailing\n", "may contain only letters, digits, '.', '_' and '-'"),
        (7, "must be a string"),
    ],
)
def test_invalid_names(name: Any, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_name(name)
    assert message in caught.value.message_dict["name"]


def test_name_is_required() -> None:
    assert _errors({"modes": {"rewrite": {"rules": []}}}) == {"name": ["name is required"]}


def test_256_rules_per_mode_are_accepted_and_257_refused() -> None:
    rules = [{"match": f"w{i}", "replace": "r"} for i in range(257)]
    ipa = [{"match": f"w{i}", "ipa": "r"} for i in range(257)]

    clean = validate_dictionary(_payload(rules[:256], ipa[:256]))

    assert len(clean.modes[Mode.REWRITE]) == 256
    assert len(clean.modes[Mode.IPA]) == 256
    assert _errors(_payload(rules, ipa)) == {
        "modes.rewrite.rules": ["must have at most 256 rules, got 257"],
        "modes.ipa.rules": ["must have at most 256 rules, got 257"],
    }


def test_match_length_boundary() -> None:
    ok = validate_dictionary(_payload([{"match": "m" * 128, "replace": "r"}]))

    assert ok.modes[Mode.REWRITE] == (RuleSpec("m" * 128, "r"),)
    assert _errors(_payload([{"match": "m" * 129, "replace": "r"}])) == {
        "modes.rewrite.rules[0].match": ["must be at most 128 characters"]
    }


def test_replace_and_ipa_length_boundary() -> None:
    validate_dictionary(
        _payload([{"match": "a", "replace": "r" * 256}], [{"match": "a", "ipa": "i" * 256}])
    )

    assert _errors(
        _payload([{"match": "a", "replace": "r" * 257}], [{"match": "a", "ipa": "i" * 257}])
    ) == {
        "modes.rewrite.rules[0].replace": ["must be at most 256 characters"],
        "modes.ipa.rules[0].ipa": ["must be at most 256 characters"],
    }


@pytest.mark.parametrize("blank", ["", " ", "\t\n", "\u3000"])
def test_blank_or_whitespace_values_are_refused(blank: str) -> None:
    assert _errors(_payload([{"match": blank, "replace": blank}])) == {
        "modes.rewrite.rules[0].match": ["must not be empty or whitespace only"],
        "modes.rewrite.rules[0].replace": ["must not be empty or whitespace only"],
    }


def test_match_with_surrounding_whitespace_is_refused() -> None:
    assert _errors(_payload([{"match": " ACH", "replace": "a"}])) == {
        "modes.rewrite.rules[0].match": ["must not start or end with whitespace"]
    }


def test_unicode_is_accepted_and_lengths_count_characters() -> None:
    rules = [
        {"match": "नमस्ते", "replace": "नमस्कार 🙏"},
        {"match": "🚀" * 128, "replace": "रॉकेट" * 51},
        {"match": "Café", "replace": "ka fay"},
    ]

    clean = validate_dictionary(_payload(rules))

    assert [rule.match for rule in clean.modes[Mode.REWRITE]] == [r["match"] for r in rules]


def test_duplicate_match_is_refused_case_insensitively() -> None:
    rules = [
        {"match": "ACH", "replace": "a"},
        {"match": "b2b", "replace": "b"},
        {"match": "ach", "replace": "c"},
        {"match": "B2B", "replace": "d"},
    ]

    assert _errors(_payload(rules)) == {
        "modes.rewrite.rules[2].match": [
            "duplicates rules[0].match (matches compare case-insensitively)"
        ],
        "modes.rewrite.rules[3].match": [
            "duplicates rules[1].match (matches compare case-insensitively)"
        ],
    }


def test_the_same_match_may_appear_in_both_modes() -> None:
    clean = validate_dictionary(
        _payload([{"match": "SLNG", "replace": "slang"}], [{"match": "SLNG", "ipa": "slɪŋ"}])
    )

    assert set(clean.modes) == {Mode.REWRITE, Mode.IPA}


def test_match_key_folds_case_and_whitespace_runs() -> None:
    assert match_key("ACH  Transfer") == match_key("ach transfer")
    assert match_key("STRASSE") == match_key("straße")


@pytest.mark.parametrize(
    ("modes", "errors"),
    [
        (None, {"modes": ["modes is required and must be an object"]}),
        ([], {"modes": ["modes is required and must be an object"]}),
        ({}, {"modes": ["modes.rewrite is required"]}),
        ({"rewrite": {}}, {"modes.rewrite.rules": ["modes.rewrite.rules is required"]}),
        ({"rewrite": []}, {"modes.rewrite": ["must be an object with a rules array"]}),
        ({"rewrite": {"rules": {}}}, {"modes.rewrite.rules": ["must be an array of rules"]}),
        (
            {"rewrite": {"rules": ["x"]}},
            {"modes.rewrite.rules[0]": ["must be an object with match and replace"]},
        ),
        (
            {"rewrite": {"rules": [{"match": 1, "replace": None}]}},
            {
                "modes.rewrite.rules[0].match": ["is required and must be a string"],
                "modes.rewrite.rules[0].replace": ["is required and must be a string"],
            },
        ),
        (
            {"rewrite": {"rules": []}, "ssml": {}, "Rewrite": {}},
            {"modes": ["unsupported mode: Rewrite", "unsupported mode: ssml"]},
        ),
    ],
)
def test_malformed_modes(modes: Any, errors: dict[str, list[str]]) -> None:
    assert _errors({"name": "d", "modes": modes}) == errors


def test_empty_ipa_rules_and_missing_ipa_rules_mean_no_ipa_mode() -> None:
    assert Mode.IPA not in validate_dictionary(_payload([], [])).modes
    assert (
        Mode.IPA
        not in validate_dictionary(
            {"name": "d", "modes": {"rewrite": {"rules": []}, "ipa": {}}}
        ).modes
    )


def test_metadata_must_be_an_object_and_null_means_none() -> None:
    assert validate_dictionary(_payload(metadata=None)).metadata == {}
    assert _errors(_payload(metadata="text")) == {"metadata": ["must be an object"]}


def test_metadata_size_is_bounded(settings: Any) -> None:
    settings.LEXICON_MAX_METADATA_BYTES = 100
    fits = {"k": "v" * 92}  # {"k":"vvv…"} is exactly 100 bytes

    assert validate_dictionary(_payload(metadata=fits)).metadata == fits
    assert _errors(_payload(metadata={"k": "v" * 93})) == {
        "metadata": ["must be at most 100 bytes as JSON, got 101"]
    }

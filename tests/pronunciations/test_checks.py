"""Checks (test sentences) at the engine level: they pass and fail exactly as the engine rewrites,
and their validation bounds every field."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from pronunciations import checks, preview
from pronunciations.content import modes_from_wire
from pronunciations.validation import Check, validate_checks
from sync.management.commands.demo_setup import AGENTS, BRAND

# The guide's four rewrite rules (SLNG, QubePay, ACH transfer, ACH) and an IPA rule for SLNG:
# the demo's support dictionary flattened with its brand layer.
GUIDE = modes_from_wire(
    {**BRAND, "rewrite": {"rules": [*BRAND["rewrite"]["rules"], *AGENTS[0][2]]}}
)
GUIDE_IPA = {"match": "Lexicon", "ipa": "ˈlɛksɪkɒn"}


def _got(text: str) -> str:
    [result] = checks.run(GUIDE, [Check(text, "")])
    return str(result["got"])


@pytest.mark.parametrize(
    ("text", "got"),
    [
        # The longest match wins: "ACH transfer" over "ACH".
        ("Pay by ACH transfer", "Pay by ay see aitch transfer"),
        ("Pay by ACH", "Pay by ay see aitch"),
        # Case-insensitive comparison; the replacement is inserted verbatim.
        ("slng and qubepay", "slang and cube pay"),
        # Whole words only: no match inside a word, punctuation is a boundary.
        ("SLNGs QubePayments", "SLNGs QubePayments"),
        ("(SLNG), SLNG.", "(slang), slang."),
        # Any whitespace run inside a phrase matches its single space, and is replaced whole.
        ("ACH\n\t transfer", "ay see aitch transfer"),
        # Every occurrence, left to right.
        ("SLNG QubePay SLNG", "slang cube pay slang"),
    ],
)
def test_got_is_exactly_what_the_engine_makes_of_the_text(text: str, got: str) -> None:
    assert _got(text) == got


def test_ipa_rules_are_stored_never_executed() -> None:
    ipa_only = modes_from_wire({"rewrite": {"rules": []}, "ipa": {"rules": [GUIDE_IPA]}})

    assert checks.run(ipa_only, [Check("Lexicon", "Lexicon")])[0]["passed"] is True


def test_a_check_passes_only_when_got_equals_expect_character_for_character() -> None:
    results = checks.run(
        GUIDE,
        [
            Check("Pay by ACH transfer", "Pay by ay see aitch transfer"),
            Check("Pay by ACH", "Pay by ay see aitch "),  # a trailing space is a difference
            Check("SLNG", "Slang"),  # case is compared exactly in expect
            Check("SLNGs", "SLNGs", note="no match inside a word"),
        ],
    )

    assert results == [
        {
            "text": "Pay by ACH transfer",
            "expect": "Pay by ay see aitch transfer",
            "got": "Pay by ay see aitch transfer",
            "passed": True,
        },
        {
            "text": "Pay by ACH",
            "expect": "Pay by ay see aitch ",
            "got": "Pay by ay see aitch",
            "passed": False,
        },
        {"text": "SLNG", "expect": "Slang", "got": "slang", "passed": False},
        {"text": "SLNGs", "expect": "SLNGs", "got": "SLNGs", "passed": True},
    ]
    assert checks.summary(results) == {"passed": 2, "failed": 2}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="SLNG AChtransferQubePay.,-é\n", max_size=60))
def test_checks_agree_with_preview_on_any_text(text: str) -> None:
    [result] = checks.run(GUIDE, [Check(text or "x", "x")])

    assert result["got"] == preview.rewrite(GUIDE, text or "x").text


def test_checks_survive_the_wire_form_with_their_notes() -> None:
    kept = (Check("a", "b"), Check("c", "d", note="why"))

    wire = checks.checks_to_wire(kept)

    assert wire == [{"text": "a", "expect": "b"}, {"text": "c", "expect": "d", "note": "why"}]
    assert checks.checks_from_wire(wire) == kept


# -- validation -----------------------------------------------------------------------------


def _errors(raw: object) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        validate_checks(raw)
    return caught.value.message_dict


def test_at_most_256_checks() -> None:
    many = [{"text": f"t{i}", "expect": "e"} for i in range(257)]

    assert len(validate_checks(many[:256])) == 256
    assert _errors(many) == {"checks": ["must have at most 256 checks, got 257"]}


def test_text_and_expect_are_at_most_1000_characters_and_the_note_500() -> None:
    fits = {"text": "a" * 1000, "expect": "b" * 1000, "note": "n" * 500}

    assert validate_checks([fits]) == (Check("a" * 1000, "b" * 1000, "n" * 500),)
    assert _errors([{"text": "a" * 1001, "expect": "b" * 1001, "note": "n" * 501}]) == {
        "checks[0].text": ["must be at most 1000 characters"],
        "checks[0].expect": ["must be at most 1000 characters"],
        "checks[0].note": ["must be at most 500 characters"],
    }


def test_unstorable_characters_are_refused_like_everywhere_else() -> None:
    assert _errors([{"text": "a\x00", "expect": "b\ud800", "note": "\x1b"}]) == {
        "checks[0].text": ["must not contain control characters or unpaired surrogates (U+0000)"],
        "checks[0].expect": ["must not contain control characters or unpaired surrogates (U+D800)"],
        "checks[0].note": ["must not contain control characters or unpaired surrogates (U+001B)"],
    }


def test_every_problem_is_listed_by_its_path() -> None:
    assert _errors(
        [
            "text",
            {"expect": "e"},
            {"text": "  ", "expect": 3},
            {"text": "Hello", "expect": "x"},
            {"text": "Hello", "expect": "y", "note": 7},
        ]
    ) == {
        "checks[0]": ["must be an object with text and expect"],
        "checks[1].text": ["is required and must be a string"],
        "checks[2].text": ["must not be empty or whitespace only"],
        "checks[2].expect": ["is required and must be a string"],
        "checks[4].text": ["duplicates checks[3].text"],
        "checks[4].note": ["must be a string"],
    }
    assert _errors({"text": "a"}) == {"checks": ["must be an array of checks"]}


def test_texts_differing_in_case_are_different_checks_and_null_is_none() -> None:
    both = [{"text": "Hello", "expect": "a"}, {"text": "hello", "expect": "b", "note": None}]

    assert validate_checks(both) == (Check("Hello", "a"), Check("hello", "b"))
    assert validate_checks(None) == ()
    assert validate_checks([]) == ()

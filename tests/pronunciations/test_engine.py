"""Rewrite engine tests: SLNG's documented semantics, our boundary choices, and a naive oracle."""

import re
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace as with_changes
from itertools import pairwise

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pronunciations.engine import (
    CACHE_SIZE,
    Applied,
    Matcher,
    RewriteResult,
    Rule,
    matcher_for,
    rule_key,
)

GUIDE_RULES = [
    Rule("SLNG", "slang"),
    Rule("QubePay", "cube pay"),
    Rule("ACH transfer", "ay see aitch transfer"),
    Rule("ACH", "ay see aitch"),
]


def rewrite(rules: list[Rule], text: str) -> str:
    return Matcher(rules).rewrite(text).text


# --- SLNG's documented behaviour -----------------------------------------------------------------


def test_guide_example() -> None:
    text = "Send it with QubePay: SLNG reads ACH transfer and ACH fees."
    assert rewrite(GUIDE_RULES, text) == (
        "Send it with cube pay: slang reads ay see aitch transfer and ay see aitch fees."
    )


def test_longest_match_wins_whatever_the_rule_order() -> None:
    short_first = [Rule("ACH", "SHORT"), Rule("ACH transfer", "LONG")]
    assert rewrite(short_first, "an ACH transfer") == "an LONG"
    assert rewrite(list(reversed(short_first)), "an ACH transfer") == "an LONG"


def test_falls_back_to_shorter_rule_when_longer_fails_its_boundary() -> None:
    rules = [Rule("ACH", "X"), Rule("ACH t", "Y")]
    assert rewrite(rules, "ACH transfer") == "X transfer"


def test_replacement_is_never_rescanned() -> None:
    assert rewrite([Rule("a", "b"), Rule("b", "c")], "a") == "b"


def test_replacement_is_not_joined_with_following_text() -> None:
    assert rewrite([Rule("x", "ab"), Rule("ab c", "Z")], "x c") == "ab c"


def test_whole_word_only() -> None:
    assert rewrite(GUIDE_RULES, "ACHE and CACH and ACH") == "ACHE and CACH and ay see aitch"


def test_case_insensitive_match_and_verbatim_replace() -> None:
    rules = [Rule("qubepay", "Cube PAY")]
    assert rewrite(rules, "QUBEPAY qubePay") == "Cube PAY Cube PAY"


def test_first_rule_wins_between_matches_differing_only_by_case() -> None:
    result = Matcher([Rule("Ach", "first"), Rule("ACH", "second")]).rewrite("ach")
    assert result.text == "first"
    assert result.applied[0].index == 0


def test_rewrite_is_deterministic_and_matcher_reusable() -> None:
    matcher = Matcher(GUIDE_RULES)
    text = "SLNG " * 50
    assert matcher.rewrite(text) == matcher.rewrite(text)


# --- spans ---------------------------------------------------------------------------------------


def test_applied_records_rule_and_both_spans() -> None:
    result = Matcher(GUIDE_RULES).rewrite("Use SLNG or an ACH transfer.")
    assert result == RewriteResult(
        text="Use slang or an ay see aitch transfer.",
        applied=(
            Applied(0, "SLNG", "slang", 4, 8, 4, 9),
            Applied(2, "ACH transfer", "ay see aitch transfer", 15, 27, 16, 37),
        ),
    )


def test_spans_count_code_points_around_emoji() -> None:
    result = Matcher([Rule("ok", "👍 okay")]).rewrite("🙂 ok 🙂")
    assert result.text == "🙂 👍 okay 🙂"
    assert result.applied == (Applied(0, "ok", "👍 okay", 2, 4, 2, 8),)


def test_no_rules_returns_text_unchanged() -> None:
    assert Matcher([]).rewrite("Anything, ACH.") == RewriteResult("Anything, ACH.", ())


def test_empty_text() -> None:
    assert Matcher(GUIDE_RULES).rewrite("") == RewriteResult("", ())


def test_blank_match_never_matches() -> None:
    assert rewrite([Rule("", "X"), Rule("   ", "Y")], "a  b") == "a  b"


# --- boundaries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NAIC's", "N.A.I.C.'s"),
        ("NAIC’s", "N.A.I.C.’s"),
        ("NAIC-approved", "N.A.I.C.-approved"),
        ("pre-NAIC", "pre-N.A.I.C."),
        ("(NAIC)", "(N.A.I.C.)"),
        ("NAIC_x", "NAIC_x"),
        ("NAICs", "NAICs"),
    ],
)
def test_punctuation_is_a_boundary_but_underscore_is_not(text: str, expected: str) -> None:
    assert rewrite([Rule("NAIC", "N.A.I.C.")], text) == expected


@pytest.mark.parametrize(
    ("rule", "text", "expected"),
    [
        ("B2B", "B2B2C and B2B", "B2B2C and X"),
        ("3M", "13M 3M", "13M X"),
        ("3M", "3M's 3M.", "X's X."),
    ],
)
def test_digits_are_word_characters(rule: str, text: str, expected: str) -> None:
    assert rewrite([Rule(rule, "X")], text) == expected


def test_rule_with_punctuation_edge_still_needs_non_word_neighbours() -> None:
    rules = [Rule("C++", "see plus plus")]
    assert rewrite(rules, "C++, C++x") == "see plus plus, C++x"


@pytest.mark.parametrize(
    "text", ["ACH  transfer", "ACH\ntransfer", "ACH \t\n transfer", "ACH\u00a0transfer"]
)
def test_space_in_match_matches_any_whitespace_run(text: str) -> None:
    result = Matcher(GUIDE_RULES).rewrite(f"an {text}.")
    assert result.text == "an ay see aitch transfer."
    assert result.applied[0].end - result.applied[0].start == len(text)


def test_whitespace_runs_in_match_are_one_space() -> None:
    assert rewrite([Rule("ACH \n transfer", "X")], "ACH transfer") == "X"


def test_match_needs_some_whitespace_where_rule_has_space() -> None:
    assert rewrite([Rule("ACH transfer", "X")], "ACHtransfer ACH-transfer") == (
        "ACHtransfer ACH-transfer"
    )


# --- Unicode -------------------------------------------------------------------------------------


def test_accented_latin_matches_any_case() -> None:
    rules = [Rule("café", "ka-fay")]
    assert rewrite(rules, "CAFÉ, Café and cafe") == "ka-fay, ka-fay and cafe"


def test_decomposed_accent_is_part_of_the_word() -> None:
    # "cafe" + COMBINING ACUTE: the mark is a word character, so the rule "cafe" stops short.
    assert rewrite([Rule("cafe", "X")], "cafe\u0301 cafe") == "cafe\u0301 X"


def test_sharp_s_matches_its_full_case_folding() -> None:
    rules = [Rule("Straße", "street")]
    assert rewrite(rules, "STRASSE, straße, Strasse") == "street, street, street"
    assert rewrite([Rule("STRASSE", "street")], "Straße") == "street"


def test_match_never_ends_inside_a_character_that_folds_to_several() -> None:
    # "ß" folds to "ss": the rule "s" must not match half of it.
    assert rewrite([Rule("s", "X"), Rule("sß", "Y")], "ß s sß ss") == "ß X Y ss"


def test_spans_point_at_input_characters_when_folding_expands() -> None:
    result = Matcher([Rule("ss", "X")]).rewrite("Aß ß")
    assert result.text == "Aß X"
    assert result.applied == (Applied(0, "ss", "X", 3, 4, 3, 4),)


def test_hindi_word_does_not_match_prefix_of_longer_word() -> None:
    # "कमी" is "कम" followed by the vowel sign ी (a combining mark).
    assert rewrite([Rule("कम", "kam")], "कमी") == "कमी"


@pytest.mark.parametrize(
    ("text", "expected"), [("कम है", "kam है"), ("यह कम।", "यह kam।"), ("कम", "kam")]
)
def test_hindi_word_matches_before_space_or_danda(text: str, expected: str) -> None:
    assert rewrite([Rule("कम", "kam")], text) == expected


def test_hindi_word_does_not_match_after_a_vowel_sign() -> None:
    # "किताब": the rule "ताब" would start right after the vowel sign ि, inside the word.
    assert rewrite([Rule("ताब", "X")], "किताब ताब") == "किताब X"


def test_hindi_word_ending_in_virama_is_whole() -> None:
    assert rewrite([Rule("नमस्", "X")], "नमस्ते नमस्") == "नमस्ते X"


def test_cjk_rule_matches_inside_cjk_running_text() -> None:
    assert rewrite([Rule("東京", "Tokyo")], "私は東京都に行く") == "私はTokyo都に行く"


def test_longest_cjk_rule_wins() -> None:
    rules = [Rule("東京", "Tokyo"), Rule("東京都", "Tokyo-to")]
    assert rewrite(rules, "東京都庁") == "Tokyo-to庁"


def test_latin_name_glued_to_cjk_text_matches() -> None:
    assert rewrite(GUIDE_RULES, "用SLNG的模型") == "用slang的模型"


def test_latin_name_glued_to_latin_inside_cjk_text_does_not_match() -> None:
    assert rewrite(GUIDE_RULES, "用SLNGX的") == "用SLNGX的"


def test_thai_rule_matches_without_spaces() -> None:
    assert rewrite([Rule("ไทย", "Thai")], "ภาษาไทยง่าย") == "ภาษาThaiง่าย"


def test_hangul_needs_word_boundaries() -> None:
    assert rewrite([Rule("한국", "Korea")], "한국어 한국") == "한국어 Korea"


def test_emoji_in_replacement_is_inserted_verbatim() -> None:
    assert rewrite([Rule("love", "❤️")], "I love SLNG") == "I ❤️ SLNG"


def test_rule_key_folds_case_and_whitespace() -> None:
    assert rule_key("ACH \n Transfer") == rule_key("ach transfer") == "ach transfer"


# --- the examples of the README's rewrite semantics section -------------------------------------

GUIDE = tuple((rule.match, rule.replace) for rule in GUIDE_RULES)
DOCUMENTED_EXAMPLES = [
    (
        GUIDE,
        "Pay with QubePay or an ACH transfer; SLNG reads ACH fees.",
        "Pay with cube pay or an ay see aitch transfer; slang reads ay see aitch fees.",
    ),
    ((("a", "b"), ("b", "c")), "a b", "b c"),
    ((("ACH", "X"), ("ACH t", "Y")), "ACH transfer", "X transfer"),
    ((("qubepay", "Cube PAY"),), "QUBEPAY qubePay", "Cube PAY Cube PAY"),
    ((("ACH", "X"),), "ACHE, CACH, ACH", "ACHE, CACH, X"),
    (
        (("NAIC", "N.A.I.C."),),
        "NAIC's NAIC’s NAIC-approved (NAIC) NAIC_x NAICs",
        "N.A.I.C.'s N.A.I.C.’s N.A.I.C.-approved (N.A.I.C.) NAIC_x NAICs",
    ),
    ((("B2B", "X"), ("3M", "Y")), "B2B2C B2B 13M 3M", "B2B2C X 13M Y"),
    ((("C++", "see plus plus"),), "C++, C++x", "see plus plus, C++x"),
    ((("कम", "kam"),), "कमी कम। कम है", "कमी kam। kam है"),
    ((("ताब", "X"),), "किताब", "किताब"),
    ((("cafe", "X"),), "cafe\u0301 cafe", "cafe\u0301 X"),
    ((("東京", "Tokyo"), ("東京都", "Tokyo-to")), "東京都庁 東京に", "Tokyo-to庁 Tokyoに"),
    ((("ไทย", "Thai"),), "ภาษาไทยง่าย", "ภาษาThaiง่าย"),
    ((("SLNG", "slang"),), "用SLNG的 用SLNGX的", "用slang的 用SLNGX的"),
    ((("한국", "Korea"),), "한국어 한국", "한국어 Korea"),
    ((("café", "ka-fay"),), "CAFÉ Café cafe", "ka-fay ka-fay cafe"),
    ((("Straße", "street"),), "STRASSE Strasse straße", "street street street"),
    ((("s", "X"),), "ß", "ß"),
    (
        (("ACH transfer", "X"),),
        "ACH  transfer / ACH\ntransfer / ACHtransfer / ACH-transfer",
        "X / X / ACHtransfer / ACH-transfer",
    ),
    ((("ok", "👍 okay"),), "🙂 ok 🙂", "🙂 👍 okay 🙂"),
]


@pytest.mark.parametrize(("rules", "text", "expected"), DOCUMENTED_EXAMPLES)
def test_documented_example(rules: tuple[tuple[str, str], ...], text: str, expected: str) -> None:
    assert rewrite([Rule(match, replace) for match, replace in rules], text) == expected


# --- cache ---------------------------------------------------------------------------------------


def test_matcher_for_returns_same_object_for_same_key() -> None:
    first = matcher_for("test-same-key", GUIDE_RULES)
    assert matcher_for("test-same-key", []) is first
    assert first.rewrite("SLNG").text == "slang"


def test_matcher_for_builds_separately_per_key() -> None:
    assert matcher_for("test-key-a", GUIDE_RULES) is not matcher_for("test-key-b", GUIDE_RULES)


def test_matcher_for_evicts_least_recently_used() -> None:
    oldest = matcher_for("test-evict-oldest", [])
    kept = matcher_for("test-evict-kept", [])
    for number in range(CACHE_SIZE - 1):
        matcher_for(f"test-evict-{number}", [])
        matcher_for("test-evict-kept", [])
    assert matcher_for("test-evict-kept", []) is kept
    assert matcher_for("test-evict-oldest", []) is not oldest


def test_matcher_for_is_shared_between_threads() -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        matchers = list(pool.map(lambda _: matcher_for("test-threads", GUIDE_RULES), range(64)))
    assert all(matcher is matchers[0] for matcher in matchers)


# --- property: the engine agrees with a naive oracle ---------------------------------------------

NO_SPACE_NAMES = (
    "CJK UNIFIED IDEOGRAPH",
    "HIRAGANA",
    "KATAKANA",
    "THAI",
    "LAO",
    "KHMER",
    "MYANMAR",
)


def is_word(char: str) -> bool:
    return char == "_" or unicodedata.category(char)[0] in "LMN"


def is_no_space(char: str) -> bool:
    return is_word(char) and unicodedata.name(char, "").startswith(NO_SPACE_NAMES)


def boundary_ok(outside: str | None, edge: str) -> bool:
    return outside is None or not is_word(outside) or is_no_space(outside) or is_no_space(edge)


def naive_end(text: str, start: int, key: str) -> int | None:
    """Where `key` matches from `start`, comparing whole slices: whitespace-run and case blind."""
    for end in range(start + 1, len(text) + 1):
        chunk = text[start:end]
        if chunk == chunk.strip() and " ".join(chunk.split()).casefold() == key:
            return end
    return None


def naive_best(rules: list[Rule], text: str, start: int) -> tuple[int, int] | None:
    """Try every rule at `start`: (end, index) of the longest on boundaries, first on ties."""
    best: tuple[int, int] | None = None
    before = text[start - 1] if start else None
    for index, rule in enumerate(rules):
        key = " ".join(rule.match.split()).casefold()
        end = naive_end(text, start, key) if key else None
        if end is None or not boundary_ok(before, text[start]):
            continue
        if boundary_ok(text[end] if end < len(text) else None, text[end - 1]) and (
            best is None or end > best[0]
        ):
            best = (end, index)
    return best


def naive_rewrite(rules: list[Rule], text: str) -> str:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        best = naive_best(rules, text, pos)
        if best is None:
            out.append(text[pos])
            pos += 1
        else:
            out.append(rules[best[1]].replace)
            pos = best[0]
    return "".join(out)


# Latin with case pairs and expanding folds, a Devanagari letter and vowel sign, Han, Thai.
ALPHABET = "aAsSßẞéÉ कि中ก \n'-.1_"
rules_strategy = st.lists(
    st.builds(Rule, st.text("asßé कि中ก", min_size=1, max_size=4), st.text("xy 中", max_size=3)),
    max_size=6,
)


@st.composite
def rules_and_text(draw: st.DrawFn) -> tuple[list[Rule], str]:
    """Rules, and a text glued from random characters and rule matches in varied case."""
    rules = draw(rules_strategy)
    pieces = st.text(ALPHABET, max_size=3)
    if rules:
        matches = st.sampled_from([rule.match for rule in rules])
        pieces = pieces | matches | matches.map(str.upper) | matches.map(str.title)
    return rules, "".join(draw(st.lists(pieces, max_size=8)))


@settings(max_examples=500, deadline=None)
@given(case=rules_and_text())
@example(case=([Rule("s", "x"), Rule("ss", "y")], "ßS ẞ"))
@example(case=([Rule("a a", "x"), Rule("a", "y")], "a \n a a-a"))
def test_engine_matches_naive_reference(case: tuple[list[Rule], str]) -> None:
    rules, text = case
    assert Matcher(rules).rewrite(text).text == naive_rewrite(rules, text)


@settings(max_examples=300, deadline=None)
@given(case=rules_and_text())
def test_applied_spans_rebuild_the_output(case: tuple[list[Rule], str]) -> None:
    rules, text = case
    result = Matcher(rules).rewrite(text)
    rebuilt: list[str] = []
    copied = 0
    for item in result.applied:
        assert copied <= item.start < item.end
        assert rule_key(text[item.start : item.end]) == rule_key(rules[item.index].match)
        assert result.text[item.out_start : item.out_end] == item.replace
        rebuilt += (text[copied : item.start], item.replace)
        copied = item.end
    rebuilt.append(text[copied:])
    assert "".join(rebuilt) == result.text


def test_regex_word_class_never_matches_a_boundary_character() -> None:
    """The engine skips word interiors with re's \\w, so every \\w match is a word character."""
    every_character = "".join(map(chr, range(sys.maxunicode + 1)))
    matched = set(re.findall(r"\w", every_character))
    assert {char for char in matched if not is_word(char)} == set()


# --- properties the issue lists ------------------------------------------------------------------

# Match characters: Latin with case pairs and an expanding fold, Devanagari, Han, punctuation.
MATCH_ALPHABET = "asSßé क中-."
match_strategy = st.text(MATCH_ALPHABET, min_size=1, max_size=4)
distinct_rules = st.lists(
    st.builds(Rule, match_strategy, st.text("xy 中", max_size=3)),
    max_size=6,
    unique_by=lambda rule: rule_key(rule.match),
)


@st.composite
def text_with(draw: st.DrawFn, phrases: list[str]) -> str:
    """A text glued from random characters and `phrases` in varied case."""
    pieces = st.text(ALPHABET, max_size=3)
    if phrases:
        chosen = st.sampled_from(phrases)
        pieces = pieces | chosen | chosen.map(str.upper) | chosen.map(str.swapcase)
    return "".join(draw(st.lists(pieces, max_size=8)))


@st.composite
def nested_rules(draw: st.DrawFn) -> list[Rule]:
    """Rules with distinct keys, some extending another's match, so longest-first matters."""
    rules = draw(distinct_rules)
    if rules:
        heads = st.sampled_from([rule.match for rule in rules])
        longer = st.tuples(heads, st.sampled_from(" -."), match_strategy).map("".join)
        rules += draw(st.lists(st.builds(Rule, longer, st.text("xy", max_size=2)), max_size=4))
    return list({rule_key(rule.match): rule for rule in rules}.values())  # keys stay distinct


@st.composite
def nested_rules_and_text(draw: st.DrawFn) -> tuple[list[Rule], str]:
    """Nested rules and a text using their matches."""
    rules = draw(nested_rules())
    return rules, draw(text_with([rule.match for rule in rules]))


@st.composite
def reordered_rules(draw: st.DrawFn) -> tuple[list[Rule], list[int], str]:
    """Nested rules, a permutation of their indices, and a text using them."""
    rules, text = draw(nested_rules_and_text())
    return rules, list(draw(st.permutations(range(len(rules))))), text


@st.composite
def rescannable_rules(draw: st.DrawFn) -> tuple[list[Rule], str]:
    """Rules whose replacements are made of rule matches, and a text holding both."""
    matches = draw(st.lists(match_strategy, min_size=1, max_size=5, unique_by=rule_key))
    made_of_matches = st.lists(st.sampled_from(matches), min_size=1, max_size=3).map(" ".join)
    rules = [Rule(match, draw(made_of_matches)) for match in matches]
    return rules, draw(text_with(matches + [rule.replace for rule in rules]))


@settings(max_examples=200, deadline=None)
@given(case=rules_and_text())
def test_applied_spans_never_overlap_and_increase(case: tuple[list[Rule], str]) -> None:
    rules, text = case
    applied = Matcher(rules).rewrite(text).applied
    for item in applied:
        assert item.start < item.end
        assert item.out_start <= item.out_end
    for before, after in pairwise(applied):
        assert before.end <= after.start
        assert before.out_end <= after.out_start


@settings(max_examples=200, deadline=None)
@given(
    rules=st.lists(
        st.builds(Rule, st.tuples(match_strategy, match_strategy).map("q".join), st.text("xy")),
        max_size=6,
    ),
    text=st.text(ALPHABET),
)
def test_text_is_unchanged_when_no_rule_matches(rules: list[Rule], text: str) -> None:
    # Every match holds a "q", which neither the text's characters nor their case folds contain.
    assert Matcher(rules).rewrite(text) == RewriteResult(text, ())


@settings(max_examples=200, deadline=None)
@given(case=rules_and_text() | nested_rules_and_text())
def test_no_longer_rule_matches_where_a_rule_applied(case: tuple[list[Rule], str]) -> None:
    rules, text = case
    for item in Matcher(rules).rewrite(text).applied:
        before = text[item.start - 1] if item.start else None
        assert boundary_ok(before, text[item.start])
        for rule in rules:
            key = rule_key(rule.match)
            end = naive_end(text, item.start, key) if key else None
            if end is None or end <= item.end:
                continue
            assert not boundary_ok(text[end] if end < len(text) else None, text[end - 1])


@settings(max_examples=200, deadline=None)
@given(case=reordered_rules())
def test_result_does_not_depend_on_rule_order(case: tuple[list[Rule], list[int], str]) -> None:
    rules, order, text = case
    original = Matcher(rules).rewrite(text)
    reordered = Matcher([rules[index] for index in order]).rewrite(text)
    assert reordered.text == original.text
    mapped = tuple(with_changes(item, index=order[item.index]) for item in reordered.applied)
    assert mapped == original.applied


@settings(max_examples=200, deadline=None)
@given(case=rescannable_rules())
def test_replacements_are_inserted_verbatim_and_never_rescanned(
    case: tuple[list[Rule], str],
) -> None:
    rules, text = case
    result = Matcher(rules).rewrite(text)
    copied = written = 0
    for item in result.applied:
        assert result.text[written : item.out_start] == text[copied : item.start]
        assert result.text[item.out_start : item.out_end] == rules[item.index].replace
        copied, written = item.end, item.out_end
    assert result.text[written:] == text[copied:]

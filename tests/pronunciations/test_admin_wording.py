"""Issue 15 item 1: the admin words validation's structured problems and lint's warnings for a
linguist (the rule by its text, on its row); the API's messages stay exactly as they were."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from pronunciations.admin.editor import RulesEditor, check
from pronunciations.admin.forms import DictionaryForm
from pronunciations.admin.paste import paste_plan
from pronunciations.admin.wording import RowProblem
from pronunciations.validation import validate_modes

Rules = dict[str, list[tuple[str, str]]]


def _rows(rewrite: list[tuple[str, str]], ipa: list[tuple[str, str]] | None = None) -> Rules:
    return {"rewrite": rewrite, "ipa": ipa or []}


def _only(rules: Rules) -> RowProblem:
    [problem] = check(rules).rows
    return problem


def test_validation_keeps_its_messages_and_adds_a_code_and_params() -> None:
    """The API's fieldErrors come from message_dict: unchanged; the admin reads code/params."""
    wire = {
        "rewrite": {"rules": [{"match": "ACH", "replace": "a"}, {"match": "ach", "replace": "b"}]}
    }
    with pytest.raises(ValidationError) as caught:
        validate_modes(wire)

    assert caught.value.message_dict == {
        "modes.rewrite.rules[1].match": [
            "duplicates rules[0].match (matches compare case-insensitively)"
        ]
    }
    [error] = caught.value.error_dict["modes.rewrite.rules[1].match"]
    assert (error.code, error.params) == ("duplicate", {"first": 0})


@pytest.mark.parametrize(
    ("rules", "where", "message"),
    [
        (
            _rows([("ACH", "a"), ("ACH", "b")]),
            ("rewrite", 1, "match"),
            "“ACH” appears twice in Rewrite rules: keep one of them.",
        ),
        (
            _rows([("ach  transfer", "a"), ("ACH transfer", "b")]),
            ("rewrite", 1, "match"),
            "“ACH transfer” appears twice in Rewrite rules: “ach  transfer” above is the same "
            "match (capitals and spaces do not count).",
        ),
        (
            _rows([(" ", "ay see aitch")]),
            ("rewrite", 0, "match"),
            "The rule for “ay see aitch” has no match: type the word or phrase to replace.",
        ),
        (
            _rows([("ACH", " ")]),
            ("rewrite", 0, "value"),
            "“ACH” has no replacement: type what SLNG should say instead.",
        ),
        (
            _rows([], [("tomato", "")]),
            ("ipa", 0, "value"),
            "“tomato” has no IPA: type its pronunciation.",
        ),
        (
            _rows([("ACH ", "a")]),
            ("rewrite", 0, "match"),
            "“ACH ” starts or ends with a space: remove the space.",
        ),
        (
            _rows([("m" * 129, "a")]),
            ("rewrite", 0, "match"),
            f"The match of “{'m' * 39}…” is 129 characters long; it can have at most 128.",
        ),
        (
            _rows([("bell\x07", "a")]),
            ("rewrite", 0, "match"),
            "The match of “bell\x07” contains an invisible character (U+0007) that cannot be "
            "stored: retype it without it.",
        ),
    ],
)
def test_each_validation_problem_names_the_rule_by_its_text(
    rules: Rules, where: tuple[str, int, str], message: str
) -> None:
    problem = _only(rules)

    assert (problem.mode, problem.index, problem.field, problem.level) == (*where, "error")
    assert problem.message == message


def test_too_many_rules_is_a_problem_of_the_whole_mode() -> None:
    checked = check(_rows([(f"w{i}", "r") for i in range(257)]))

    assert checked.rows == []
    assert checked.general == [
        "Rewrite rules can hold at most 256 rules, and there are 257: remove some, or move them "
        "to another dictionary."
    ]


@pytest.mark.parametrize(
    ("rules", "where", "message"),
    [
        (
            _rows([("ACH", "ACH")]),
            ("rewrite", 0, "value"),
            "“ACH” is replaced by itself, so this rule changes nothing.",
        ),
        (
            _rows([("ACH", "a"), ("A.C.H.", "b")]),
            ("rewrite", 1, "match"),
            "“A.C.H.” looks like “ACH” above: they differ only in spacing or punctuation.",
        ),
        (
            _rows([("NAIC", "say ACH"), ("ACH", "ay see aitch")]),
            ("rewrite", 0, "value"),
            "The replacement of “NAIC” contains “ACH”, the match of another rule; it is said as "
            "written, because replacements are not rewritten again.",
        ),
        (
            _rows([], [("tomato", "t3mato")]),
            ("ipa", 0, "value"),
            "The IPA of “tomato” has characters that are not IPA: “3” (digit three).",
        ),
        (
            _rows([("\u093e", "aa")]),
            ("rewrite", 0, "match"),
            "“\u093e” never applies: it starts with a combining mark or ends with a joining "
            "character, so it can never stand as a whole word.",
        ),
    ],
)
def test_lint_warnings_are_worded_on_their_rows(
    rules: Rules, where: tuple[str, int, str], message: str
) -> None:
    problem = _only(rules)

    assert (problem.mode, problem.index, problem.field, problem.level) == (*where, "warning")
    assert problem.message == message


def test_posted_rows_keep_their_order_and_skip_blank_rows() -> None:
    data = QueryDict(mutable=True)
    data.setlist("rewrite_match", ["b", "", "a"])
    data.setlist("rewrite_value", ["B", " ", "A"])
    data.setlist("ipa_match", ["tomato"])
    data.setlist("ipa_value", ["təˈmɑːtəʊ"])

    editor = RulesEditor.from_post(data)

    assert editor.check()
    assert editor.wire() == {
        "rewrite": {"rules": [{"match": "b", "replace": "B"}, {"match": "a", "replace": "A"}]},
        "ipa": {"rules": [{"match": "tomato", "ipa": "təˈmɑːtəʊ"}]},
    }


def _paste(text: str, rules: Rules | None = None) -> list[dict[str, Any]]:
    lines, general = paste_plan(rules or _rows([("ACH", "ay see aitch")]), "rewrite", text)
    assert general == []
    return [{k: line.as_dict()[k] for k in ("line", "match", "value", "status")} for line in lines]


def test_pasted_lines_take_arrows_tabs_and_commas_and_skip_a_header() -> None:
    text = 'match,replace\nNAIC → en ay eye see\nSLNG\tslang\n\n"Smith, John", john smith\n'

    assert _paste(text) == [
        {"line": 1, "match": "", "value": "", "status": "header"},
        {"line": 2, "match": "NAIC", "value": "en ay eye see", "status": "add"},
        {"line": 3, "match": "SLNG", "value": "slang", "status": "add"},
        {"line": 5, "match": "Smith, John", "value": "john smith", "status": "add"},
    ]


def test_pasted_lines_are_checked_against_the_page_and_each_other() -> None:
    text = "ach → ay see aitch\nACH → other\nNAIC → a\nnaic → b\nlonely\nx, y, z\nQ →"

    assert [line["status"] for line in _paste(text)] == [
        "same",  # already there as it is
        "conflict",  # the same existing rule, a second time
        "add",
        "conflict",  # NAIC twice in the paste
        "invalid",  # no separator
        "invalid",  # three columns
        "invalid",  # no replacement
    ]


def test_a_spreadsheet_paste_skips_its_header_and_shows_every_ignored_cell() -> None:
    """Issue 23: a header is never a rule, a notes column never joins the replacement."""
    text = (
        "Word\tSay it as\tNotes\r\n"
        "OTP\toh tee pee\tnote: one-time password\r\n"
        '"Qube\r\nPay"\t"kyoob ""pay"""\t\r\n'
        "\t\t\r\n"
        "NAIC\t\tsay it as letters\r\n"
    )

    lines, general = paste_plan(_rows([("ACH", "a")]), "rewrite", text)

    assert general == []
    assert [line.as_dict() for line in lines] == [
        {
            "line": 1,
            "match": "",
            "value": "",
            "status": "header",
            "message": "This line is a header (“Word”, “Say it as”, “Notes”): skipped, not "
            "added as a rule.",
            "existing": None,
            "ignored": [],
        },
        {
            "line": 2,
            "match": "OTP",
            "value": "oh tee pee",
            "status": "add",
            "message": "",
            "existing": None,
            "ignored": ["Column 3 (“Notes”) ignored: “note: one-time password”"],
        },
        {
            "line": 3,
            "match": "Qube\nPay",
            "value": 'kyoob "pay"',
            "status": "invalid",
            "message": lines[2].message,
            "existing": None,
            "ignored": [],
        },
        {
            "line": 6,
            "match": "NAIC",
            "value": "",
            "status": "invalid",
            "message": lines[3].message,
            "existing": None,
            "ignored": ["Column 3 (“Notes”) ignored: “say it as letters”"],
        },
    ]
    assert (
        lines[2].message
        == "A cell holds a line break: a match and a replacement are one line each."
    )
    assert lines[3].message == "“NAIC” has no replacement: type what SLNG should say instead."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("match,replace,note\nOTP,oh tee pee,spoken\n", ("add", "oh tee pee", 1)),
        ("OTP,oh tee pee,spoken\n", ("invalid", "oh tee pee", 1)),  # a comma left unquoted?
        ("OTP,oh tee pee,,\n", ("add", "oh tee pee", 0)),  # a spreadsheet's empty cells
        ("OTP → oh tee pee → spoken\n", ("add", "oh tee pee", 1)),
        ("dictionary,mode,match,replace\nbrand,rewrite,OTP,oh tee pee\n", ("add", "oh tee pee", 2)),
    ],
)
def test_extra_cells_are_never_joined_into_the_value(
    text: str, expected: tuple[str, str, int]
) -> None:
    """Issue 23: each extra cell is listed as ignored on its line (or the line is refused)."""
    lines, _ = paste_plan(_rows([("ACH", "a")]), "rewrite", text)

    line = lines[-1]
    assert (line.status, line.value, len(line.ignored)) == expected


def test_a_paste_that_would_pass_256_rules_says_so() -> None:
    text = "\n".join(f"w{i},r" for i in range(256))

    lines, general = paste_plan(_rows([("ACH", "a")]), "rewrite", text)

    assert len(lines) == 256
    assert general == [
        "Rewrite rules can hold at most 256 rules, and there are 257: remove some, or move them "
        "to another dictionary."
    ]


# -- metadata fields ------------------------------------------------------------------------


def _metadata_form(**data: str) -> DictionaryForm:
    posted = QueryDict(mutable=True)
    posted.update({"name": "d", "metadata": "", **data})
    form = DictionaryForm(data=posted)
    form.fields.pop("organization")
    return form


@pytest.mark.django_db
def test_metadata_fields_and_the_json_box_make_one_object() -> None:
    form = _metadata_form(
        language="hi-IN", use_case="support", providers="sarvam, cartesia,", metadata='{"t": 1}'
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["metadata"] == {
        "language": "hi-IN",
        "use_case": "support",
        "providers": ["sarvam", "cartesia"],
        "t": 1,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"language": "english"},
            {
                "language": [
                    "“english” is not a language tag: pick one from the list, or type one like "
                    "en-US or hi-IN."
                ]
            },
        ),
        (
            {"language": "en-US", "metadata": '{"language": "en-GB"}'},
            {"metadata": ["“language” is set both here and in the Language field: keep one."]},
        ),
        (
            {"metadata": "[1]"},
            {"metadata": ['Other metadata must be a JSON object, like {"key": "value"}.']},
        ),
        (
            {"metadata": '{"a": 1 "b": 2}'},
            {
                "metadata": [
                    'This is not valid JSON: a comma is missing where marked: <code class="json-'
                    'excerpt">{&quot;a&quot;: 1 <mark>&quot;</mark>b&quot;: 2}</code>'
                ]
            },
        ),
    ],
)
def test_metadata_problems_are_worded_on_their_field(
    data: dict[str, str], errors: dict[str, list[str]]
) -> None:
    form = _metadata_form(**data)

    assert not form.is_valid()
    assert form.errors == errors


@pytest.mark.django_db
def test_stored_metadata_of_another_shape_stays_in_the_json_box(organization: Any) -> None:
    from tests.factories import make_dictionary

    dictionary = make_dictionary(
        organization, metadata={"language": "en-US", "providers": "sarvam", "t": 1}
    )

    form = DictionaryForm(instance=dictionary)

    assert form.initial["language"] == "en-US"
    assert form.initial["metadata"] == {"providers": "sarvam", "t": 1}
    assert "providers" not in form.initial

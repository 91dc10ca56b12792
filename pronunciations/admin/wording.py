"""Plain language for the dictionary admin: validation problems and lint warnings, worded for a
linguist from their structured code and params (pronunciations.validation, pronunciations.lint).

Every message names the rule by its text ("“ACH” appears twice in Rewrite rules"), never by a
field path or an index, and belongs to one row of the rules editor. The rules themselves are
stated only in validation and lint; this module only words what they found.
"""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import SafeString

from pronunciations.lint import LintWarning
from pronunciations.models import Mode
from pronunciations.validation import problem_text

MODE_NAME = {Mode.REWRITE.value: "Rewrite rules", Mode.IPA.value: "IPA rules"}
VALUE_NAME = {Mode.REWRITE.value: "replacement", Mode.IPA.value: "IPA"}
_RULE_PATH = re.compile(r"modes\.(rewrite|ipa)\.rules\[(\d+)\](?:\.(match|replace|ipa))?")
QUOTE_MAX = 40

# A rule as the page holds it: (match, value), in page order, per mode.
PageRules = Mapping[str, Sequence[tuple[str, str]]]


@dataclass(frozen=True)
class RowProblem:
    """A problem of one rule row: ``field`` is ``match`` or ``value``; ``level`` says whether it
    stops the save (``error``) or only warns (``warning``)."""

    mode: str
    index: int
    field: str
    level: str
    message: str
    code: str = ""
    other: int | None = None  # the rule a duplicate repeats

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "index": self.index,
            "field": self.field,
            "level": self.level,
            "message": self.message,
        }


def quoted(text: str) -> str:
    """Text in curly quotes, shortened past QUOTE_MAX characters."""
    return f"“{text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1] + '…'}”"


def _rule_name(rules: PageRules, mode: str, index: int) -> str:
    """How a message names a rule: its match, or, without one, its replacement."""
    rows = rules.get(mode, ())
    match, value = rows[index] if index < len(rows) else ("", "")
    if match.strip():
        return quoted(match)
    if value.strip():
        return f"the rule for {quoted(value)}"
    return "this rule"


def _cap(text: str) -> str:
    """The first letter in capitals and nothing else touched (str.capitalize lowers the rest)."""
    return text[:1].upper() + text[1:]


def _character(params: dict[str, Any]) -> str:
    code = str(params.get("char", ""))
    name = unicodedata.name(chr(int(code, 16)), "") if code else ""
    label = f"U+{code}" + (f", {name.lower()}" if name else "")
    return f"an invisible character ({label}) that cannot be stored"


def rule_error(error: ValidationError, rules: PageRules, mode: str, index: int, field: str) -> str:
    """One validation problem of a rule's match or value, in plain words."""
    name, params = _rule_name(rules, mode, index), error.params or {}
    part = "match" if field == "match" else VALUE_NAME[mode]
    code = error.code
    if code in ("required", "empty"):
        if field == "match":
            return f"{_cap(name)} has no match: type the word or phrase to replace."
        todo = "what SLNG should say instead" if mode == Mode.REWRITE else "its pronunciation"
        return f"{_cap(name)} has no {part}: type {todo}."
    if code == "too_long":
        return (
            f"The {part} of {name} is {params['got']} characters long; "
            f"it can have at most {params['limit']}."
        )
    if code == "edge_whitespace":
        return f"{_cap(name)} starts or ends with a space: remove the space."
    if code == "unstorable":
        return f"The {part} of {name} contains {_character(params)}: retype it without it."
    if code == "invisible":
        return (
            f"The {part} of {name} contains an invisible character (U+{params['char']} "
            f"{params['name']}): it would look like another match; retype it without it."
        )
    if code == "duplicate":
        first = rules[mode][int(params["first"])][0]
        here = rules[mode][index][0]
        where = MODE_NAME[mode]
        if first == here:
            return f"{quoted(here)} appears twice in {where}: keep one of them."
        return (
            f"{quoted(here)} appears twice in {where}: {quoted(first)} above is the same match "
            "(capitals and spaces do not count)."
        )
    return f"The {part} of {name} {problem_text(error)}."


def general_error(error: ValidationError, path: str) -> str:
    """A problem of the rules as a whole (not one row's), in plain words."""
    mode = path.split(".")[1] if path.count(".") >= 1 else ""
    params = error.params or {}
    if error.code == "too_many":
        return (
            f"{MODE_NAME.get(mode, 'A mode')} can hold at most {params['limit']} rules, and "
            f"there are {params['got']}: remove some, or move them to another dictionary."
        )
    return f"{MODE_NAME.get(mode, 'The rules')}: {problem_text(error)}."


def rule_path(path: str) -> tuple[str, int, str] | None:
    """(mode, index, field) of a rule's path, field ``match`` or ``value``; None otherwise."""
    found = _RULE_PATH.fullmatch(path)
    if found is None:
        return None
    field = "match" if found[3] in (None, "match") else "value"
    return found[1], int(found[2]), field


def validation_problems(
    exc: ValidationError, rules: PageRules
) -> tuple[list[RowProblem], list[str]]:
    """A validate_modes error split into row problems and problems of the rules as a whole."""
    rows, general = [], []
    for path, errors in exc.error_dict.items():
        where = rule_path(path)
        for error in errors:
            if where is None:
                general.append(general_error(error, path))
            else:
                mode, index, field = where
                message = rule_error(error, rules, mode, index, field)
                other = (error.params or {}).get("first")
                code = str(error.code or "")
                rows.append(RowProblem(mode, index, field, "error", message, code, other))
    return rows, general


def _named_rule(rules: PageRules, mode: str, index: int) -> str:
    rows = rules.get(mode, ())
    return quoted(rows[index][0]) if index < len(rows) else "another rule"


def _lint_message(warning: LintWarning, rules: PageRules, mode: str, index: int) -> str:
    name, params = _rule_name(rules, mode, index), warning.params
    if warning.code == "never_fires":
        winners = [i for i in params.get("winners", []) if i != index]
        if params.get("glued"):
            reason = (
                "it starts with a combining mark or ends with a joining character, so it can "
                "never stand as a whole word"
            )
        elif winners:
            others = ", ".join(_named_rule(rules, mode, i) for i in winners)
            reason = f"{others} always takes its place"
        else:
            reason = "a longer rule always takes its place"
        return f"{_cap(name)} never applies: {reason}."
    if warning.code == "replace_contains_match":
        others = ", ".join(_named_rule(rules, mode, i) for i in params.get("others", []))
        return (
            f"The replacement of {name} contains {others}, the match of another rule; it is "
            "said as written, because replacements are not rewritten again."
        )
    if warning.code == "replace_equals_match":
        return f"{_cap(name)} is replaced by itself, so this rule changes nothing."
    if warning.code == "near_duplicate":
        first = _named_rule(rules, mode, int(params.get("first", 0)))
        return f"{_cap(name)} looks like {first} above: they differ only in spacing or punctuation."
    if warning.code == "ipa_characters":
        chars = ", ".join(
            f"{quoted(char)} ({unicodedata.name(char, 'unnamed').lower()})"
            for char in params.get("characters", [])
        )
        return f"The IPA of {name} has characters that are not IPA: {chars}."
    return f"{_cap(name)}: {warning.message}."


def lint_problems(warnings: Sequence[LintWarning], rules: PageRules) -> list[RowProblem]:
    """Lint warnings as row problems, in plain words."""
    problems = []
    for warning in warnings:
        where = rule_path(warning.field)
        if where is not None:
            mode, index, field = where
            message = _lint_message(warning, rules, mode, index)
            problems.append(RowProblem(mode, index, field, "warning", message))
    return problems


# -- pasting ---------------------------------------------------------------------------------


def paste_shape(parts: int) -> str:
    if parts < 2:
        return "No separator: write the match, then → or a tab or a comma, then the replacement."
    return (
        f"{parts} columns instead of 2: put quotes around a match or replacement that holds a "
        'comma, like "Smith, John",john smith.'
    )


def paste_header(cells: Sequence[str]) -> str:
    names = ", ".join(quoted(cell) for cell in cells if cell)
    return f"This line is a header ({names}): skipped, not added as a rule."


def paste_line_break() -> str:
    return "A cell holds a line break: a match and a replacement are one line each."


def paste_ignored(index: int, name: str, cell: str) -> str:
    column = f"column {index + 1}" + (f" ({quoted(name)})" if name else "")
    return f"{_cap(column)} ignored: {quoted(cell)}"


def paste_twice(match: str, first_line: int) -> str:
    return f"{quoted(match)} is pasted twice: only line {first_line} is used."


def paste_same(rule: tuple[str, str], mode: str) -> str:
    return f"Already in {MODE_NAME[mode]} as it is: {quoted(rule[0])} → {quoted(rule[1])}."


def paste_exists(match: str, rule: tuple[str, str], mode: str) -> str:
    return (
        f"{quoted(match)} is already in {MODE_NAME[mode]}, as {quoted(rule[0])} → "
        f"{quoted(rule[1])}: not added, unless you choose to change existing rules."
    )


# -- metadata -------------------------------------------------------------------------------

_JSON_WHAT = {
    "Expecting ',' delimiter": "a comma is missing",
    "Expecting ':' delimiter": "a colon is missing",
    "Expecting value": "a value is missing",
    "Expecting property name enclosed in double quotes": "keys need double quotes",
    "Extra data": "there is more text after the end",
    "Unterminated string starting at": "a quote is not closed",
    "Invalid control character at": "a line break or tab sits inside quotes",
}


def json_error(error: ValidationError, text: str) -> str | SafeString:
    """Malformed JSON in plain words, with the place marked in an excerpt of the text."""
    params = error.params or {}
    if "offset" not in params:
        return "This is not valid JSON."
    what = _JSON_WHAT.get(str(params["what"]), str(params["what"]).lower())
    offset = int(params["offset"])
    before, at, after = text[max(0, offset - 30) : offset], text[offset : offset + 1], ""
    after = text[offset + 1 : offset + 30]
    return format_html(
        'This is not valid JSON: {} where marked: <code class="json-excerpt">{}<mark>{}</mark>'
        "{}</code>",
        what,
        before,
        at or " ",
        after,
    )


def metadata_error(error: ValidationError, path: str, box: str = "Other metadata") -> str:
    """A metadata problem (see validation.clean_metadata) in plain words."""
    params, key = error.params or {}, path.removeprefix("metadata").lstrip(".")
    if error.code == "unstorable_key":
        return f"The key {quoted(key.rsplit('.', 1)[-1])} contains {_character(params)}."
    if error.code == "unstorable":
        return f"The value at {quoted(key)} contains {_character(params)}."
    if error.code == "not_finite":
        return (
            f"The value at {quoted(key)} is {params['value']}, which JSON cannot hold: write a "
            "number, or put it in quotes."
        )
    if error.code == "too_deep":
        return f"{box} is nested too deeply: at most {params['limit']} levels of brackets."
    if error.code == "too_big":
        return (
            f"The metadata is too big: at most {params['limit']} bytes as JSON, "
            f"and this is {params['got']}."
        )
    if error.code == "not_object":
        return f'{box} must be a JSON object, like {{"key": "value"}}.'
    return f"{box}: {problem_text(error)}."

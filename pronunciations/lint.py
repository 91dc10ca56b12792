"""Rule lint: warnings about rules that are valid but probably not what the linguist meant."""

import dataclasses
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pronunciations import preview
from pronunciations.models import Mode
from pronunciations.validation import VALUE_FIELD, Modes, ipa_hint, match_key, non_ipa_characters

_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class LintWarning:
    """One warning: ``field`` is the rule's path; ``params`` what the admin words it from
    (the other rule's index, the characters), not part of the API's body."""

    code: str
    field: str
    message: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "message": self.message}


def _path(mode: Mode, index: int, name: str) -> str:
    return f"modes.{mode.value}.rules[{index}].{name}"


def _glued_edge(match: str) -> bool:
    """True when real text always has a letter against the match's edge.

    A combining mark (a Devanagari vowel sign, say) always follows its letter, and a virama or a
    zero-width joiner always precedes one, so no word boundary can fall there.
    """
    first, last = match[0], match[-1]
    joins_next = last in "\u200c\u200d" or "VIRAMA" in unicodedata.name(last, "")
    return unicodedata.category(first).startswith("M") or joins_next


def _never_fires(modes: Modes, content_key: str) -> list[LintWarning]:
    """A rule that does not fire even on its own match text can never fire."""
    rules, matcher = preview.rewrite_rules(modes), preview.matcher(modes, content_key)
    warnings = []
    for index, rule in enumerate(rules):
        applied = matcher.rewrite(f" {rule.match} ").applied
        glued = _glued_edge(rule.match)
        if glued or not any(item.index == index for item in applied):
            warnings.append(
                LintWarning(
                    "never_fires",
                    _path(Mode.REWRITE, index, "match"),
                    "this rule never applies: its match cannot stand between word boundaries "
                    "(it starts with a combining mark or ends with a joining character) or "
                    "a longer rule always takes its place",
                    {"glued": glued, "winners": [item.index for item in applied]},
                )
            )
    return warnings


def _chaining(modes: Modes, content_key: str) -> list[LintWarning]:
    rules, matcher = preview.rewrite_rules(modes), preview.matcher(modes, content_key)
    warnings = []
    for index, rule in enumerate(rules):
        hits = [item for item in matcher.rewrite(rule.replace).applied if item.index != index]
        if hits:
            others = ", ".join(repr(item.match) for item in hits)
            warnings.append(
                LintWarning(
                    "replace_contains_match",
                    _path(Mode.REWRITE, index, "replace"),
                    f"the replacement contains the match of {others}, which will not be applied "
                    "to it (replacements are never rewritten again)",
                    {"others": [item.index for item in hits]},
                )
            )
    return warnings


def _noop_and_near_duplicates(modes: Modes) -> list[LintWarning]:
    warnings = []
    for mode, specs in modes.items():
        seen: dict[str, int] = {}
        for index, spec in enumerate(specs):
            if mode is Mode.REWRITE and match_key(spec.value) == match_key(spec.match):
                warnings.append(
                    LintWarning(
                        "replace_equals_match",
                        _path(mode, index, VALUE_FIELD[mode]),
                        "the replacement equals the match, so this rule changes nothing",
                    )
                )
            loose = _NOT_WORD.sub("", spec.match.casefold())
            first = seen.setdefault(loose, index)
            if first != index and loose:
                warnings.append(
                    LintWarning(
                        "near_duplicate",
                        _path(mode, index, "match"),
                        f"differs from rules[{first}].match only by spacing or punctuation",
                        {"first": first},
                    )
                )
    return warnings


def _ipa_characters(modes: Modes) -> list[LintWarning]:
    warnings = []
    for index, spec in enumerate(modes.get(Mode.IPA, ())):
        if hint := ipa_hint(spec.value):
            warnings.append(
                LintWarning(
                    "ipa_characters",
                    _path(Mode.IPA, index, "ipa"),
                    hint,
                    {"characters": non_ipa_characters(spec.value)},
                )
            )
    return warnings


# Warnings another app adds from what pronunciations does not know (sync: what the models of
# the organization's targets can speak): a function of the modes and the organization's pk,
# registered from that app's ``AppConfig.ready()`` (pronunciations never imports it).
LintSource = Callable[[Modes, int], list[LintWarning]]
_SOURCES: list[LintSource] = []


def register_source(source: LintSource) -> None:
    """Add a source of warnings for an organization's dictionaries (once per source)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def source_warnings(modes: Modes, organization_id: int) -> list[LintWarning]:
    """The registered sources' warnings alone (the Review page's "not audible" notes)."""
    return [warning for source in _SOURCES for warning in source(modes, organization_id)]


def lint_modes(
    modes: Modes, content_key: str, organization_id: int | None = None
) -> list[LintWarning]:
    """Every warning for validated modes, in a stable order (by check, then rule); with the
    organization's pk, the registered sources' warnings last."""
    added = source_warnings(modes, organization_id) if organization_id else []
    return [
        *_never_fires(modes, content_key),
        *_chaining(modes, content_key),
        *_noop_and_near_duplicates(modes),
        *_ipa_characters(modes),
        *added,
    ]

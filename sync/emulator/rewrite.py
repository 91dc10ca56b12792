"""The emulator's own small rewrite: case-insensitive, whole-word, longest match first.

It stands in for SLNG's model-side rewrite so tests can see what text the "model" received.
It is deliberately independent of the project's engine: the emulator is the other side of
the wire. Semantics (reference section 3): scan left to right; at each position the longest
rule wins (the earliest rule among equal lengths); a match must not touch a word character
(``\\w``: Unicode letters, digits, underscore) on a side where the match itself starts or ends
with one; the replacement is inserted verbatim and never rescanned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _rule_pattern(match: str) -> str:
    left = r"(?<!\w)" if _is_word_char(match[0]) else ""
    right = r"(?!\w)" if _is_word_char(match[-1]) else ""
    return left + re.escape(match) + right


class Rewriter:
    """Compiled rewrite rules; ``apply`` returns the rewritten text."""

    def __init__(self, rules: Iterable[Mapping[str, Any]]) -> None:
        ordered = sorted(
            ((str(rule["match"]), str(rule["replace"])) for rule in rules if rule.get("match")),
            key=lambda pair: -len(pair[0]),  # sorted() is stable: list order breaks ties
        )
        self._replacements = [replace for _, replace in ordered]
        alternatives = [f"(?P<r{index}>{_rule_pattern(m)})" for index, (m, _) in enumerate(ordered)]
        self._pattern = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None

    def apply(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(self._replacement_for, text)

    def _replacement_for(self, found: re.Match[str]) -> str:
        group = found.lastgroup or "r0"
        return self._replacements[int(group[1:])]


def rewrite_text(text: str, modes: Mapping[str, Any] | None) -> str:
    """Apply a dictionary's ``modes.rewrite`` rules to ``text`` (no dictionary: unchanged)."""
    if not modes:
        return text
    rewrite = modes.get("rewrite") or {}
    return Rewriter(rewrite.get("rules") or []).apply(text)

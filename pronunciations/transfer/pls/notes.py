"""A PLS import's warnings, grouped by kind: one line per kind with its count and a few examples.

A 33-lexeme file in another alphabet gives one line ("33 lexemes use alphabet "sapi", …"), not
66. Every example names where it is: the grapheme, the lexeme's number and the line in the file.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

EXAMPLES = 3
_GRAPHEME_SHOWN = 40


@dataclass(frozen=True)
class Where:
    """A place in the file: the lexeme's number (0: the lexicon itself), a grapheme (may be
    empty) and the line of the element concerned."""

    lexeme: int
    grapheme: str
    line: int

    def label(self, value: str | None = None, extra: str = "") -> str:
        """``hm (lexeme 4, line 15)``, ``lexeme 4, line 15`` or ``line 2``; with a ``value``,
        ``hm "hmm" (lexeme 4, line 15)``; ``extra`` goes inside the parentheses."""
        place = f"lexeme {self.lexeme}, line {self.line}" if self.lexeme else f"line {self.line}"
        place += f", {extra}" if extra else ""
        words = [shown(self.grapheme)] if self.grapheme else []
        words += [quoted(value)] if value is not None else []
        return f"{' '.join(words)} ({place})" if words else place


def shown(text: str) -> str:
    """A grapheme or value as a report shows it: cut to a readable length."""
    return text if len(text) <= _GRAPHEME_SHOWN else text[: _GRAPHEME_SHOWN - 1] + "…"


def quoted(text: str) -> str:
    """A value in double quotes, as JSON writes strings (so quotes and spaces stay visible)."""
    return json.dumps(shown(text), ensure_ascii=False)


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _uses(count: int) -> str:
    return "uses" if count == 1 else "use"


# Each kind's headline, from the count and the kind's argument (an alphabet, an element name).
HEADLINES: dict[str, Callable[[int, str], str]] = {
    "merged": lambda n, _: (
        f"{_n(n, 'grapheme matches', 'graphemes match')} like an earlier one (SLNG ignores "
        f"case) and {'says' if n == 1 else 'say'} the same, so "
        f"{'it was' if n == 1 else 'they were'} merged into its rule"
    ),
    "conflict": lambda n, what: (
        f"{_n(n, 'grapheme matches', 'graphemes match')} like an earlier one (SLNG ignores case) "
        f"but with another {what}; the first in the file is kept"
    ),
    "alphabet": lambda n, alphabet: (
        f"{_n(n, 'lexeme', 'lexemes')} {_uses(n)} alphabet {quoted(alphabet)}, which SLNG "
        "cannot store (it keeps IPA phonemes only)"
    ),
    "converted": lambda n, alphabet: (
        f"{_n(n, 'lexeme', 'lexemes')} in alphabet {quoted(alphabet)} converted to IPA "
        "(SLNG keeps IPA phonemes only): check them"
    ),
    "extra": lambda n, what: (
        f"{_n(n, 'extra ' + what, 'extra ' + what + 's')} not imported "
        f"(SLNG keeps a lexeme's first {what})"
    ),
    "element": lambda n, name: f"{_n(n, f'<{name}> element', f'<{name}> elements')} not imported",
    "lexicon-element": lambda n, name: (
        f"{_n(n, f'<{name}> element', f'<{name}> elements')} of the lexicon not imported"
    ),
    "role": lambda n, _: (
        f"{_n(n, 'lexeme has', 'lexemes have')} a role, which is not imported: "
        f"{'its rules apply' if n == 1 else 'their rules apply'} everywhere"
    ),
    "no-grapheme": lambda n, _: f"{_n(n, 'lexeme', 'lexemes')} without a grapheme not imported",
    "empty": lambda n, _: (
        f"{_n(n, 'lexeme', 'lexemes')} with neither an alias nor a phoneme not imported"
    ),
}


@dataclass
class _Group:
    count: int = 0
    examples: list[str] = field(default_factory=list)
    shown: int = 0  # how many of the count the examples stand for


class Notes:
    """Warnings by kind (and argument), in the order first seen. At most ``limit`` kinds are
    kept (a hostile file can invent a million element names); the rest are only counted."""

    def __init__(self, limit: int | None = None) -> None:
        self.groups: dict[tuple[str, str], _Group] = {}
        self.limit = limit
        self.more = 0

    def add(self, kind: str, example: str, *, arg: str = "", count: int = 1) -> None:
        group = self.groups.get((kind, arg))
        if group is None:
            if self.limit is not None and len(self.groups) >= self.limit:
                self.more += count
                return
            group = self.groups[(kind, arg)] = _Group()
        group.count += count
        if len(group.examples) < EXAMPLES:
            group.examples.append(example)
            group.shown += count

    def count(self, kind: str) -> int:
        return sum(g.count for (k, _), g in self.groups.items() if k == kind)

    def by_arg(self, kind: str) -> dict[str, int]:
        return {arg: g.count for (k, arg), g in self.groups.items() if k == kind}

    def lines(self) -> list[str]:
        lines = []
        for (kind, arg), group in self.groups.items():
            examples = ", ".join(group.examples)
            more = ", …" if group.count > group.shown else ""
            lines.append(f"{HEADLINES[kind](group.count, arg)}: {examples}{more}")
        return lines

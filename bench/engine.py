"""Benchmark the rewrite engine against a regex alternation, the usual way to write it by hand.

Run from the repository root: ``.venv/bin/python bench/engine.py [--quick]``.

Baseline: one precompiled ``re.IGNORECASE`` alternation of every rule, sorted longest first,
wrapped in ``(?<!\\w)(?:...)(?!\\w)`` with ``\\s+`` for spaces, driven by ``finditer`` and
building the same output and spans. It runs in C, so it is the strongest common baseline; a
pure-Python "try every rule at every position" loop is far slower still. On the ASCII texts
used here both give identical output (checked every run). Timings are printed, never asserted.
"""

import argparse
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pronunciations.engine import Matcher, Rule, rule_key  # noqa: E402

SEED = 20240501
RULE_COUNT = 256
SIZES_KIB = (1, 10, 100)
SEPARATORS = (" ",) * 12 + (", ", ". ", "\n", "'s ", " - ", "  ")

Spans = list[tuple[int, int, int, int, int]]


def make_words(rng: random.Random, count: int) -> list[str]:
    """Distinct pseudo-words of 3-10 lowercase letters, in random order."""
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 10))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered


def make_rules(rng: random.Random, words: list[str], count: int) -> list[Rule]:
    """Brand names, acronyms and two-to-three-word phrases, like a real dictionary."""
    rules: dict[str, Rule] = {}
    while len(rules) < count:
        shape = rng.random()
        if shape < 0.5:
            match = rng.choice(words).title()
        elif shape < 0.7:
            match = rng.choice(words)[:4].upper()
        else:
            match = " ".join(rng.sample(words, rng.randint(2, 3)))
        replace = " ".join(rng.sample(words, rng.randint(1, 3)))
        rules.setdefault(rule_key(match), Rule(match, replace))
    return list(rules.values())


def make_text(rng: random.Random, rules: list[Rule], fillers: list[str], size: int) -> str:
    """`size` characters of filler words with rule matches (about 1 word in 20) in varied case."""
    parts: list[str] = []
    length = 0
    while length < size:
        if rng.random() < 0.05:
            word = rng.choice((str.upper, str.lower, str.title))(rng.choice(rules).match)
        else:
            word = rng.choice(fillers)
        for piece in (word, rng.choice(SEPARATORS)):
            parts.append(piece)
            length += len(piece)
    return "".join(parts)[:size]


class RegexBaseline:
    """Rewrite with one case-insensitive alternation, longest rule first, \\w lookarounds."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        ordered = sorted(rules, key=lambda rule: -len(rule_key(rule.match)))
        alternatives = (r"\s+".join(map(re.escape, rule.match.split())) for rule in ordered)
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.I)
        self.rules: dict[str, tuple[int, Rule]] = {}
        for index, rule in enumerate(rules):
            self.rules.setdefault(rule_key(rule.match), (index, rule))

    def rewrite(self, text: str) -> tuple[str, Spans]:
        pieces: list[str] = []
        spans: Spans = []
        copied = out_len = 0
        for found in self.pattern.finditer(text):
            index, rule = self.rules[rule_key(found.group())]
            start, end = found.span()
            pieces += (text[copied:start], rule.replace)
            out_start = out_len + start - copied
            out_len = out_start + len(rule.replace)
            spans.append((index, start, end, out_start, out_len))
            copied = end
        pieces.append(text[copied:])
        return "".join(pieces), spans


def sample_us(call: Callable[[], object], inner: int) -> float:
    """Mean time of `inner` calls, in microseconds."""
    started = time.perf_counter()
    for _ in range(inner):
        call()
    return (time.perf_counter() - started) / inner * 1e6


def paired_us(
    engine: Callable[[], object], baseline: Callable[[], object], samples: int, inner: int
) -> tuple[float, float]:
    """Median times of engine and baseline, sampled alternately so machine drift hits both."""
    engine(), baseline()  # warm up caches
    pairs = [(sample_us(engine, inner), sample_us(baseline, inner)) for _ in range(samples)]
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def check_same_output(matcher: Matcher, baseline: RegexBaseline, text: str) -> None:
    """Stop if the baseline does not do the same work as the engine (it would be no baseline)."""
    result = matcher.rewrite(text)
    spans = [(a.index, a.start, a.end, a.out_start, a.out_end) for a in result.applied]
    if (result.text, spans) != baseline.rewrite(text):
        sys.exit("baseline output differs from the engine's: fix the benchmark first")


def row(label: str, engine: float, regex: float, extra: str = "") -> str:
    return (
        f"{label:>9} {engine:>12,.0f} {regex:>12,.0f} {regex / engine:>7.2f}x {extra:>14}".rstrip()
    )


def size_table(rules: list[Rule], texts: dict[int, str], samples: int) -> None:
    matcher, baseline = Matcher(rules), RegexBaseline(rules)
    print(f"{'size':>9} {'engine µs':>12} {'baseline µs':>12} {'ratio':>8} {'engine µs/KiB':>14}")
    for kib, text in texts.items():
        check_same_output(matcher, baseline, text)
        engine, regex = paired_us(
            partial(matcher.rewrite, text), partial(baseline.rewrite, text), samples, 32 // kib or 1
        )
        print(row(f"{kib} KiB", engine, regex, f"{engine / kib:,.1f}"))


def rule_count_table(rules: list[Rule], text: str, samples: int) -> None:
    print(f"\n{'rules':>9} {'engine µs':>12} {'baseline µs':>12} {'ratio':>8}   (10 KiB text)")
    for count in (16, 64, 256):
        matcher, baseline = Matcher(rules[:count]), RegexBaseline(rules[:count])
        check_same_output(matcher, baseline, text)
        engine, regex = paired_us(
            partial(matcher.rewrite, text), partial(baseline.rewrite, text), samples, 3
        )
        print(row(str(count), engine, regex))


def compile_baseline(rules: list[Rule]) -> RegexBaseline:
    re.purge()  # or re's own cache would hand back the compiled pattern
    return RegexBaseline(rules)


def compile_line(rules: list[Rule], samples: int) -> None:
    engine, regex = paired_us(partial(Matcher, rules), partial(compile_baseline, rules), samples, 5)
    print(f"\ncompile {len(rules)} rules: engine {engine:,.0f} µs, baseline {regex:,.0f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (a few seconds)")
    samples = 3 if parser.parse_args().quick else 11
    rng = random.Random(SEED)
    words = make_words(rng, 3000)
    rules = make_rules(rng, words[:1000], RULE_COUNT)
    texts = {kib: make_text(rng, rules, words[1000:], kib * 1024) for kib in SIZES_KIB}
    print(f"rewrite engine vs regex alternation baseline; {len(rules)} rules; median of {samples}")
    print(f"Python {platform.python_version()}; ratio = baseline time / engine time\n")
    size_table(rules, texts, samples)
    rule_count_table(rules, texts[10], samples)
    compile_line(rules, samples)


if __name__ == "__main__":
    main()

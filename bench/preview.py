"""Benchmark the cached rewrite engine against applying each rule with its own regex, in one run."""

import argparse
import hashlib
import json
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pronunciations.engine import Rule, matcher_for, rule_key  # noqa: E402

SEED = 20250611
RULE_COUNTS = (16, 32, 64, 128, 256)
KB = 1024  # characters: the texts are ASCII except a few accented words
SIZES_KB = (1, 10, 100, 1024)
MAIN_RULES, MAIN_KB = 256, 100
GOAL_RATIO = 10.0
ACCENTS = "éèüöñçå"  # one-to-one case pairs, so re.IGNORECASE and str.casefold() agree
PUNCTUATION = (" ",) * 14 + (", ", ". ", "; ", "! ", "? ", " (", ") ", '"', "'s ", "-", "\n", "  ")
GLUE = ("s", "x", "_", "2")  # glued to a match, these make a longer word that must not match

Spans = list[tuple[int, int, int]]  # (start, end, rule index) of each replacement, in text order
T = TypeVar("T")


@dataclass(frozen=True)
class Vocabulary:
    """Disjoint word pools: rules' first words, their later words, and filler words."""

    heads: list[str]
    tails: list[str]
    fillers: list[str]


@dataclass(frozen=True)
class Settings:
    """How hard to measure: seconds per measurement, sample bounds and the text sizes run."""

    budget: float
    min_sample: float
    repeats: tuple[int, int]
    sizes_kb: tuple[int, ...]


@dataclass
class Timing:
    """One measured case: median milliseconds per call of the engine and of the baseline."""

    engine_ms: float
    baseline_ms: float


@dataclass
class Run:
    """Inputs and results of one benchmark run; cases are measured once and reused by tables."""

    rules: list[Rule]
    words: Vocabulary
    settings: Settings
    timings: dict[tuple[int, int], Timing] = field(default_factory=dict)


class NaiveBaseline:
    """Apply each rule with its own compiled regex, longest rule first, claiming free spans.

    Matches of a rule are accepted where they overlap no span already claimed by a longer rule
    (or by an earlier rule of the same length); the output is assembled from the claimed spans,
    so a replacement is never scanned again.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        order = sorted(range(len(rules)), key=lambda index: -len(rule_key(rules[index].match)))
        self.patterns = [(index, self._compile(rules[index])) for index in order]

    @staticmethod
    def _compile(rule: Rule) -> re.Pattern[str]:
        body = r"\s+".join(map(re.escape, rule.match.split()))
        return re.compile(rf"(?<!\w){body}(?!\w)" if body else r"(?!)", re.IGNORECASE)

    def rewrite(self, text: str) -> tuple[str, Spans]:
        taken = bytearray(len(text))
        claims: Spans = []
        for index, pattern in self.patterns:
            for found in pattern.finditer(text):
                start, end = found.span()
                if taken.find(1, start, end) < 0:
                    taken[start:end] = b"\x01" * (end - start)
                    claims.append((start, end, index))
        claims.sort()
        return self._assemble(text, claims), claims

    def _assemble(self, text: str, claims: Spans) -> str:
        pieces: list[str] = []
        copied = 0
        for start, end, index in claims:
            pieces += (text[copied:start], self.rules[index].replace)
            copied = end
        pieces.append(text[copied:])
        return "".join(pieces)


def make_word(rng: random.Random, accented: bool) -> str:
    """A pseudo-word of 3-9 lowercase letters; if `accented`, one is swapped for one of ACCENTS."""
    letters = rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9))
    if accented:
        letters[rng.randrange(len(letters))] = rng.choice(ACCENTS)
    return "".join(letters)


def make_vocabulary(rng: random.Random) -> Vocabulary:
    """Distinct words, split so that no rule's later word can start another rule's match.

    That keeps "longest first over the whole text" (the baseline) and "longest first at each
    position, left to right" (the engine) equivalent on these texts, which is what lets the run
    check that both produce the same output.
    """
    words: dict[str, None] = {}
    while len(words) < 3600:
        words.setdefault(make_word(rng, accented=rng.random() < 0.04))
    pool = list(words)
    return Vocabulary(heads=pool[:600], tails=pool[600:1600], fillers=pool[1600:])


def make_rules(rng: random.Random, words: Vocabulary, count: int) -> list[Rule]:
    """Names, acronyms and phrases (some extending a one-word rule), distinct under rule_key."""
    rules: dict[str, Rule] = {}
    heads = iter(words.heads)
    tails = iter(words.tails)
    while len(rules) < count:
        shape = rng.random()
        if shape < 0.45:
            match = next(heads).title()
        elif shape < 0.6:
            match = next(heads)[:4].upper()
            if match.lower() in words.tails:  # a later word may never start a match
                continue
        else:
            first = rng.choice(list(rules.values())).match if rules else next(heads)
            match = " ".join([first.split()[0], *(next(tails) for _ in range(rng.randint(1, 2)))])
        replace = " ".join(rng.sample(words.fillers, rng.randint(1, 3)))
        rules.setdefault(rule_key(match), Rule(match, replace))
    ordered = list(rules.values())
    rng.shuffle(ordered)
    return ordered


def text_word(rng: random.Random, rules: Sequence[Rule], fillers: Sequence[str]) -> str:
    """A filler word, or (about 1 in 15) a rule match in mixed case, sometimes glued to a letter."""
    if rng.random() >= 1 / 15:
        word = rng.choice(fillers)
        return word.title() if rng.random() < 0.1 else word
    match = rng.choice(rules).match
    case = rng.choice((str.lower, str.upper, str.title, str.swapcase, lambda m: m))
    word = case(match).replace(" ", rng.choice((" ", " ", "  ", "\n")))
    return word + rng.choice(GLUE) if rng.random() < 0.1 else word


def make_text(seed: int, rules: Sequence[Rule], fillers: Sequence[str], size: int) -> str:
    """`size` characters of words and punctuation; the same seed gives the same prefix."""
    rng = random.Random(seed)
    pieces: list[str] = []
    length = 0
    while length < size:
        for piece in (text_word(rng, rules, fillers), rng.choice(PUNCTUATION)):
            pieces.append(piece)
            length += len(piece)
    return "".join(pieces)[:size]


def content_key(rules: Sequence[Rule], salt: str = "") -> str:
    """A content hash of the rules, as the API caches matchers by; `salt` forces a cold cache."""
    payload = json.dumps([[rule.match, rule.replace] for rule in rules]) + salt
    return hashlib.sha256(payload.encode()).hexdigest()


def timed(call: Callable[[], T]) -> tuple[T, float]:
    """Return the call's result and its duration in seconds."""
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def plan(once: float, settings: Settings) -> tuple[int, int]:
    """(calls per sample, samples) for a call lasting `once` s: each sample lasts min_sample."""
    batch = max(1, int(settings.min_sample / max(once, 1e-9)))
    low, high = settings.repeats
    return batch, min(high, max(low, int(settings.budget / (once * batch))))


def sample_s(call: Callable[[], object], batch: int) -> float:
    """Seconds per call over `batch` calls in a row."""
    started = time.perf_counter()
    for _ in range(batch):
        call()
    return (time.perf_counter() - started) / batch


def paired_timing(
    engine: Callable[[], object],
    baseline: Callable[[], object],
    once: tuple[float, float],
    run: Run,
) -> Timing:
    """Median ms per call of both, sampled in alternating rounds so machine load hits both alike.

    `once` holds the duration of one call of each, already made: a baseline call slower than the
    budget counts as its first sample (1 MB takes seconds, and the baseline caches nothing).
    """
    engine_batch, engine_repeats = plan(once[0], run.settings)
    baseline_batch, baseline_repeats = plan(once[1], run.settings)
    baseline_samples = [once[1]] if once[1] >= run.settings.budget else []
    rounds = baseline_repeats - len(baseline_samples)
    per_round = -(-engine_repeats // rounds)
    engine_samples: list[float] = []
    for _ in range(rounds):
        engine_samples += [sample_s(engine, engine_batch) for _ in range(per_round)]
        baseline_samples.append(sample_s(baseline, baseline_batch))
    return Timing(
        statistics.median(engine_samples) * 1000, statistics.median(baseline_samples) * 1000
    )


def measure(run: Run, count: int, size_kb: int) -> Timing:
    """Time engine and baseline on one case, after checking they produce the same output."""
    if (count, size_kb) in run.timings:
        return run.timings[(count, size_kb)]
    rules = run.rules[:count]
    text = make_text(SEED + count, rules, run.words.fillers, size_kb * KB)
    key, baseline = content_key(rules), NaiveBaseline(rules)
    matcher_for(key, rules)  # compile outside the timings: the API's cache is warm after one call
    ours, engine_once = timed(lambda: matcher_for(key, rules).rewrite(text))
    theirs, baseline_once = timed(lambda: baseline.rewrite(text))
    spans = [(item.start, item.end, item.index) for item in ours.applied]
    if (ours.text, spans) != theirs:
        sys.exit(f"FAILED: outputs differ at {count} rules x {size_label(size_kb)}")
    run.timings[(count, size_kb)] = paired_timing(
        lambda: matcher_for(key, rules).rewrite(text),
        lambda: baseline.rewrite(text),
        (engine_once, baseline_once),
        run,
    )
    return run.timings[(count, size_kb)]


def first_call_ms(run: Run, samples: int) -> tuple[float, float]:
    """Median (compile, compile + rewrite) ms of a cold-cache call at 256 rules x 100 KB."""
    rules = run.rules[:MAIN_RULES]
    text = make_text(SEED + MAIN_RULES, rules, run.words.fillers, MAIN_KB * KB)
    compiles, totals = [], []
    for sample in range(samples):
        key = content_key(rules, salt=f"cold-{sample}")
        started = time.perf_counter()
        matcher = matcher_for(key, rules)
        compiled = time.perf_counter()
        matcher.rewrite(text)
        compiles.append(compiled - started)
        totals.append(time.perf_counter() - started)
    return statistics.median(compiles) * 1000, statistics.median(totals) * 1000


def print_main_table(run: Run) -> float:
    """Table 1: 256 rules x 100 KB, engine against baseline; returns the ratio."""
    timing = measure(run, MAIN_RULES, MAIN_KB)
    ratio = timing.baseline_ms / timing.engine_ms
    print(f"(1) {MAIN_RULES} rules x {MAIN_KB} KB (cached matcher, as the API calls it)")
    print(f"{'engine ms':>12} {'baseline ms':>12} {'ratio':>9}")
    print(f"{timing.engine_ms:>12,.2f} {timing.baseline_ms:>12,.1f} {ratio:>8,.1f}x")
    compile_ms, first_ms = first_call_ms(run, samples=5)
    print(f"first call, cold cache: {first_ms:,.2f} ms, of which compiling {compile_ms:,.2f} ms")
    return ratio


def print_rules_table(run: Run) -> None:
    """Table 2: growth with the rule count at 100 KB, relative to 16 rules."""
    print(f"\n(2) rule count at {MAIN_KB} KB (each text built from that dictionary's rules)")
    print(f"{'rules':>6} {'engine ms':>11} {'growth':>7} {'baseline ms':>12} {'growth':>7}")
    base = measure(run, RULE_COUNTS[0], MAIN_KB)
    for count in RULE_COUNTS:
        timing = measure(run, count, MAIN_KB)
        engine_growth = timing.engine_ms / base.engine_ms
        baseline_growth = timing.baseline_ms / base.baseline_ms
        print(
            f"{count:>6} {timing.engine_ms:>11,.2f} {engine_growth:>6.2f}x"
            f" {timing.baseline_ms:>12,.1f} {baseline_growth:>6.2f}x"
        )


def print_size_table(run: Run) -> None:
    """Table 3: growth with the text length at 256 rules."""
    print(f"\n(3) text length at {MAIN_RULES} rules (1 KB = {KB} characters)")
    print(f"{'text':>8} {'engine ms':>11} {'engine µs/KB':>13} {'baseline ms':>12}")
    for size_kb in run.settings.sizes_kb:
        timing = measure(run, MAIN_RULES, size_kb)
        per_kb = timing.engine_ms * 1000 / size_kb
        row = f"{timing.engine_ms:>11,.3f} {per_kb:>13,.1f} {timing.baseline_ms:>12,.1f}"
        print(f"{size_label(size_kb):>8} {row}")
    for size_kb in sorted(set(SIZES_KB) - set(run.settings.sizes_kb)):
        print(f"{size_label(size_kb):>8} skipped (--quick)")


def size_label(size_kb: int) -> str:
    return f"{size_kb // KB} MB" if size_kb >= KB else f"{size_kb} KB"


def checked_line(run: Run) -> str:
    """Name every input whose engine and baseline outputs were compared (all of them equal)."""
    cases = sorted(run.timings)
    listed = ", ".join(f"{count} rules x {size_label(size_kb)}" for count, size_kb in cases)
    return f"\nchecked, same output text and spans (start, end, rule) from both: {listed}"


def parse_settings() -> Settings:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer samples, no 1 MB text (~10 s)")
    if parser.parse_args().quick:
        return Settings(budget=0.15, min_sample=0.002, repeats=(3, 7), sizes_kb=SIZES_KB[:-1])
    return Settings(budget=1.0, min_sample=0.005, repeats=(3, 25), sizes_kb=SIZES_KB)


def main() -> None:
    settings = parse_settings()
    rng = random.Random(SEED)
    words = make_vocabulary(rng)
    run = Run(make_rules(rng, words, max(RULE_COUNTS)), words, settings)
    print(f"rewrite engine (matcher_for) vs naive baseline (one regex per rule); seed {SEED}")
    print(f"Python {platform.python_version()}; median ms per call; ratio = baseline / engine\n")
    ratio = print_main_table(run)
    print_rules_table(run)
    print_size_table(run)
    print(checked_line(run))
    verdict = "met" if ratio >= GOAL_RATIO else "NOT met"
    print(f"goal >= {GOAL_RATIO:.0f}x faster than the baseline at {MAIN_RULES} rules: {verdict}")


if __name__ == "__main__":
    main()

"""Benchmark the pronunciation scan on 1 MB of agent-like text against one espeak-ng run per
distinct word (the naive way to ask its lexicon), measured in the same run.

The text is drawn from wordfreq's English list by frequency, with brand names, SKUs, acronyms
and symbols mixed in. The scan runs with a cold espeak-ng cache against a dictionary of 100
rules. The baseline runs espeak-ng once per distinct word on a sample of them (``--sample``) and
is extrapolated to all of them (``--sample 0`` runs every word: minutes).
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

import wordfreq  # noqa: E402

from pronunciations import engine, espeak  # noqa: E402
from pronunciations.scan import tokens  # noqa: E402
from pronunciations.scan.coverage import Rules  # noqa: E402
from pronunciations.scan.run import scan  # noqa: E402

SEED = 20261207
MB = 1_000_000
GOAL_RATIO, GOAL_SECONDS = 20.0, 5.0
SYLLABLES = ["qu", "be", "zor", "vex", "kry", "vo", "lan", "tri", "pex", "ora", "ny", "ax"]


def brand(rng: random.Random) -> str:
    first = "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()
    return first + rng.choice(["", "", "Pay", "Hub", "ly"])


def text_of(size: int, rng: random.Random) -> list[str]:
    """Paragraphs (turns) of about ``size`` bytes: common words by frequency, 1 in 40 a term."""
    top = wordfreq.top_n_list("en", 20_000)
    weights = [wordfreq.word_frequency(word, "en") for word in top]
    terms = [brand(rng) for _ in range(300)]
    terms += [f"SKU-{rng.randint(1000, 9999)}" for _ in range(100)]
    terms += ["B2B", "C++", ".NET", "50+", "API", "NFC", "AT&T", "read", "live", "lead"]
    turns, total = [], 0
    while total < size:
        words = rng.choices(top, weights, k=60)
        for at in range(0, 60, 40):
            words[at] = rng.choice(terms)
        turn = " ".join(words).capitalize() + "."
        turns.append(turn)
        total += len(turn.encode()) + 2
    return turns


def baseline_seconds_per_word(words: list[str]) -> float:
    """One espeak-ng run per word, as a scan without batching would do it."""
    program = espeak.binary()
    assert program is not None, "espeak-ng is not installed"
    times = []
    for word in words:
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - the installed espeak-ng, a word on standard input
            [program, "-q", "-X", "-v", "en-us"],
            input=word.encode(),
            capture_output=True,
            check=True,
        )
        times.append(time.perf_counter() - started)
    return statistics.mean(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bytes", type=int, default=MB)
    parser.add_argument("--sample", type=int, default=300, help="baseline words (0: all)")
    args = parser.parse_args()
    rng = random.Random(SEED)
    turns = text_of(args.bytes, rng)
    rules = [engine.Rule(brand(rng), "x") for _ in range(100)]
    dictionary = Rules("bench", engine.Matcher(rules), engine.Matcher([]))
    espeak._known_cache.clear()
    started = time.perf_counter()
    body = scan(turns, "en-US", [dictionary])
    seconds = time.perf_counter() - started
    words = body["words"]
    distinct = sorted({t.text.lower() for turn in turns for t in tokens.tokens(turn)})
    sample = distinct if args.sample <= 0 else rng.sample(distinct, min(args.sample, len(distinct)))
    per_word = baseline_seconds_per_word(sample)
    baseline = per_word * len(distinct)
    ratio = baseline / seconds
    size = sum(len(turn.encode()) + 2 for turn in turns)
    counts = f"{len(turns):,} turns, {words:,} words, {len(distinct):,} distinct"
    print(f"text: {size:,} bytes, {counts}")
    print(f"findings: {body['summary']['findings']:,}, rules: {len(body['rules'])}")
    print(f"scan:     {seconds:8.2f} s  {words / seconds:12,.0f} words/s  (espeak-ng runs: 2)")
    print(
        f"baseline: {baseline:8.2f} s  {words / baseline:12,.0f} words/s  "
        f"({per_word * 1000:.1f} ms per espeak-ng run x {len(distinct):,} distinct words; "
        f"measured on {len(sample):,})"
    )
    met = ratio >= GOAL_RATIO and seconds < GOAL_SECONDS
    print(
        f"ratio: {ratio:.1f}x; goal >= {GOAL_RATIO:.0f}x and 1 MB in < {GOAL_SECONDS:.0f} s: "
        f"{'met' if met else 'not met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""IPA suggestions from espeak-ng: how a match might be pronounced in the dictionary's language.

A suggestion is only a starting point for a linguist (espeak-ng's rules, not a dictionary), and
says so. Every call is bounded: the text is at most a match's length and goes in on standard
input (never as an argument), the voice is a checked language tag, espeak-ng gets
TIMEOUT_SECONDS, at most MAX_RUNNING run at once per process, and answers are cached. Nothing
here raises for espeak-ng's own failures (missing, no voice, too slow): the suggestion is then
None with a note saying why.
"""

import functools
import re
import shutil
import subprocess  # noqa: S404 - a fixed program, arguments checked, text on standard input
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings

from pronunciations.validation import MATCH_MAX_LENGTH

TIMEOUT_SECONDS = 3.0
MAX_RUNNING = 2
MAX_OUTPUT_CHARS = 1000
DEFAULT_VOICE = "en-us"
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8}){0,3}")
# espeak-ng marks a word it read with another language's rules: "(en)ˌɛsˌɛl(hi)".
_SWITCH = re.compile(r"\([a-z]{2,3}(-[a-z0-9]{1,8})*\)")
_running = threading.BoundedSemaphore(MAX_RUNNING)


@dataclass(frozen=True)
class Suggestion:
    """espeak-ng's IPA for a text, or None; ``voice`` is the voice asked, ``note`` says what
    the suggestion is (or why there is none) in plain words."""

    ipa: str | None
    voice: str
    note: str


class _Transient(Exception):
    """espeak-ng was busy or too slow: not cached, try again later."""


def voice_for(language: object) -> str | None:
    """An espeak-ng voice for a BCP 47 tag ("en-GB" → "en-gb"); None when there is no tag."""
    if not isinstance(language, str) or not language:
        return None
    tag = language.strip().lower().replace("_", "-")
    return tag if _LANGUAGE.fullmatch(tag) else None


def _clean(output: str) -> str:
    return " ".join(_SWITCH.sub("", output[:MAX_OUTPUT_CHARS]).split())


@functools.lru_cache(maxsize=1024)
def _ipa(binary: str, voice: str, text: str) -> str | None:
    """espeak-ng's IPA, or None when it refuses (no such voice); raises _Transient."""
    if not _running.acquire(timeout=TIMEOUT_SECONDS):
        raise _Transient
    try:
        done = subprocess.run(  # noqa: S603 - fixed program and flags, checked voice
            [binary, "-q", "--ipa", "-v", voice, "--stdin"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise _Transient from exc
    except OSError:
        return None
    finally:
        _running.release()
    if done.returncode != 0:
        return None
    return _clean(done.stdout.decode("utf-8", "replace")) or None


def suggest(text: str, language: object) -> Suggestion:
    """espeak-ng's IPA for ``text`` (a rule's match) in ``language`` (the dictionary's)."""
    asked = voice_for(language)
    voice = asked or DEFAULT_VOICE
    binary = shutil.which(settings.LEXICON_ESPEAK) if settings.LEXICON_ESPEAK else None
    if binary is None:
        return Suggestion(None, voice, "No suggestion: espeak-ng is not installed on the server.")
    text = " ".join(text.split())[:MATCH_MAX_LENGTH]
    if not text:
        return Suggestion(None, voice, "No suggestion: type the match first.")
    # espeak-ng itself falls back from a region it does not know ("de-at") to the language.
    try:
        ipa = _ipa(binary, voice, text)
    except _Transient:
        return Suggestion(None, voice, "No suggestion: espeak-ng is busy, try again.")
    if ipa is not None:
        where = "" if asked else " (the dictionary has no language)"
        return Suggestion(
            ipa,
            voice,
            f"Suggested by espeak-ng, voice {voice}{where}: a starting point, check it before "
            "you use it.",
        )
    return Suggestion(None, voice, f"No suggestion: espeak-ng has no voice for “{language}”.")


# Batches: a scan asks espeak-ng about all its words in one run (a run costs about 10 ms to
# start, so one run per word is what bench/scan.py measures as the baseline).
BATCH_TIMEOUT_SECONDS = 60.0
MAX_BATCH_WORDS = 5000
CACHE_WORDS = 100_000
_CLAUSE = re.compile(r"[.,;:!?()\[\]\"]")
_EVENT = re.compile(r"^(Found: |Translate )'([^']+)'", re.MULTILINE)
_known_cache: "OrderedDict[tuple[str, str], bool]" = OrderedDict()
_cache_lock = threading.Lock()


def binary() -> str | None:
    """The espeak-ng program, or None when it is not installed (or not configured)."""
    return shutil.which(settings.LEXICON_ESPEAK) if settings.LEXICON_ESPEAK else None


def _run(program: str, flags: list[str], text: str) -> str | None:
    """One bounded espeak-ng run over ``text`` on standard input; None when it fails."""
    if not _running.acquire(timeout=BATCH_TIMEOUT_SECONDS):
        return None
    try:
        done = subprocess.run(  # noqa: S603 - fixed program and flags, checked voice
            [program, "-q", *flags],  # no --stdin: it joins lines into one clause
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=BATCH_TIMEOUT_SECONDS,
            check=False,
        )
    except (subprocess.TimeoutExpired, OSError):
        return None
    finally:
        _running.release()
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


def _parse_known(output: str, asked: set[str]) -> dict[str, bool]:
    """Which asked words espeak-ng found in its lexicon: ``Found: 'word'``, or its stem found
    right after ``Translate 'word'`` (``customers`` → ``customer``). Words it translated by
    letter-to-sound rules alone are unknown."""
    known: dict[str, bool] = {}
    current = ""
    for match in _EVENT.finditer(output):
        kind, word = match.groups()
        if kind == "Translate ":
            if word in asked:
                current = word
                known.setdefault(word, False)
            continue
        if word in asked:
            known[word] = True
        elif current and len(word) >= 3 and current.startswith(word.rstrip("e")):
            known[current] = True
    return known


def lexicon_known(words: list[str], language: object) -> dict[str, bool] | None:
    """For lower-case words, whether espeak-ng's lexicon for ``language`` knows each one (True)
    or reads it by letter-to-sound rules (False): one espeak-ng run for all the words it has
    not been asked before (cached per voice and word), at most MAX_BATCH_WORDS of them. None
    when espeak-ng is missing or fails; a word it did not answer for is left out."""
    program, voice = binary(), voice_for(language) or DEFAULT_VOICE
    if program is None:
        return None
    with _cache_lock:
        found = {w: _known_cache[(voice, w)] for w in words if (voice, w) in _known_cache}
    missing = sorted({w for w in words if w not in found})[:MAX_BATCH_WORDS]
    if missing:
        output = _run(program, ["-X", "-v", voice], "\n".join(missing) + "\n")
        if output is None:
            return None
        answered = _parse_known(output, set(missing))
        found.update(answered)
        with _cache_lock:
            for word, known in answered.items():
                _known_cache[(voice, word)] = known
            while len(_known_cache) > CACHE_WORDS:
                _known_cache.popitem(last=False)
    return found


def ipa_many(texts: list[str], language: object) -> list[str | None] | None:
    """espeak-ng's IPA for each text (a line each, one run for all); None when espeak-ng is
    missing or fails, or its answer does not line up with the texts."""
    program, voice = binary(), voice_for(language) or DEFAULT_VOICE
    if program is None or not texts:
        return None if program is None else []
    # A clause's punctuation would end espeak-ng's line early: one text, one line.
    lines = [" ".join(_CLAUSE.sub(" ", t).split())[:MATCH_MAX_LENGTH] or "-" for t in texts]
    output = _run(program, ["--ipa", "-v", voice], "\n".join(lines) + "\n")
    answers = [line for line in (output or "").splitlines() if line.strip()]
    if len(answers) != len(lines):
        return None
    return [_clean(answer) or None for answer in answers]

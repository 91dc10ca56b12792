"""Compiling a dictionary for the model a target serves: pure, no Django query, no request.

SLNG executes only ``rewrite`` rules, before the model, so an IPA rule is heard only when a
rewrite rule puts the model's own phoneme markup in the text. For a model that takes phonemes
each IPA rule becomes such a rewrite rule (the ``ipa`` mode is still pushed as stored). A word
with both a rewrite rule and an IPA rule is compiled from its IPA rule: the IPA is the
linguist's exact statement of the sound, the rewrite a spelling that approximates it (the
rewrite rule still serves models that take no phonemes). For a model that takes none nothing
is invented: the dictionary is pushed as stored and each IPA rule is reported not audible.
What is compiled must stay within SLNG's limits (``MAX_RULES``, ``MAX_REPLACE``); over them,
``over_limit`` says why and nothing may be sent.
"""

from dataclasses import dataclass
from typing import Any

from pronunciations.validation import MAX_RULES_PER_MODE, VALUE_MAX_LENGTH, match_key
from sync.compile.markups import PLAIN, Markup
from sync.compile.routes import markup_for

MAX_RULES = MAX_RULES_PER_MODE  # SLNG: at most 256 rules a mode
MAX_REPLACE = VALUE_MAX_LENGTH  # SLNG: a replacement of at most 256 characters


@dataclass(frozen=True)
class Compiled:
    """What a target receives of one dictionary: ``payload`` (SLNG's create body), the
    ``markup`` it was compiled with (``PLAIN`` when none), the IPA matches ``inaudible`` on
    the model, the rewrite matches an IPA rule took over (``overridden``), and ``over_limit``:
    why it may not be sent (empty when it may)."""

    payload: dict[str, Any]
    model: str
    markup: str
    inaudible: tuple[str, ...] = ()
    overridden: tuple[str, ...] = ()
    over_limit: str = ""

    def inaudible_text(self) -> str:
        """The inaudible rules in words ("" when every rule is heard)."""
        return inaudible_text(self.model, self.inaudible)


def inaudible_text(model: str, matches: tuple[str, ...] | list[str]) -> str:
    if not matches:
        return ""
    rules = "1 IPA rule" if len(matches) == 1 else f"{len(matches)} IPA rules"
    verb = "is" if len(matches) == 1 else "are"
    named = ", ".join(repr(match) for match in matches[:5])
    more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
    return (
        f"{rules} ({named}{more}) {verb} not audible on {model}: it takes no phonemes, "
        "so only rewrite rules change what it says"
    )


def compile_payload(payload: dict[str, Any], model: str) -> Compiled:
    """The payload compiled for ``model`` (see the module's docstring)."""
    markup = markup_for(model)
    ipa_rules = payload["modes"].get("ipa", {}).get("rules", [])
    if markup is None:
        matches = tuple(rule["match"] for rule in ipa_rules)
        return Compiled(payload, model, PLAIN, inaudible=matches, over_limit=_over(payload, model))
    if not ipa_rules:
        return Compiled(payload, model, markup.name, over_limit=_over(payload, model))
    return _compiled(payload, model, markup, ipa_rules)


def _compiled(
    payload: dict[str, Any], model: str, markup: Markup, ipa_rules: list[dict[str, str]]
) -> Compiled:
    taken = {match_key(rule["match"]) for rule in ipa_rules}
    rewrite = payload["modes"]["rewrite"]["rules"]
    kept = [rule for rule in rewrite if match_key(rule["match"]) not in taken]
    overridden = tuple(rule["match"] for rule in rewrite if match_key(rule["match"]) in taken)
    spoken = [
        {"match": rule["match"], "replace": markup.wrap(rule["match"], rule["ipa"])}
        for rule in ipa_rules
    ]
    modes = {**payload["modes"], "rewrite": {"rules": kept + spoken}}
    compiled = {**payload, "modes": modes}
    over = _over(compiled, model)
    return Compiled(compiled, model, markup.name, overridden=overridden, over_limit=over)


def _over(payload: dict[str, Any], model: str) -> str:
    """Why SLNG would refuse the payload compiled for ``model`` ("" when it fits)."""
    rules = payload["modes"]["rewrite"]["rules"]
    if len(rules) > MAX_RULES:
        return (
            f"compiled for {model}, the dictionary has {len(rules)} rewrite rules, over SLNG's "
            f"limit of {MAX_RULES} a mode: nothing was sent"
        )
    for rule in rules:
        if len(rule["replace"]) > MAX_REPLACE:
            return (
                f"compiled for {model}, the replacement of {rule['match']!r} is "
                f"{len(rule['replace'])} characters, over SLNG's limit of {MAX_REPLACE}: "
                "nothing was sent"
            )
    return ""


def compilation(model: str) -> str:
    """The name of what ``model`` is compiled with: targets that differ here send different
    dictionaries under one name."""
    markup = markup_for(model)
    return PLAIN if markup is None else markup.name

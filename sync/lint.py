"""What lint says about IPA rules on the organization's targets: a source for pronunciations' lint.

Registered with ``pronunciations.lint.register_source`` from ``SyncConfig.ready()``. For each
IPA rule: the targets whose model cannot speak it (``not_audible``), the symbols outside a
documented phone set (``phone_set``); and where the dictionary compiled for a target's model
would be over SLNG's limits (``compiled_over_limit``), on the IPA rule that crosses it. One
query (the organization's targets), however many rules.
"""

from typing import Any

from orgs.actors import Actor
from orgs.scoping import restrict
from pronunciations.content import modes_to_wire
from pronunciations.lint import LintWarning
from pronunciations.models import Mode
from pronunciations.validation import Modes
from sync.compile import MAX_REPLACE, compile_payload, markup_for
from sync.models import SyncTarget

# Lexicon reading on its own account (orgs.scoping: every organization).
LINT = Actor.system("lint against targets")


def _path(index: int) -> str:
    return f"modes.ipa.rules[{index}].ipa"


def target_warnings(modes: Modes, organization_id: int) -> list[LintWarning]:
    """The warnings of ``modes`` on the organization's targets, by rule, then target name."""
    ipa = modes.get(Mode.IPA, ())
    if not ipa:
        return []
    targets = list(
        restrict(SyncTarget, LINT)
        .filter(organization_id=organization_id)
        .order_by("name")
        .values_list("name", "model")
    )
    warnings = []
    for index, spec in enumerate(ipa):
        silent = [
            f"{model} (target {name})" for name, model in targets if markup_for(model) is None
        ]
        if silent:
            warnings.append(
                LintWarning(
                    "not_audible",
                    _path(index),
                    f"not audible on {', '.join(silent)}: "
                    f"{'it takes' if len(silent) == 1 else 'they take'} no phonemes",
                    {"targets": silent},
                )
            )
        for name, model in targets:
            markup = markup_for(model)
            for problem in markup.warns(spec.value) if markup else []:
                warnings.append(
                    LintWarning("phone_set", _path(index), f"{problem} ({model}, target {name})")
                )
    return warnings + _over_limits(modes, targets)


def _over_limits(modes: Modes, targets: list[tuple[str, str]]) -> list[LintWarning]:
    payload = {"name": "", "modes": modes_to_wire(modes), "metadata": {}}
    matches = [spec.match for spec in modes[Mode.IPA]]
    warnings = []
    for name, model in targets:
        compiled = compile_payload(payload, model)
        if compiled.over_limit:
            message = compiled.over_limit.replace("nothing was sent", "nothing would be sent")
            index = _crossing(compiled.payload, matches)
            warnings.append(
                LintWarning("compiled_over_limit", _path(index), f"{message} (target {name})")
            )
    return warnings


def _crossing(payload: dict[str, Any], matches: list[str]) -> int:
    """The IPA rule whose compiled replacement is too long, else the last one (it crosses the
    count; validation keeps the stored rules themselves within the limits)."""
    for rule in payload["modes"]["rewrite"]["rules"]:
        if len(rule["replace"]) > MAX_REPLACE and rule["match"] in matches:
            return matches.index(rule["match"])
    return len(matches) - 1

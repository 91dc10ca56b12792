"""Preview: what text SLNG would send to the model for given modes, with each applied rule."""

from typing import Any

from pronunciations import engine
from pronunciations.content import content_hash
from pronunciations.models import Mode
from pronunciations.validation import Modes


def rewrite_rules(modes: Modes) -> list[engine.Rule]:
    """The rewrite mode's rules as the engine takes them."""
    return [
        engine.Rule(spec.match, spec.value)
        for spec in modes.get(Mode.REWRITE, ())
        if not spec.disabled  # switched off: kept, but never previewed
    ]


def matcher(modes: Modes, content_key: str | None = None) -> engine.Matcher:
    """The one way to get the engine's matcher for modes: compiled once per content hash."""
    return engine.matcher_for(content_key or content_hash(modes), rewrite_rules(modes))


def rewrite(modes: Modes, text: str, *, content_key: str | None = None) -> engine.RewriteResult:
    """Apply the rewrite mode; the compiled matcher is cached by content hash."""
    return matcher(modes, content_key).rewrite(text)


def result_to_wire(result: engine.RewriteResult) -> dict[str, Any]:
    return {
        "text": result.text,
        "applied": [
            {
                "rule_index": item.index,
                "match": item.match,
                "replace": item.replace,
                "start": item.start,
                "end": item.end,
                "out_start": item.out_start,
                "out_end": item.out_end,
            }
            for item in result.applied
        ],
    }

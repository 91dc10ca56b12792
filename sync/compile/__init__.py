"""What a target's model receives of a dictionary: IPA rules compiled into its phoneme markup.

One module per markup (``deepgram``, ``cartesia``, ``kugelaudio``, ``elevenlabs``), the routes
that take each (``routes``) and the compiler (``compiler``). ``sync.plans.derive`` is the one
step that derives every push, and calls ``compile_payload`` there.
"""

from sync.compile.compiler import (
    MAX_REPLACE,
    MAX_RULES,
    Compiled,
    compilation,
    compile_payload,
    inaudible_text,
)
from sync.compile.markups import PLAIN, Markup
from sync.compile.routes import ROUTES, markup_for

__all__ = [
    "MAX_REPLACE",
    "MAX_RULES",
    "PLAIN",
    "ROUTES",
    "Compiled",
    "Markup",
    "compilation",
    "compile_payload",
    "inaudible_text",
    "markup_for",
]

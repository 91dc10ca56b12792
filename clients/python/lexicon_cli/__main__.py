"""``python -m lexicon_cli``: the same as the ``lexicon`` console script."""

from lexicon_cli import entry_point

entry_point()

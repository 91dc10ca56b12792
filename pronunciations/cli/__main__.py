"""``python -m pronunciations.cli``: the same as the ``lexicon`` console script."""

from pronunciations.cli import entry_point

entry_point()

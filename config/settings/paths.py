"""Where the checkout and the local run's working folder are (read by base and background)."""

from pathlib import Path

from config.env import env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# The local run's working folder (empty: var/ of the checkout): the file broker's queues, the
# demo key, the emulator's keys.
LEXICON_VAR_DIR = env_str("LEXICON_VAR_DIR", "")

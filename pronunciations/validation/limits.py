"""The sizes a dictionary's content may have (names' length is in ``core.parameters``)."""

MAX_RULES_PER_MODE = 256
MATCH_MAX_LENGTH = 128
VALUE_MAX_LENGTH = 256
COMMENT_MAX_LENGTH = 500

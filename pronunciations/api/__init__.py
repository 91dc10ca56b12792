"""The HTTP API: SLNG's dictionary operations and Lexicon's additions."""

"""Sync's domain errors: a target or run not found (404 the SLNG way), a key that cannot be used."""

from pronunciations.errors import NotFound


class TargetNotFound(NotFound):
    def __init__(self, target_id: str) -> None:
        super().__init__(f"Sync target not found: {target_id}")


class RunNotFound(NotFound):
    def __init__(self, run_id: str) -> None:
        super().__init__(f"Sync run not found: {run_id}")


class TargetKeyUnusable(Exception):
    """The stored SLNG key was not entered for this target's organization and current URLs."""

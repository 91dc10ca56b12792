"""Sync targets and per-dictionary sync state (arrives with the sync issue)."""

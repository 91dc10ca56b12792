"""Pronunciation dictionaries: storage, validation, services and the SLNG-compatible API."""

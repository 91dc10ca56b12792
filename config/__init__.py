"""Lexicon's Django project package: settings, URLs, Celery app and server entry points."""

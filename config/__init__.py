"""Lexicon's Django project package: settings, URLs, Celery app and server entry points."""

from config.celery import app as celery_app

__all__ = ["celery_app"]

"""Signals orgs sends to the apps above it (which connect in their ``AppConfig.ready()``)."""

from django.dispatch import Signal

# Sent inside the transaction that turned an organization's review off, with ``organization``
# and ``by`` (who turned it off): pronunciations decides the proposals still waiting.
review_turned_off = Signal()

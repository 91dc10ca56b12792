"""The one signal pronunciations sends: a dictionary's content changed (sent after commit)."""

from django.dispatch import Signal

# Sent by services from transaction.on_commit with keyword arguments
# organization_id (int), dictionary_id (int) and change ("created", "updated", "deleted",
# "approved": a reviewer approved a revision, which approved-channel targets now serve).
dictionary_changed = Signal()

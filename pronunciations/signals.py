"""The signals pronunciations sends: dictionaries' content changed (sent after commit)."""

from django.dispatch import Signal

# Sent by services from transaction.on_commit with keyword arguments
# organization_id (int), dictionary_id (int) and change ("created", "updated", "deleted",
# "approved": a reviewer approved a revision, which approved-channel targets now serve).
dictionary_changed = Signal()

# Sent once, after commit, for a write of several dictionaries of one organization at once (an
# import): organization_id (int) and changes, a tuple of (dictionary_id, change) pairs. A
# receiver that acts on every change connects to both signals; one that acts per organization
# (sync) does its work once per import instead of once per dictionary.
dictionaries_changed = Signal()

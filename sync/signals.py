"""The signal sync sends: a target verified content it had not verified before.

Sent by ``sync.services.target_run`` after a run with keyword arguments ``target_id`` (int) and
``organization_id`` (int). ``sync.enqueue`` connects to it (in ``SyncConfig.ready``) and
enqueues the targets that follow this one (``after``), so production moves as soon as staging
has verified, without waiting for its schedule. Like ``dictionary_changed`` it only makes sync
prompt: what a follower serves is derived from the recorded verifications.
"""

from django.dispatch import Signal

content_verified = Signal()

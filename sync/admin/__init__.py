"""sync in the admin: SLNG targets with their runs, a run's own page, their schedules, and
(registered from SyncConfig.ready through pronunciations' extension point) sync on the
dictionary admin."""

from sync.admin import runs, schedules, targets

__all__ = ["runs", "schedules", "targets"]

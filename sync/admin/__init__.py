"""sync in the admin: SLNG targets with their runs, their schedules, and (registered from
SyncConfig.ready through pronunciations' extension point) sync on the dictionary admin."""

from sync.admin import schedules, targets

__all__ = ["schedules", "targets"]

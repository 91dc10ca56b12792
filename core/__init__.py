"""The layer below the apps: SLNG's errors and bodies, request parameters, the caller's prologue."""

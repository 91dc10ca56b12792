"""PostgreSQL backend whose per-request connection health check costs no round trip."""

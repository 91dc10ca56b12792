"""The tests' PostgreSQL backend: config.postgresql, with a flush that deletes rows."""

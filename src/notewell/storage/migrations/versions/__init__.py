"""Migration scripts, oldest first. Each upgrade has a downgrade; both run on SQLite and PostgreSQL."""

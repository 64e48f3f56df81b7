"""Alembic migrations for the clinical record (run by ``notewell init`` and on startup checks)."""

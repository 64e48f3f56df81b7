"""Storage adapters for the clinical record: tables, unit of work, audit chain, crypto, migrations.

The only package that imports SQLAlchemy, Alembic, psycopg, cryptography and argon2; the
record use cases (:mod:`notewell.records`) see it through their ports.
"""

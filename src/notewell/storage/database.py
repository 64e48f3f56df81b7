"""Engines and migrations: SQLite (WAL, foreign keys on) by default, PostgreSQL by URL.

Everything dialect-specific lives under ``storage/``. SQLite is opened so that writers queue
rather than fail: every transaction starts with ``BEGIN IMMEDIATE`` (takes the write lock up
front, so two writers never deadlock upgrading a read lock) and waits up to 30 s for it;
``synchronous=FULL`` in WAL mode makes every commit durable before it returns.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError

from notewell.errors import ConfigurationError

BUSY_TIMEOUT_MS = 30_000


def normalise_url(url: str) -> str:
    """``postgresql://…`` → ``postgresql+psycopg://…`` (psycopg 3); SQLite URLs unchanged."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError("NOTEWELL_DATABASE_URL is not a database URL") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise ConfigurationError(
            f"NOTEWELL_DATABASE_URL: {backend} is not supported; use sqlite or postgresql"
        )
    return parsed.render_as_string(hide_password=False)


def create_database_engine(url: str) -> Engine:
    """An engine with Notewell's connection settings for the URL's database."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def _config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("notewell.storage") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest migration shipped with this version of Notewell."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("notewell.storage") / "migrations"))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (``None``: not a Notewell database yet)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (each in its own transaction)."""
    with engine.connect() as conn:
        command.upgrade(_config(conn), revision)
        conn.commit()


def downgrade(engine: Engine, revision: str) -> None:
    """Undo migrations down to ``revision`` (``base`` removes every Notewell table)."""
    with engine.connect() as conn:
        command.downgrade(_config(conn), revision)
        conn.commit()

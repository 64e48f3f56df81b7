"""Backups: SQLite's online backup API, or a portable logical dump for PostgreSQL.

* **SQLite**: ``notewell backup PATH`` copies the live database page by page with SQLite's
  online backup API (consistent while the app keeps running); ``notewell restore PATH``
  checks the file is a Notewell database at this version whose keys open with this
  installation's secret, keeps the current database aside as ``notewell.db.before-restore-…``
  and copies the backup in.
* **PostgreSQL**: the same commands write and read a gzip'd JSON-lines dump of every table
  (ciphertexts stay ciphertexts), taken in one REPEATABLE READ snapshot; restore goes into an
  empty database. For production, ``pg_dump --format=custom`` / ``pg_restore`` of the whole
  database is the usual tool and works as well (the README shows both).

Backups hold ciphertext only; they are useless without the secret key, so keep the key (or
``NOTEWELL_SECRET_KEY``) safe and separately.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, LargeBinary, delete, func, insert, select, text
from sqlalchemy.engine import Connection

from notewell.errors import SecretKeyError, StorageError, UsageError
from notewell.storage import tables as t
from notewell.storage.crypto import Keyring
from notewell.storage.database import head_revision, is_sqlite, upgrade
from notewell.storage.store import Database

FORMAT = "notewell-logical-backup"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class BackupReport:
    path: Path
    kind: str
    rows: int


def backup(db: Database, path: Path) -> BackupReport:
    """Write a backup of the whole database to ``path`` (which must not exist yet)."""
    if path.exists():
        raise UsageError(f"{path}: already exists; back up to a new file")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent}: no such folder")
    if is_sqlite(db.engine):
        rows = _sqlite_backup(db, path)
        kind = "sqlite"
    else:
        rows = _logical_backup(db, path)
        kind = "logical"
    return BackupReport(path, kind, rows)


def restore(db: Database, path: Path) -> BackupReport:
    """Replace the database's content with the backup at ``path``."""
    if not path.is_file():
        raise UsageError(f"{path}: no such backup file")
    if is_sqlite(db.engine) and _is_sqlite_file(path):
        rows = _sqlite_restore(db, path)
        return BackupReport(path, "sqlite", rows)
    rows = _logical_restore(db, path)
    return BackupReport(path, "logical", rows)


# -- SQLite ------------------------------------------------------------------------------------


def _is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def _count_rows(conn: sqlite3.Connection) -> int:
    return sum(
        int(conn.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0])
        for table in t.metadata.sorted_tables
    )


def _sqlite_backup(db: Database, path: Path) -> int:
    raw = db.engine.raw_connection()
    try:
        live: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        target = sqlite3.connect(path)
        try:
            live.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            rows = _count_rows(target)
        finally:
            target.close()
    finally:
        raw.close()
    return rows


def _check_keys(db: Database, rows: list[tuple[str, bytes]]) -> None:
    keyring = Keyring(db.keyring_master)
    if not rows:
        raise StorageError("the backup holds no data keys; it is not a Notewell backup")
    for kid, wrapped in rows:
        try:
            keyring.unwrap(kid, wrapped)
        except SecretKeyError:
            raise SecretKeyError(
                "the backup was made with another secret key; set NOTEWELL_SECRET_KEY (or the key file) "
                "to the key of the installation that made it"
            ) from None


def _sqlite_restore(db: Database, path: Path) -> int:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            revision = source.execute("SELECT version_num FROM alembic_version").fetchone()
            keys = [(str(k), bytes(w)) for k, w in source.execute("SELECT kid, wrapped FROM data_keys")]
        except sqlite3.DatabaseError:
            raise UsageError(f"{path}: not a Notewell database backup") from None
        if revision is None or revision[0] != head_revision():
            raise UsageError(
                f"{path}: backup is at migration {revision[0] if revision else 'none'}, "
                f"this Notewell needs {head_revision()}"
            )
        _check_keys(db, keys)
        live_path = db.sqlite_path
        raw = db.engine.raw_connection()
        try:
            live: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
            if live_path is not None:
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
                aside = live_path.with_name(f"{live_path.name}.before-restore-{stamp}")
                fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.close(fd)
                keep = sqlite3.connect(aside)
                try:
                    live.backup(keep)
                finally:
                    keep.close()
            source.backup(live)
            live.execute("PRAGMA journal_mode=WAL")
            rows = _count_rows(live)
        finally:
            raw.close()
    finally:
        source.close()
    db.engine.dispose()  # pooled connections may hold pages of the old database
    return rows


# -- logical (PostgreSQL, or any) -----------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode(value: Any, column: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value["b64"])
    if isinstance(column.type, t.UtcDateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    return value


def _logical_backup(db: Database, path: Path) -> int:
    rows = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with (
        db.engine.connect() as conn,
        os.fdopen(fd, "wb") as raw,
        gzip.open(raw, "wt", encoding="utf-8") as out,
    ):
        if not is_sqlite(conn):
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        header = {"format": FORMAT, "version": FORMAT_VERSION, "revision": head_revision()}
        out.write(json.dumps(header) + "\n")
        for table in t.metadata.sorted_tables:
            order = list(table.primary_key.columns)
            for row in conn.execute(select(table).order_by(*order)):
                record = {"table": table.name, "row": {k: _encode(v) for k, v in row._mapping.items()}}
                out.write(json.dumps(record) + "\n")
                rows += 1
        conn.rollback()
    return rows


def _read_dump(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError):
        raise UsageError(f"{path}: not a Notewell backup (unreadable or truncated)") from None


def _logical_restore(db: Database, path: Path) -> int:
    records = _read_dump(path)
    header = next(records, None)
    if not header or header.get("format") != FORMAT:
        raise UsageError(f"{path}: not a Notewell backup")
    if header.get("revision") != head_revision():
        raise UsageError(
            f"{path}: backup is at migration {header.get('revision')}, this Notewell needs {head_revision()}"
        )
    upgrade(db.engine)
    rows = 0
    with db.engine.begin() as conn:
        for table in (t.users, t.clients, t.audit_events):
            if conn.execute(select(func.count()).select_from(table)).scalar_one():
                raise UsageError(
                    "restore needs an empty database: create a new one (createdb) "
                    "and point NOTEWELL_DATABASE_URL at it"
                )
        for table in (t.data_keys, t.practice, t.audit_head):
            conn.execute(delete(table))
        batch: dict[str, list[dict[str, Any]]] = {}
        for record in records:
            table = t.metadata.tables[record["table"]]
            batch.setdefault(table.name, []).append(
                {k: _decode(v, table.c[k]) for k, v in record["row"].items()}
            )
            rows += 1
        for table in t.metadata.sorted_tables:
            if batch.get(table.name):
                conn.execute(insert(table), batch[table.name])
        _check_keys(db, [(r["kid"], r["wrapped"]) for r in batch.get("data_keys", [])])
        _reset_sequences(conn)
    return rows


def _reset_sequences(conn: Connection) -> None:
    """After inserting explicit ids, PostgreSQL's id sequences must continue past them."""
    if is_sqlite(conn):
        return
    for table in t.metadata.sorted_tables:
        if (
            "id" in table.c
            and table.c.id.autoincrement is not False
            and not isinstance(table.c.id.type, LargeBinary)
        ):
            if table.name == "audit_head":
                continue
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                )
            )

"""Storage on both databases: migrations, triggers, encryption at rest, the audit chain, backups."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, delete, insert, inspect, select, text, update
from sqlalchemy.exc import DBAPIError

from notewell.config import Settings
from notewell.domain.records import Actor
from notewell.errors import SecretKeyError, StorageError, UsageError
from notewell.storage import tables as t
from notewell.storage.backup import backup, restore
from notewell.storage.crypto import load_or_create_key_file, parse_secret
from notewell.storage.database import create_database_engine, downgrade, upgrade
from notewell.storage.store import Database
from tests.record.conftest import Harness, PostgresCluster, make_harness, settings_for

SYNTHETIC = "Mood 5/10 this week; slept 6 hours a night.\nPracticed paced breathing."


def _empty_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.url(cluster.new_database())


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            table.name: [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
            for table in t.metadata.sorted_tables
        }


def _drop_audit_triggers(engine: Engine) -> None:
    """What an attacker with database access would do first (dialect SQL is fine in a test)."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))


@pytest.fixture
def signed_world(harness: Harness) -> tuple[Harness, Actor, int]:
    dana = harness.user("dana", "clinician", name="Dana Reyes")
    note = harness.draft(dana, harness.client(dana, "Synthetic Client"), text=SYNTHETIC)
    harness.service.sign_note(dana, note.id, note.version)
    harness.service.add_addendum(dana, note.id, "Addendum: client phoned to reschedule.", "late information")
    harness.service.write_private_note(dana, note.client_id, "Private hunch about avoidance.")
    return harness, dana, note.id


def test_sqlite_is_in_wal_mode_with_foreign_keys_on(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    engine.dispose()


def test_migrations_upgrade_downgrade_and_upgrade_again(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    engine = create_database_engine(_empty_url(backend, tmp_path, request))
    try:
        upgrade(engine)
        names = set(inspect(engine).get_table_names())
        assert set(t.metadata.tables) <= names
        with engine.connect() as conn:
            assert conn.execute(select(t.audit_head.c.seq, t.audit_head.c.hash)).one() == (0, "genesis")
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert set(t.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_the_migration_creates_exactly_the_declared_schema(harness: Harness) -> None:
    with harness.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), t.metadata)
    assert diff == []


def test_a_signed_note_cannot_be_changed_or_deleted_by_sql(signed_world: tuple[Harness, Actor, int]) -> None:
    harness, dana, note_id = signed_world
    engine = harness.db.engine
    for statement in (
        update(t.notes).where(t.notes.c.id == note_id).values(status="draft"),
        update(t.notes).where(t.notes.c.id == note_id).values(body_enc=b"\x01forged"),
        update(t.notes).where(t.notes.c.id == note_id).values(signer_name="Somebody Else"),
        delete(t.notes).where(t.notes.c.id == note_id),
        update(t.addenda).values(author_name="Somebody Else"),
        delete(t.addenda),
        update(t.note_versions).values(edited_by=dana.user_id),
        delete(t.note_versions),
    ):
        with pytest.raises(DBAPIError, match="notewell: "), engine.begin() as conn:
            conn.execute(statement)
    # the triggers are selective: a draft is still editable by SQL (the services guard versions)
    other = harness.draft(dana, harness.client(dana))
    with engine.begin() as conn:
        assert (
            conn.execute(update(t.notes).where(t.notes.c.id == other.id).values(format="soap")).rowcount == 1
        )
    assert harness.service.get_note(dana, note_id).status == "signed"


def test_the_audit_table_is_append_only(signed_world: tuple[Harness, Actor, int]) -> None:
    harness, _, _ = signed_world
    for statement in (update(t.audit_events).values(actor="nobody"), delete(t.audit_events)):
        with pytest.raises(DBAPIError, match="append-only"), harness.db.engine.begin() as conn:
            conn.execute(statement)


def test_audit_verify_passes_then_fails_after_a_row_is_changed_with_the_trigger_dropped(
    signed_world: tuple[Harness, Actor, int],
) -> None:
    harness, _, _ = signed_world
    assert harness.service.verify_audit(harness.operator).ok
    _drop_audit_triggers(harness.db.engine)
    with harness.db.engine.begin() as conn:
        conn.execute(update(t.audit_events).where(t.audit_events.c.seq == 3).values(action="read"))
    report = harness.service.verify_audit(harness.operator)
    assert not report.ok and report.problem == "event 3 was changed after it was written"


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        ("delete_middle", "event 4 is missing (found 5 next)"),
        ("delete_last", "the chain ends at event {last_minus_one} but the head records event {last}"),
        ("insert_forged", "event {forged} was changed after it was written"),
    ],
)
def test_audit_verify_detects_deleted_and_inserted_rows(
    signed_world: tuple[Harness, Actor, int], tamper: str, problem: str
) -> None:
    harness, _, _ = signed_world
    _drop_audit_triggers(harness.db.engine)
    with harness.db.engine.begin() as conn:
        last = conn.execute(select(t.audit_head.c.seq)).scalar_one()
        if tamper == "delete_middle":
            conn.execute(delete(t.audit_events).where(t.audit_events.c.seq == 4))
        elif tamper == "delete_last":
            conn.execute(delete(t.audit_events).where(t.audit_events.c.seq == last))
        else:
            prev = conn.execute(select(t.audit_head.c.hash)).scalar_one()
            row = {
                "seq": last + 1,
                "at": "2026-03-02T12:00:00.000000+00:00",
                "actor_id": None,
                "actor": "intruder",
                "role": "admin",
                "action": "read",
                "entity": "note",
                "entity_id": 1,
                "outcome": "ok",
                "prev_hash": prev,
                "hash": "0" * 64,  # without the key no one can compute the real link
            }
            conn.execute(insert(t.audit_events).values(**row))
            conn.execute(update(t.audit_head).values(seq=last + 1, hash="0" * 64))
    report = harness.service.verify_audit(harness.operator)
    assert not report.ok
    assert report.problem == problem.format(last=last, last_minus_one=last - 1, forged=last + 1)


def test_audit_rows_name_actions_never_content(signed_world: tuple[Harness, Actor, int]) -> None:
    harness, dana, note_id = signed_world
    harness.service.export_note(dana, note_id)
    events = harness.service.audit_log(harness.operator, limit=1000)
    assert {e.action for e in events} >= {"create", "read", "sign", "export"}
    assert ("sign", "note", note_id, "dana", "clinician") in {
        (e.action, e.entity, e.entity_id, e.actor, e.role) for e in events
    }
    with harness.db.engine.connect() as conn:
        raw = " ".join(str(v) for row in conn.execute(select(t.audit_events)) for v in row)
    for phrase in ("Mood 5/10", "paced breathing", "reschedule", "Synthetic Client", "avoidance"):
        assert phrase not in raw


def test_content_is_encrypted_at_rest_and_bound_to_its_column(
    signed_world: tuple[Harness, Actor, int],
) -> None:
    harness, dana, _note_id = signed_world
    with harness.db.engine.connect() as conn:
        blobs = [
            bytes(blob)
            for table, _pk, column in t.ENCRYPTED_COLUMNS
            for blob in conn.execute(select(table.c[column]).where(table.c[column].is_not(None))).scalars()
        ]
        session_blob = conn.execute(select(t.sessions.c.input_enc)).scalar_one()
    assert len(blobs) >= 8
    for blob in blobs:
        for phrase in (b"Mood 5/10", b"paced breathing", b"reschedule", b"Synthetic Client", b"avoidance"):
            assert phrase not in blob
    # a ciphertext moved into another column, or with one bit flipped, does not decrypt
    other = harness.draft(dana, harness.client(dana))
    with harness.db.engine.begin() as conn:
        conn.execute(update(t.notes).where(t.notes.c.id == other.id).values(body_enc=session_blob))
    with pytest.raises(StorageError, match="failed authentication"):
        harness.service.get_note(dana, other.id)
    flipped = bytearray(session_blob)
    flipped[-1] ^= 1
    with harness.db.engine.begin() as conn:
        conn.execute(update(t.notes).where(t.notes.c.id == other.id).values(body_enc=bytes(flipped)))
    with pytest.raises(StorageError, match="failed authentication"):
        harness.service.get_note(dana, other.id)


def test_the_key_file_is_created_private_and_refused_when_readable_by_others(tmp_path: Path) -> None:
    path = tmp_path / "data" / "secret.key"
    key = load_or_create_key_file(path, create=True)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key_file(path, create=False) == key
    os.chmod(path, 0o644)
    with pytest.raises(SecretKeyError, match="readable by others"):
        load_or_create_key_file(path, create=False)
    with pytest.raises(SecretKeyError, match="no key file"):
        load_or_create_key_file(tmp_path / "missing.key", create=False)


def test_short_secrets_are_refused_and_a_wrong_key_does_not_open_the_database(
    fresh_settings: Callable[..., Settings],
) -> None:
    with pytest.raises(SecretKeyError, match="too short"):
        parse_secret("hunter2")
    assert len(parse_secret("a passphrase that is long enough to stretch!")) == 32
    settings = fresh_settings()
    wrong = Settings(
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        secret_key="another passphrase, long enough, but not this database's",
    )
    with pytest.raises(SecretKeyError, match="does not open this database"):
        Database.open(wrong)


def test_opening_a_missing_or_unmigrated_database_says_what_to_do(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        with pytest.raises(StorageError, match="run `notewell init` first"):
            Database.open(settings_for(None, tmp_path / "nothing-here"))
    else:
        with pytest.raises(StorageError, match="needs 0001; run `notewell init`"):
            Database.open(settings_for(_empty_url(backend, tmp_path, request), tmp_path))


def test_backup_then_restore_round_trips_every_row(
    signed_world: tuple[Harness, Actor, int],
    backend: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    harness, dana, note_id = signed_world
    harness.service.record_measure(dana, harness.service.get_note(dana, note_id).client_id, "PHQ-9", 12)
    before = _snapshot(harness.db.engine)
    populated = ("users", "clients", "sessions", "ai_drafts", "notes", "note_versions", "addenda")
    populated += ("private_notes", "measure_results", "ai_consents", "audit_events", "data_keys")
    assert all(before[name] for name in populated)
    report = backup(harness.db, tmp_path / "backup.bin")
    assert stat.S_IMODE(report.path.stat().st_mode) == 0o600
    assert report.kind == ("sqlite" if backend == "sqlite" else "logical")
    with pytest.raises(UsageError, match="already exists"):
        backup(harness.db, tmp_path / "backup.bin")

    if backend == "sqlite":
        harness.draft(dana, harness.client(dana))  # the live database moves on …
        target = harness.db
    else:  # PostgreSQL restores into a new, empty database
        with pytest.raises(UsageError, match="restore needs an empty database"):
            restore(harness.db, report.path)
        target = Database.open(settings_for(_empty_url(backend, tmp_path, request), tmp_path), create=True)
    restored = restore(target, report.path)
    assert restored.rows == sum(len(rows) for rows in before.values())
    assert _snapshot(target.engine) == before
    if backend == "sqlite":
        assert list(tmp_path.glob("notewell.db.before-restore-*"))
    # the restored record works: reads decrypt, the chain verifies, new writes continue it
    again = make_harness(harness.settings if backend == "sqlite" else _settings_of(target, tmp_path))
    try:
        assert again.service.get_note(dana, note_id).status == "signed"
        assert again.service.verify_audit(again.operator).ok
        again.draft(dana, again.client(dana, "After restore"))
        assert again.service.verify_audit(again.operator).ok
    finally:
        again.db.dispose()
        target.dispose()


def _settings_of(db: Database, tmp_path: Path) -> Settings:
    return settings_for(db.engine.url.render_as_string(hide_password=False), tmp_path)

"""Fixtures for the clinical record: every ``db`` test runs on SQLite and on PostgreSQL.

PostgreSQL is a throwaway cluster started once per test session (``initdb`` as the
``postgres`` user when running as root, loopback port, fsync off — about a second); each test
gets its own database cloned from a migrated template. The PostgreSQL half is skipped only when
the server binaries are absent (``.ci/run`` installs them, so CI always runs both).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, time
from itertools import count
from pathlib import Path
from typing import Any

import psycopg
import pytest

from notewell.config import Settings
from notewell.domain.records import Actor, NoteRecord, Role
from notewell.records.service import RecordPolicy, RecordService
from notewell.storage.store import Database
from tests.factories import make_session
from tests.local_servers import as_postgres, free_port, postgres_bin
from tests.record.fakes import TEST_SECRET, FakeClock, PlainHasher, ScriptedDrafter

BACKENDS = ("sqlite", "postgresql")
INITDB_FLAGS = ("-E", "UTF8", "--locale=C", "--no-sync")


class PostgresCluster:
    """A private PostgreSQL server for the test session, removed afterwards."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="notewell-pg-"))
        self.port = free_port()
        self._names = count(1)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        data = self.root / "data"
        subprocess.run(
            as_postgres(
                [
                    str(self.bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "notewell",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c max_connections=100"
        )
        subprocess.run(
            as_postgres(
                [
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(self.root / "log"),
                    "-w",
                    "-o",
                    options,
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            as_postgres(
                [str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"]
            ),
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgresql://notewell@127.0.0.1:{self.port}/{name}"

    def execute(self, sql: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def new_database(self, template: str | None = None) -> str:
        name = f"nw_{next(self._names)}"
        self.execute(
            f"CREATE DATABASE {name}" + (f" TEMPLATE {template} STRATEGY FILE_COPY" if template else "")
        )
        return name


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    bindir = postgres_bin()
    if bindir is None:
        if os.environ.get("CI"):  # CI installs them (.ci/run); a silent skip there would hide half the suite
            pytest.fail("PostgreSQL server binaries are missing in CI")
        pytest.skip("PostgreSQL server binaries are not installed (.ci/run installs them)")
    cluster = PostgresCluster(bindir)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def settings_for(url: str | None, data_dir: Path, **extra: Any) -> Settings:
    return Settings(data_dir=data_dir, database_url=url, secret_key=TEST_SECRET, **extra)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    Database.open(settings_for(None, folder), create=True).dispose()
    return folder / "notewell.db"


@pytest.fixture(scope="session")
def postgres_template(postgres: PostgresCluster, tmp_path_factory: pytest.TempPathFactory) -> str:
    name = postgres.new_database()
    Database.open(settings_for(postgres.url(name), tmp_path_factory.mktemp("pg")), create=True).dispose()
    return name


SEEDED = ("data_keys", "practice", "audit_head")
TRIGGERS = 7


class PostgresPool:
    """One database reused by every PostgreSQL test: emptied (TRUNCATE … RESTART IDENTITY, which
    fires no row triggers) and re-seeded with the template's key and audit head between tests —
    much faster than cloning a database per test. A test that dropped a trigger gets a new clone."""

    def __init__(self, cluster: PostgresCluster, template: str) -> None:
        self.cluster, self.template = cluster, template
        with psycopg.connect(cluster.url(template)) as conn:
            self.seeds = {
                table: conn.execute(f"SELECT * FROM {table}").fetchall()  # type: ignore[arg-type]
                for table in SEEDED
            }
        self.name = cluster.new_database(template)
        self.dirty = False

    def fresh(self) -> str:
        if self.dirty and not self._reset():
            self.cluster.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            self.name = self.cluster.new_database(self.template)
        self.dirty = True
        return self.cluster.url(self.name)

    def _reset(self) -> bool:
        from notewell.storage.tables import metadata

        try:
            with psycopg.connect(self.cluster.url(self.name)) as conn:
                conn.execute("SET lock_timeout = '2s'")
                triggers = conn.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal").fetchone()
                if triggers is None or triggers[0] != TRIGGERS:
                    return False
                names = ", ".join(t.name for t in metadata.sorted_tables)
                conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")  # type: ignore[arg-type]
                for table, rows in self.seeds.items():
                    for row in rows:
                        marks = ", ".join(["%s"] * len(row))
                        conn.execute(f"INSERT INTO {table} VALUES ({marks})", row)  # type: ignore[arg-type]
            return True
        except psycopg.Error:
            return False


@pytest.fixture(scope="session")
def postgres_pool(postgres: PostgresCluster, postgres_template: str) -> PostgresPool:
    return PostgresPool(postgres, postgres_template)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fresh_settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., Settings]:
    """Settings for a new, migrated, empty database on ``backend`` (extra keywords go to Settings)."""

    def make(**extra: Any) -> Settings:
        if backend == "sqlite":
            shutil.copy(request.getfixturevalue("sqlite_template"), tmp_path / "notewell.db")
            return settings_for(None, tmp_path, **extra)
        pool: PostgresPool = request.getfixturevalue("postgres_pool")
        return settings_for(pool.fresh(), tmp_path, **extra)

    return make


@dataclass
class Harness:
    """A record service on a fresh database, with a scripted engine and a hand-moved clock."""

    service: RecordService
    db: Database
    clock: FakeClock
    drafter: ScriptedDrafter
    settings: Settings
    operator: Actor = field(default_factory=lambda: Actor.operator("tester"))
    _labels: Iterator[int] = field(default_factory=lambda: count(1))

    def user(self, username: str, role: Role, supervisor: str | None = None, name: str = "") -> Actor:
        user, _ = self.service.add_user(
            self.operator,
            username,
            role,
            full_name=name or username.title(),
            credentials="LCSW"
            if role == "clinician" and supervisor is None
            else ("MSW intern" if supervisor else ""),
            supervisor=supervisor,
        )
        return Actor(user.id, user.username)

    def client(self, actor: Actor, label: str | None = None, consent: bool = True) -> int:
        client, _ = self.service.open_client(actor, label or f"Client {next(self._labels)}")
        if consent:
            self.service.record_consent(actor, client.id, date(2026, 1, 5))
        return client.id

    def draft(
        self,
        actor: Actor,
        client_id: int,
        text: str = "Mood 5/10 this week; slept 6 hours a night.\nPracticed paced breathing.",
        on: date | None = None,
        **session: Any,
    ) -> NoteRecord:
        made = make_session(text, **session)
        if on is not None:
            made = replace(made, meta=replace(made.meta, date=on))
        return self.service.draft_note(actor, client_id, made).note


def make_harness(settings: Settings, clock: FakeClock | None = None) -> Harness:
    db = Database.open(settings)
    clock = clock or FakeClock()
    drafter = ScriptedDrafter()
    service = RecordService(
        db.unit_of_work,
        drafter,
        PlainHasher(),
        clock=clock,
        policy=RecordPolicy(
            late_entry_hours=settings.late_entry_hours,
            ai_consent=settings.ai_consent,
            retention_years=settings.retention_years,
            timezone=UTC,
        ),
    )
    return Harness(service, db, clock, drafter, settings)


@pytest.fixture
def harness(fresh_settings: Callable[..., Settings]) -> Iterator[Harness]:
    h = make_harness(fresh_settings())
    try:
        yield h
    finally:
        h.db.dispose()


SESSION_END = time(10, 50)

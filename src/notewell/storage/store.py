"""The SQLAlchemy adapters: :class:`Database`, its units of work and the record repository.

One unit of work is one transaction. Content is encrypted on the way in and decrypted on the
way out, so the use cases never see a ciphertext and the database never sees a plaintext.
State changes of a note are single conditional UPDATEs (``… WHERE id = :id AND version =
:expected AND status = 'draft'``): of two concurrent edits or signs exactly one matches a row,
on SQLite and on PostgreSQL alike, and the loser is told so instead of being merged.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Row, and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from notewell.config import Settings
from notewell.domain.records import (
    Addendum,
    AiDraft,
    AuditEvent,
    Client,
    Consent,
    DiagnosisRecord,
    MeasureResult,
    NoteRecord,
    NoteReview,
    NoteStatus,
    PrivateNote,
    Role,
    SessionRecord,
    Signature,
    TreatmentPlan,
    User,
)
from notewell.errors import RecordError, StorageError
from notewell.storage import audit as audit_log
from notewell.storage import tables as t
from notewell.storage.crypto import Keyring, load_or_create_key_file, parse_secret
from notewell.storage.database import (
    create_database_engine,
    current_revision,
    head_revision,
    is_sqlite,
    upgrade,
)


def _hhmm(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def _time(value: str | None) -> time | None:
    return None if value is None else time.fromisoformat(value)


class Database:
    """An opened Notewell database: the engine, the master key, and units of work on demand."""

    def __init__(self, engine: Engine, master_key: bytes) -> None:
        self.engine = engine
        self._master = master_key
        self._keyring = Keyring(master_key)
        self._lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, create: bool = False) -> Database:
        """Open the configured database; with ``create`` make the data folder, key and schema.

        Without ``create`` the database must exist and be at the newest migration.
        """
        url = settings.resolved_database_url
        sqlite = url.startswith("sqlite")
        if sqlite and settings.database_url is None:
            path = settings.data_dir / "notewell.db"
            if create:
                settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
                if not path.exists():  # SQLite gives the -wal and -shm files the database's mode
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            elif not path.exists():
                raise StorageError(f"no database at {path}; run `notewell init` first")
        if settings.secret_key:
            master = parse_secret(settings.secret_key)
        else:
            master = load_or_create_key_file(settings.key_file, create=create)
        db = cls(create_database_engine(url), master)
        try:
            if create:
                db.initialise()
            else:
                db.check_schema()
            with db.engine.connect() as conn:
                db._reload_keys(conn)
        except DBAPIError as exc:
            db.dispose()
            raise StorageError(f"cannot open the database ({type(exc.orig).__name__})") from None
        except BaseException:
            db.dispose()
            raise
        return db

    def initialise(self, practice_name: str = "Notewell practice") -> bool:
        """Migrate to head; create the first data key and the practice row. Returns whether new."""
        upgrade(self.engine)
        with self.engine.begin() as conn:
            if conn.execute(select(func.count()).select_from(t.data_keys)).scalar_one():
                return False
            kid, key = self._keyring.new_data_key()
            now = datetime.now(UTC)
            conn.execute(
                insert(t.data_keys).values(
                    kid=kid, wrapped=self._keyring.wrap(kid, key), active=True, created_at=now
                )
            )
            conn.execute(insert(t.practice).values(name=practice_name, created_at=now))
        return True

    def check_schema(self) -> None:
        have, want = current_revision(self.engine), head_revision()
        if have != want:
            raise StorageError(
                f"the database is at migration {have or 'none'}, this Notewell needs {want}; "
                "run `notewell init` to upgrade it"
            )

    def _reload_keys(self, conn: Connection) -> Keyring:
        rows = conn.execute(select(t.data_keys.c.kid, t.data_keys.c.wrapped, t.data_keys.c.active)).all()
        keyring = Keyring(self._master)
        keyring.data_keys = {r.kid: keyring.unwrap(r.kid, r.wrapped) for r in rows}
        keyring.active = next((r.kid for r in rows if r.active), None)
        with self._lock:
            self._keyring = keyring
        return keyring

    def keyring_for(self, conn: Connection) -> Keyring:
        """The keys for one transaction; reloaded when another process rotated them.

        On PostgreSQL the active key's row is share-locked for the transaction, so a rotation
        cannot delete the key a concurrent writer is encrypting with.
        """
        active = conn.execute(
            select(t.data_keys.c.kid).where(t.data_keys.c.active.is_(True)).with_for_update(read=True)
        ).scalar_one_or_none()
        keyring = self._keyring
        if active != keyring.active:
            keyring = self._reload_keys(conn)
        return keyring

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self)

    @property
    def keyring_master(self) -> bytes:
        """The master key (for checking that a backup opens with it)."""
        return self._master

    def audit_operation(self, actor: str, action: str, entity: str) -> None:
        """An audit row for an operator's action outside the record services (backup, restore)."""
        with self.unit_of_work() as uow:
            uow.audit(None, actor, "admin", action, entity, None)
            uow.commit()

    def dispose(self) -> None:
        self.engine.dispose()

    @property
    def sqlite_path(self) -> Path | None:
        if not is_sqlite(self.engine) or self.engine.url.database in (None, "", ":memory:"):
            return None
        return Path(str(self.engine.url.database))


class SqlUnitOfWork:
    """One transaction with its repository and its pending audit rows."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._events: list[audit_log.PendingEvent] = []
        self._store: SqlRecordStore | None = None

    @property
    def store(self) -> SqlRecordStore:
        assert self._store is not None, "use the unit of work in a with block"
        return self._store

    def __enter__(self) -> SqlUnitOfWork:
        self._conn = self._db.engine.connect()
        try:
            self._tx = self._conn.begin()
            self._store = SqlRecordStore(self._conn, self._db.keyring_for(self._conn), self._db)
        except DBAPIError as exc:
            self._conn.close()
            raise StorageError(f"database unavailable ({type(exc.orig).__name__})") from None
        self._events = []
        return self

    def audit(
        self,
        actor_id: int | None,
        actor: str,
        role: str,
        action: str,
        entity: str,
        entity_id: int | None,
        outcome: str = "ok",
    ) -> None:
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        self._events.append(
            audit_log.PendingEvent(at, actor_id, actor, role, action, entity, entity_id, outcome)
        )

    def commit(self) -> None:
        """Append the audit rows, then commit the change and its audit together."""
        audit_log.append(self._conn, self.store.keyring, self._events)
        self._tx.commit()
        self._events = []

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._tx.is_active:
                self._tx.rollback()
        finally:
            self._conn.close()
        if isinstance(exc, DBAPIError):
            # The driver's message quotes the statement and its parameters: never pass it on.
            raise StorageError(f"database error ({type(exc.orig).__name__})") from None


class SqlRecordStore:
    """The record repository over one connection (see :class:`notewell.records.ports.RecordStore`)."""

    def __init__(self, conn: Connection, keyring: Keyring, db: Database) -> None:
        self.conn = conn
        self.keyring = keyring
        self._db = db

    # -- helpers -------------------------------------------------------------------------------

    def _enc(self, table: Any, column: str, text: str) -> bytes:
        return self.keyring.encrypt(text, t.where(table, column))

    def _dec(self, table: Any, column: str, blob: bytes) -> str:
        return self.keyring.decrypt(blob, t.where(table, column))

    def _enc_json(self, table: Any, column: str, value: Any) -> bytes:
        return self._enc(table, column, json.dumps(value, ensure_ascii=False, sort_keys=True))

    def _dec_json(self, table: Any, column: str, blob: bytes) -> Any:
        return json.loads(self._dec(table, column, blob))

    def _insert(self, table: Any, **values: Any) -> int:
        result = self.conn.execute(insert(table).values(**values))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    # -- users ---------------------------------------------------------------------------------

    @staticmethod
    def _user(r: Row[Any]) -> User:
        return User(
            r.id,
            r.username,
            r.full_name,
            r.credentials,
            r.role,
            r.supervisor_id,
            bool(r.active),
            r.created_at,
        )

    def get_user(self, user_id: int) -> User | None:
        r = self.conn.execute(select(t.users).where(t.users.c.id == user_id)).first()
        return self._user(r) if r else None

    def get_user_by_username(self, username: str) -> User | None:
        r = self.conn.execute(select(t.users).where(t.users.c.username == username)).first()
        return self._user(r) if r else None

    def password_hash_of(self, user_id: int) -> str:
        return str(
            self.conn.execute(select(t.users.c.password_hash).where(t.users.c.id == user_id)).scalar_one()
        )

    def add_user(
        self,
        username: str,
        full_name: str,
        credentials: str,
        role: Role,
        supervisor_id: int | None,
        password_hash: str,
        now: datetime,
    ) -> User:
        try:
            uid = self._insert(
                t.users,
                username=username,
                full_name=full_name,
                credentials=credentials,
                role=role,
                supervisor_id=supervisor_id,
                password_hash=password_hash,
                active=True,
                created_at=now,
            )
        except IntegrityError:
            raise RecordError(f"user {username!r} already exists") from None
        return User(uid, username, full_name, credentials, role, supervisor_id, True, now)

    def list_users(self) -> list[User]:
        return [self._user(r) for r in self.conn.execute(select(t.users).order_by(t.users.c.id))]

    def set_user_active(self, user_id: int, active: bool) -> None:
        self.conn.execute(update(t.users).where(t.users.c.id == user_id).values(active=active))

    def set_user_role(self, user_id: int, role: str, supervisor_id: int | None) -> None:
        self.conn.execute(
            update(t.users).where(t.users.c.id == user_id).values(role=role, supervisor_id=supervisor_id)
        )

    def trainee_ids(self, supervisor_id: int) -> tuple[int, ...]:
        rows = self.conn.execute(
            select(t.users.c.id).where(t.users.c.supervisor_id == supervisor_id, t.users.c.active.is_(True))
        )
        return tuple(r.id for r in rows)

    # -- clients -------------------------------------------------------------------------------

    def _client(self, r: Row[Any]) -> Client:
        clinicians = self.conn.execute(
            select(t.client_clinicians.c.user_id)
            .where(t.client_clinicians.c.client_id == r.id)
            .order_by(t.client_clinicians.c.user_id)
        )
        return Client(
            r.id,
            self._dec(t.clients, "label_enc", r.label_enc),
            tuple(c.user_id for c in clinicians),
            r.created_at,
            r.last_service_on,
        )

    def find_client(self, label: str) -> Client | None:
        r = self.conn.execute(
            select(t.clients).where(t.clients.c.label_index == self.keyring.blind_index(label))
        ).first()
        return self._client(r) if r else None

    def add_client(self, label: str, clinician_ids: Sequence[int], now: datetime) -> Client:
        cid = self._insert(
            t.clients,
            label_enc=self._enc(t.clients, "label_enc", label),
            label_index=self.keyring.blind_index(label),
            created_at=now,
            last_service_on=None,
        )
        for uid in clinician_ids:
            self.conn.execute(insert(t.client_clinicians).values(client_id=cid, user_id=uid))
        return Client(cid, label, tuple(sorted(clinician_ids)), now, None)

    def get_client(self, client_id: int) -> Client | None:
        r = self.conn.execute(select(t.clients).where(t.clients.c.id == client_id)).first()
        return self._client(r) if r else None

    def list_clients(self, clinician_ids: Collection[int]) -> list[Client]:
        if not clinician_ids:
            return []
        ids = select(t.client_clinicians.c.client_id).where(
            t.client_clinicians.c.user_id.in_(list(clinician_ids))
        )
        rows = self.conn.execute(select(t.clients).where(t.clients.c.id.in_(ids)).order_by(t.clients.c.id))
        return [self._client(r) for r in rows]

    def set_last_service(self, client_id: int, on: date) -> None:
        current = self.conn.execute(
            select(t.clients.c.last_service_on).where(t.clients.c.id == client_id)
        ).scalar_one_or_none()
        if current is None or on > current:
            self.conn.execute(update(t.clients).where(t.clients.c.id == client_id).values(last_service_on=on))

    @staticmethod
    def _consent(r: Row[Any]) -> Consent:
        return Consent(r.id, r.client_id, r.given_on, r.recorded_by, r.recorded_at, r.withdrawn_at)

    def add_consent(self, client_id: int, given_on: date, recorded_by: int | None, now: datetime) -> Consent:
        cid = self._insert(
            t.ai_consents, client_id=client_id, given_on=given_on, recorded_by=recorded_by, recorded_at=now
        )
        return Consent(cid, client_id, given_on, recorded_by, now)

    def withdraw_consents(self, client_id: int, by: int | None, now: datetime) -> int:
        result = self.conn.execute(
            update(t.ai_consents)
            .where(t.ai_consents.c.client_id == client_id, t.ai_consents.c.withdrawn_at.is_(None))
            .values(withdrawn_at=now, withdrawn_by=by)
        )
        return int(result.rowcount)

    def current_consent(self, client_id: int) -> Consent | None:
        r = self.conn.execute(
            select(t.ai_consents)
            .where(t.ai_consents.c.client_id == client_id, t.ai_consents.c.withdrawn_at.is_(None))
            .order_by(t.ai_consents.c.id.desc())
        ).first()
        return self._consent(r) if r else None

    def add_diagnosis(
        self, client_id: int, code: str, description: str, by: int | None, now: datetime
    ) -> DiagnosisRecord:
        did = self._insert(
            t.diagnoses,
            client_id=client_id,
            content_enc=self._enc_json(
                t.diagnoses, "content_enc", {"code": code, "description": description}
            ),
            recorded_by=by,
            recorded_at=now,
        )
        return DiagnosisRecord(did, client_id, code, description, now)

    def list_diagnoses(self, client_id: int) -> list[DiagnosisRecord]:
        out = []
        for r in self.conn.execute(
            select(t.diagnoses).where(t.diagnoses.c.client_id == client_id).order_by(t.diagnoses.c.id)
        ):
            content = self._dec_json(t.diagnoses, "content_enc", r.content_enc)
            out.append(
                DiagnosisRecord(r.id, r.client_id, content["code"], content["description"], r.recorded_at)
            )
        return out

    def add_treatment_plan(
        self, client_id: int, goals: Sequence[tuple[str, str]], by: int | None, now: datetime
    ) -> TreatmentPlan:
        pid = self._insert(
            t.treatment_plans,
            client_id=client_id,
            goals_enc=self._enc_json(t.treatment_plans, "goals_enc", [list(g) for g in goals]),
            recorded_by=by,
            recorded_at=now,
        )
        return TreatmentPlan(pid, client_id, tuple((a, b) for a, b in goals), now)

    def current_treatment_plan(self, client_id: int) -> TreatmentPlan | None:
        r = self.conn.execute(
            select(t.treatment_plans)
            .where(t.treatment_plans.c.client_id == client_id)
            .order_by(t.treatment_plans.c.id.desc())
        ).first()
        if r is None:
            return None
        goals = self._dec_json(t.treatment_plans, "goals_enc", r.goals_enc)
        return TreatmentPlan(r.id, r.client_id, tuple((g[0], g[1]) for g in goals), r.recorded_at)

    # -- sessions, drafts, notes ---------------------------------------------------------------------

    def _session(self, r: Row[Any]) -> SessionRecord:
        return SessionRecord(
            r.id,
            r.client_id,
            r.clinician_id,
            r.date_of_service,
            _time(r.start_time),
            _time(r.end_time),
            self._dec_json(t.sessions, "input_enc", r.input_enc),
            r.created_at,
        )

    def add_session(
        self,
        client_id: int,
        clinician_id: int,
        date_of_service: date | None,
        start: time | None,
        end: time | None,
        session_type: str | None,
        content: Mapping[str, Any],
        now: datetime,
    ) -> SessionRecord:
        sid = self._insert(
            t.sessions,
            client_id=client_id,
            clinician_id=clinician_id,
            date_of_service=date_of_service,
            start_time=_hhmm(start),
            end_time=_hhmm(end),
            session_type=session_type,
            input_enc=self._enc_json(t.sessions, "input_enc", dict(content)),
            created_at=now,
        )
        return SessionRecord(sid, client_id, clinician_id, date_of_service, start, end, dict(content), now)

    def dates_of_service(self, session_ids: Collection[int]) -> dict[int, date | None]:
        """Each session's date of service, without decrypting its input (dashboard lists)."""
        if not session_ids:
            return {}
        rows = self.conn.execute(
            select(t.sessions.c.id, t.sessions.c.date_of_service).where(
                t.sessions.c.id.in_(list(session_ids))
            )
        )
        return {r.id: r.date_of_service for r in rows}

    def get_session(self, session_id: int) -> SessionRecord | None:
        r = self.conn.execute(select(t.sessions).where(t.sessions.c.id == session_id)).first()
        return self._session(r) if r else None

    def add_ai_draft(
        self, session_id: int, fmt: str, content: Mapping[str, Any], by: int, now: datetime
    ) -> AiDraft:
        did = self._insert(
            t.ai_drafts,
            session_id=session_id,
            format=fmt,
            content_enc=self._enc_json(t.ai_drafts, "content_enc", dict(content)),
            created_by=by,
            created_at=now,
        )
        return AiDraft(did, session_id, fmt, dict(content), now)

    def get_ai_draft(self, draft_id: int) -> AiDraft | None:
        r = self.conn.execute(select(t.ai_drafts).where(t.ai_drafts.c.id == draft_id)).first()
        return None if r is None else self._ai_draft(r)

    def _ai_draft(self, r: Any) -> AiDraft:
        """An AI draft from its row, content decrypted."""
        return AiDraft(
            r.id,
            r.session_id,
            r.format,
            self._dec_json(t.ai_drafts, "content_enc", r.content_enc),
            r.created_at,
        )

    def ai_drafts_of(self, note_ids: Collection[int]) -> dict[int, AiDraft]:
        """The AI draft behind each of these notes, by note id, in one query (dashboard lists)."""
        if not note_ids:
            return {}
        rows = self.conn.execute(
            select(t.notes.c.id.label("note_id"), t.ai_drafts)
            .join(t.ai_drafts, t.ai_drafts.c.id == t.notes.c.ai_draft_id)
            .where(t.notes.c.id.in_(list(note_ids)))
        )
        return {r.note_id: self._ai_draft(r) for r in rows}

    def ai_draft_id_of(self, note_id: int) -> int:
        return int(
            self.conn.execute(select(t.notes.c.ai_draft_id).where(t.notes.c.id == note_id)).scalar_one()
        )

    def _note(self, r: Row[Any]) -> NoteRecord:
        signature = cosignature = None
        if r.signed_by is not None:
            signature = Signature(r.signed_by, r.signer_name, r.signer_credentials, r.signed_at)
        if r.cosigned_by is not None:
            cosignature = Signature(r.cosigned_by, r.cosigner_name, r.cosigner_credentials, r.cosigned_at)
        return NoteRecord(
            id=r.id,
            client_id=r.client_id,
            session_id=r.session_id,
            author_id=r.author_id,
            format=r.format,
            status=r.status,
            version=r.version,
            body=self._dec(t.notes, "body_enc", r.body_enc),
            created_at=r.created_at,
            updated_at=r.updated_at,
            signature=signature,
            cosignature=cosignature,
            content_hash=r.content_hash,
            late_entry_label=r.late_entry_label,
            minutes_to_signature=r.minutes_to_signature,
            edit_ratio=r.edit_ratio,
        )

    def add_note(
        self,
        client_id: int,
        session_id: int,
        ai_draft_id: int,
        author_id: int,
        fmt: str,
        body: str,
        now: datetime,
    ) -> NoteRecord:
        nid = self._insert(
            t.notes,
            client_id=client_id,
            session_id=session_id,
            ai_draft_id=ai_draft_id,
            author_id=author_id,
            format=fmt,
            status="draft",
            version=1,
            body_enc=self._enc(t.notes, "body_enc", body),
            created_at=now,
            updated_at=now,
        )
        self._insert(
            t.note_versions,
            note_id=nid,
            client_id=client_id,
            version=1,
            body_enc=self._enc(t.note_versions, "body_enc", body),
            edited_by=author_id,
            edited_at=now,
        )
        return NoteRecord(nid, client_id, session_id, author_id, fmt, "draft", 1, body, now, now)

    def get_note(self, note_id: int) -> NoteRecord | None:
        r = self.conn.execute(select(t.notes).where(t.notes.c.id == note_id)).first()
        return self._note(r) if r else None

    def list_notes(self, client_id: int) -> list[NoteRecord]:
        rows = self.conn.execute(
            select(t.notes)
            .join(t.sessions, t.sessions.c.id == t.notes.c.session_id)
            .where(t.notes.c.client_id == client_id)
            .order_by(t.sessions.c.date_of_service, t.notes.c.id)
        )
        return [self._note(r) for r in rows]

    def notes_with_status(self, status: NoteStatus, author_ids: Collection[int] | None) -> list[NoteRecord]:
        query = select(t.notes).where(t.notes.c.status == status).order_by(t.notes.c.id)
        if author_ids is not None:
            query = query.where(t.notes.c.author_id.in_(list(author_ids)))
        return [self._note(r) for r in self.conn.execute(query)]

    def recent_notes(
        self, status: NoteStatus, author_ids: Collection[int], limit: int, late_only: bool = False
    ) -> list[NoteRecord]:
        """The ``limit`` most recently written notes with this status by these authors, oldest
        first (``late_only``: only those labelled late entries). Reads only those rows, so a
        dashboard does not decrypt every note the practice ever wrote."""
        query = (
            select(t.notes)
            .where(t.notes.c.status == status, t.notes.c.author_id.in_(list(author_ids)))
            .order_by(t.notes.c.id.desc())
            .limit(limit)
        )
        if late_only:
            query = query.where(t.notes.c.late_entry_label.is_not(None))
        return [self._note(r) for r in reversed(self.conn.execute(query).all())]

    def count_notes(self, status: NoteStatus, author_ids: Collection[int]) -> int:
        query = (
            select(func.count())
            .select_from(t.notes)
            .where(t.notes.c.status == status, t.notes.c.author_id.in_(list(author_ids)))
        )
        return int(self.conn.execute(query).scalar_one())

    def last_signed_notes(self, client_id: int, limit: int) -> list[NoteRecord]:
        """The client's last ``limit`` signed notes in the order of :meth:`list_notes` (date of
        service, then id): the tail of that list, without reading the rest."""
        rows = self.conn.execute(
            select(t.notes)
            .join(t.sessions, t.sessions.c.id == t.notes.c.session_id)
            .where(t.notes.c.client_id == client_id, t.notes.c.status == "signed")
            .order_by(t.sessions.c.date_of_service.desc(), t.notes.c.id.desc())
            .limit(limit)
        ).all()
        return [self._note(r) for r in reversed(rows)]

    def first_body(self, note_id: int) -> str:
        blob = self.conn.execute(
            select(t.note_versions.c.body_enc).where(
                t.note_versions.c.note_id == note_id, t.note_versions.c.version == 1
            )
        ).scalar_one()
        return self._dec(t.note_versions, "body_enc", blob)

    def _guarded(self, note_id: int, expected_version: int, status: NoteStatus) -> Any:
        return and_(
            t.notes.c.id == note_id, t.notes.c.version == expected_version, t.notes.c.status == status
        )

    def update_body(
        self, note_id: int, expected_version: int, body: str, editor_id: int, now: datetime
    ) -> bool:
        result = self.conn.execute(
            update(t.notes)
            .where(self._guarded(note_id, expected_version, "draft"))
            .values(
                body_enc=self._enc(t.notes, "body_enc", body), version=expected_version + 1, updated_at=now
            )
        )
        if result.rowcount != 1:
            return False
        client_id = self.conn.execute(select(t.notes.c.client_id).where(t.notes.c.id == note_id)).scalar_one()
        self._insert(
            t.note_versions,
            note_id=note_id,
            client_id=client_id,
            version=expected_version + 1,
            body_enc=self._enc(t.note_versions, "body_enc", body),
            edited_by=editor_id,
            edited_at=now,
        )
        return True

    def record_signature(
        self,
        note_id: int,
        expected_version: int,
        status: NoteStatus,
        signature: Signature,
        content_hash: str,
        late_entry_label: str | None,
        minutes_to_signature: int | None,
        edit_ratio: float | None,
    ) -> bool:
        result = self.conn.execute(
            update(t.notes)
            .where(self._guarded(note_id, expected_version, "draft"))
            .values(
                status=status,
                version=expected_version + 1,
                updated_at=signature.at,
                signed_by=signature.user_id,
                signer_name=signature.name,
                signer_credentials=signature.credentials,
                signed_at=signature.at,
                content_hash=content_hash,
                late_entry_label=late_entry_label,
                minutes_to_signature=minutes_to_signature,
                edit_ratio=edit_ratio,
            )
        )
        return bool(result.rowcount == 1)

    def record_cosignature(self, note_id: int, expected_version: int, signature: Signature) -> bool:
        result = self.conn.execute(
            update(t.notes)
            .where(self._guarded(note_id, expected_version, "awaiting_cosign"))
            .values(
                status="signed",
                version=expected_version + 1,
                updated_at=signature.at,
                cosigned_by=signature.user_id,
                cosigner_name=signature.name,
                cosigner_credentials=signature.credentials,
                cosigned_at=signature.at,
            )
        )
        return bool(result.rowcount == 1)

    def return_to_draft(self, note_id: int, expected_version: int, now: datetime) -> bool:
        result = self.conn.execute(
            update(t.notes)
            .where(self._guarded(note_id, expected_version, "awaiting_cosign"))
            .values(
                status="draft",
                version=expected_version + 1,
                updated_at=now,
                signed_by=None,
                signer_name=None,
                signer_credentials=None,
                signed_at=None,
                content_hash=None,
                late_entry_label=None,
                minutes_to_signature=None,
                edit_ratio=None,
            )
        )
        return bool(result.rowcount == 1)

    def add_review(
        self, note_id: int, client_id: int, reviewer_id: int, kind: str, comment: str | None, now: datetime
    ) -> NoteReview:
        rid = self._insert(
            t.note_reviews,
            note_id=note_id,
            client_id=client_id,
            reviewer_id=reviewer_id,
            kind=kind,
            comment_enc=None if comment is None else self._enc(t.note_reviews, "comment_enc", comment),
            created_at=now,
        )
        return NoteReview(rid, note_id, reviewer_id, kind, comment, now)  # type: ignore[arg-type]

    def list_reviews(self, note_id: int) -> list[NoteReview]:
        rows = self.conn.execute(
            select(t.note_reviews).where(t.note_reviews.c.note_id == note_id).order_by(t.note_reviews.c.id)
        )
        return [
            NoteReview(
                r.id,
                r.note_id,
                r.reviewer_id,
                r.kind,
                None if r.comment_enc is None else self._dec(t.note_reviews, "comment_enc", r.comment_enc),
                r.created_at,
            )
            for r in rows
        ]

    def add_addendum(
        self, note_id: int, client_id: int, body: str, reason: str, signature: Signature, content_hash: str
    ) -> Addendum:
        aid = self._insert(
            t.addenda,
            note_id=note_id,
            client_id=client_id,
            author_id=signature.user_id,
            author_name=signature.name,
            author_credentials=signature.credentials,
            body_enc=self._enc(t.addenda, "body_enc", body),
            reason_enc=self._enc(t.addenda, "reason_enc", reason),
            signed_at=signature.at,
            content_hash=content_hash,
        )
        return Addendum(aid, note_id, body, reason, signature, content_hash)

    def list_addenda(self, note_id: int) -> list[Addendum]:
        rows = self.conn.execute(
            select(t.addenda).where(t.addenda.c.note_id == note_id).order_by(t.addenda.c.id)
        )
        return [
            Addendum(
                r.id,
                r.note_id,
                self._dec(t.addenda, "body_enc", r.body_enc),
                self._dec(t.addenda, "reason_enc", r.reason_enc),
                Signature(r.author_id, r.author_name, r.author_credentials, r.signed_at),
                r.content_hash,
            )
            for r in rows
        ]

    def add_private_note(
        self, client_id: int, session_id: int | None, author_id: int, body: str, now: datetime
    ) -> PrivateNote:
        pid = self._insert(
            t.private_notes,
            client_id=client_id,
            session_id=session_id,
            author_id=author_id,
            body_enc=self._enc(t.private_notes, "body_enc", body),
            created_at=now,
        )
        return PrivateNote(pid, client_id, session_id, author_id, body, now)

    def list_private_notes(self, client_id: int, author_ids: Collection[int]) -> list[PrivateNote]:
        rows = self.conn.execute(
            select(t.private_notes)
            .where(
                t.private_notes.c.client_id == client_id, t.private_notes.c.author_id.in_(list(author_ids))
            )
            .order_by(t.private_notes.c.id)
        )
        return [
            PrivateNote(
                r.id,
                r.client_id,
                r.session_id,
                r.author_id,
                self._dec(t.private_notes, "body_enc", r.body_enc),
                r.created_at,
            )
            for r in rows
        ]

    def add_measure(
        self,
        client_id: int,
        session_id: int | None,
        instrument: str,
        administered_on: date | None,
        score: float,
        items: Sequence[int] | None,
        by: int | None,
        now: datetime,
    ) -> MeasureResult:
        item_list = None if items is None else list(items)
        mid = self._insert(
            t.measure_results,
            client_id=client_id,
            session_id=session_id,
            instrument=instrument,
            administered_on=administered_on,
            result_enc=self._enc_json(t.measure_results, "result_enc", {"score": score, "items": item_list}),
            recorded_by=by,
            recorded_at=now,
        )
        return MeasureResult(
            mid,
            client_id,
            session_id,
            instrument,
            administered_on,
            score,
            None if items is None else tuple(items),
            by,
        )

    def list_measures(self, client_id: int) -> list[MeasureResult]:
        out = []
        for r in self.conn.execute(
            select(t.measure_results)
            .where(t.measure_results.c.client_id == client_id)
            .order_by(t.measure_results.c.administered_on, t.measure_results.c.id)
        ):
            result = self._dec_json(t.measure_results, "result_enc", r.result_enc)
            items = result["items"]
            out.append(
                MeasureResult(
                    r.id,
                    r.client_id,
                    r.session_id,
                    r.instrument,
                    r.administered_on,
                    float(result["score"]),
                    None if items is None else tuple(items),
                    r.recorded_by,
                )
            )
        return out

    # -- administration ------------------------------------------------------------------------------

    def clients_last_seen_before(self, cutoff: date) -> list[int]:
        due = []
        for r in self.conn.execute(
            select(t.clients.c.id, t.clients.c.last_service_on, t.clients.c.created_at).order_by(
                t.clients.c.id
            )
        ):
            last = r.last_service_on or r.created_at.date()
            if last < cutoff:
                due.append(int(r.id))
        return due

    def purge_client(self, client_id: int, now: datetime) -> dict[str, int]:
        """Delete a client's whole record; the retention ticket lets the delete triggers pass."""
        self.conn.execute(insert(t.retention_purges).values(client_id=client_id, purged_at=now))
        counts: dict[str, int] = {}
        session_ids = select(t.sessions.c.id).where(t.sessions.c.client_id == client_id)
        for table in t.CLIENT_DATA_DELETE_ORDER:
            condition: ColumnElement[bool]
            if table is t.ai_drafts:
                condition = t.ai_drafts.c.session_id.in_(session_ids)
            else:
                condition = table.c.client_id == client_id
            counts[table.name] = int(self.conn.execute(delete(table).where(condition)).rowcount)
        counts["clients"] = int(
            self.conn.execute(delete(t.clients).where(t.clients.c.id == client_id)).rowcount
        )
        self.conn.execute(delete(t.retention_purges).where(t.retention_purges.c.client_id == client_id))
        return counts

    def audit_events(self, after_seq: int, limit: int) -> list[AuditEvent]:
        rows = self.conn.execute(
            select(t.audit_events)
            .where(t.audit_events.c.seq > after_seq)
            .order_by(t.audit_events.c.seq)
            .limit(limit)
        )
        return [
            AuditEvent(r.seq, r.at, r.actor_id, r.actor, r.role, r.action, r.entity, r.entity_id, r.outcome)
            for r in rows
        ]

    def verify_audit(self) -> audit_log.ChainReport:
        return audit_log.verify(self.conn, self.keyring)

    def rotate_keys(self, now: datetime) -> tuple[str, int]:
        """Re-encrypt every ciphertext under a new data key; the old keys are deleted.

        Runs in the caller's transaction with the ``key_rotation`` maintenance row present, the
        only state in which the triggers let locked rows have their ciphertexts replaced.
        """
        old = self.keyring
        kid, key = old.new_data_key()
        new = Keyring(old.master)
        new.data_keys = {**old.data_keys, kid: key}
        new.active = kid
        self.conn.execute(insert(t.maintenance).values(kind="key_rotation"))
        self.conn.execute(update(t.data_keys).values(active=False))
        self.conn.execute(
            insert(t.data_keys).values(kid=kid, wrapped=new.wrap(kid, key), active=True, created_at=now)
        )
        count = 0
        for table, pk, column in t.ENCRYPTED_COLUMNS:
            key_col, blob_col = table.c[pk], table.c[column]
            for row in self.conn.execute(select(key_col, blob_col).where(blob_col.is_not(None))).all():
                where = t.where(table, column)
                blob = new.encrypt(old.decrypt(row[1], where), where)
                self.conn.execute(update(table).where(key_col == row[0]).values({column: blob}))
                count += 1
        self.conn.execute(delete(t.data_keys).where(t.data_keys.c.kid != kid))
        self.conn.execute(delete(t.maintenance).where(t.maintenance.c.kind == "key_rotation"))
        self.keyring = new
        return kid, count

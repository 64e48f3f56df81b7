"""What the record use cases need from the outside, as Protocols.

``RecordStore`` is the repository of one transaction: it hands back domain records with their
content already decrypted and takes plain text to store (the adapter encrypts). The unit of work
wraps one store; its audit events are written in the same transaction as the change, at commit.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, time
from types import TracebackType
from typing import Any, Protocol

from notewell.domain.notes import Note
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
from notewell.domain.session import Session


class Drafter(Protocol):
    """The note engine: session → draft note in a format (``auto`` picks one)."""

    def draft(self, session: Session, fmt: str) -> Note: ...


class Clock(Protocol):
    """The current time, aware and in UTC (tests pass a settable clock)."""

    def now(self) -> datetime: ...


class PasswordHasher(Protocol):
    """Password hashes for logins (argon2id in production)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...


class AuditCheck(Protocol):
    """The result of recomputing the audit chain: ``ok``, or the first ``problem`` found."""

    @property
    def ok(self) -> bool: ...
    @property
    def events(self) -> int: ...
    @property
    def head(self) -> str: ...
    @property
    def problem(self) -> str | None: ...


class RecordStore(Protocol):
    """Repositories for one transaction. Missing rows are ``None``; writes return the new record."""

    # users -------------------------------------------------------------------------------------
    def get_user(self, user_id: int) -> User | None: ...
    def get_user_by_username(self, username: str) -> User | None: ...
    def password_hash_of(self, user_id: int) -> str: ...
    def add_user(
        self,
        username: str,
        full_name: str,
        credentials: str,
        role: Role,
        supervisor_id: int | None,
        password_hash: str,
        now: datetime,
    ) -> User: ...
    def list_users(self) -> list[User]: ...
    def set_user_active(self, user_id: int, active: bool) -> None: ...
    def set_user_role(self, user_id: int, role: str, supervisor_id: int | None) -> None: ...
    def trainee_ids(self, supervisor_id: int) -> tuple[int, ...]: ...

    # clients -----------------------------------------------------------------------------------
    def find_client(self, label: str) -> Client | None: ...
    def add_client(self, label: str, clinician_ids: Sequence[int], now: datetime) -> Client: ...
    def get_client(self, client_id: int) -> Client | None: ...
    def list_clients(self, clinician_ids: Collection[int]) -> list[Client]: ...
    def set_last_service(self, client_id: int, on: date) -> None: ...
    def add_consent(
        self, client_id: int, given_on: date, recorded_by: int | None, now: datetime
    ) -> Consent: ...
    def withdraw_consents(self, client_id: int, by: int | None, now: datetime) -> int: ...
    def current_consent(self, client_id: int) -> Consent | None: ...
    def add_diagnosis(
        self, client_id: int, code: str, description: str, by: int | None, now: datetime
    ) -> DiagnosisRecord: ...
    def list_diagnoses(self, client_id: int) -> list[DiagnosisRecord]: ...
    def add_treatment_plan(
        self, client_id: int, goals: Sequence[tuple[str, str]], by: int | None, now: datetime
    ) -> TreatmentPlan: ...
    def current_treatment_plan(self, client_id: int) -> TreatmentPlan | None: ...

    # sessions, drafts, notes ---------------------------------------------------------------------
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
    ) -> SessionRecord: ...
    def dates_of_service(self, session_ids: Collection[int]) -> dict[int, date | None]: ...
    def get_session(self, session_id: int) -> SessionRecord | None: ...
    def add_ai_draft(
        self, session_id: int, fmt: str, content: Mapping[str, Any], by: int, now: datetime
    ) -> AiDraft: ...
    def get_ai_draft(self, draft_id: int) -> AiDraft | None: ...
    def ai_drafts_of(self, note_ids: Collection[int]) -> dict[int, AiDraft]: ...
    def ai_draft_id_of(self, note_id: int) -> int: ...
    def add_note(
        self,
        client_id: int,
        session_id: int,
        ai_draft_id: int,
        author_id: int,
        fmt: str,
        body: str,
        now: datetime,
    ) -> NoteRecord: ...
    def get_note(self, note_id: int) -> NoteRecord | None: ...
    def list_notes(self, client_id: int) -> list[NoteRecord]: ...
    def notes_with_status(
        self, status: NoteStatus, author_ids: Collection[int] | None
    ) -> list[NoteRecord]: ...
    def recent_notes(
        self, status: NoteStatus, author_ids: Collection[int], limit: int, late_only: bool = False
    ) -> list[NoteRecord]: ...
    def count_notes(self, status: NoteStatus, author_ids: Collection[int]) -> int: ...
    def last_signed_notes(self, client_id: int, limit: int) -> list[NoteRecord]: ...
    def first_body(self, note_id: int) -> str: ...
    def update_body(
        self, note_id: int, expected_version: int, body: str, editor_id: int, now: datetime
    ) -> bool: ...
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
    ) -> bool: ...
    def record_cosignature(self, note_id: int, expected_version: int, signature: Signature) -> bool: ...
    def return_to_draft(self, note_id: int, expected_version: int, now: datetime) -> bool: ...
    def add_review(
        self, note_id: int, client_id: int, reviewer_id: int, kind: str, comment: str | None, now: datetime
    ) -> NoteReview: ...
    def list_reviews(self, note_id: int) -> list[NoteReview]: ...
    def add_addendum(
        self, note_id: int, client_id: int, body: str, reason: str, signature: Signature, content_hash: str
    ) -> Addendum: ...
    def list_addenda(self, note_id: int) -> list[Addendum]: ...
    def add_private_note(
        self, client_id: int, session_id: int | None, author_id: int, body: str, now: datetime
    ) -> PrivateNote: ...
    def list_private_notes(self, client_id: int, author_ids: Collection[int]) -> list[PrivateNote]: ...
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
    ) -> MeasureResult: ...
    def list_measures(self, client_id: int) -> list[MeasureResult]: ...

    # administration ----------------------------------------------------------------------------
    def clients_last_seen_before(self, cutoff: date) -> list[int]: ...
    def purge_client(self, client_id: int, now: datetime) -> dict[str, int]: ...
    def audit_events(self, after_seq: int, limit: int) -> list[AuditEvent]: ...
    def verify_audit(self) -> AuditCheck: ...
    def rotate_keys(self, now: datetime) -> tuple[str, int]: ...


class UnitOfWork(Protocol):
    """One transaction: use ``with uow_factory() as uow: …; uow.commit()``."""

    @property
    def store(self) -> RecordStore: ...

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    def audit(
        self,
        actor_id: int | None,
        actor: str,
        role: str,
        action: str,
        entity: str,
        entity_id: int | None,
        outcome: str = "ok",
    ) -> None: ...
    def commit(self) -> None: ...
